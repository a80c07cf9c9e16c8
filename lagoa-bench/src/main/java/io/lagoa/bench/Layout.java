package io.lagoa.bench;

import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;

/**
 * How the {@code vendas} table is laid out on disk: its partitioning, the order rows are written in
 * within each file, and Iceberg's target file and Parquet row-group sizes.
 *
 * @param sort a column to sort rows by within each partition, or {@code none} (arrival order, which
 *     is also id and date order)
 * @param fileSize {@code write.target-file-size-bytes}; empty for Iceberg's default
 * @param rowGroupSize {@code write.parquet.row-group-size-bytes}; empty for Iceberg's default
 */
public record Layout(
    Partitioning partitioning, String sort, OptionalLong fileSize, OptionalLong rowGroupSize) {
  /** Columns rows can be sorted by. */
  public static final List<String> SORT_COLUMNS = List.of("none", "id", "produto", "valor", "data");

  /** The default: monthly partitions in arrival order, Iceberg's file sizes. */
  public static final Layout DEFAULT =
      new Layout(Partitioning.MONTHLY, "none", OptionalLong.empty(), OptionalLong.empty());

  public Layout {
    sort = sort.toLowerCase(Locale.ROOT);
    if (!SORT_COLUMNS.contains(sort)) {
      throw new LagoaException(
          ErrorCode.INVALID_ARGUMENT,
          "cannot sort by '" + sort + "': expected one of " + String.join(", ", SORT_COLUMNS));
    }
  }

  public enum Partitioning {
    /** {@code PARTITIONED BY (months(data))}: 12 partitions a year, Iceberg hidden partitioning. */
    MONTHLY("months(data)"),
    /** {@code PARTITIONED BY (ano, mes, dia)}: 365 partitions a year, Hive style. */
    DAILY("ano, mes, dia");

    private final String clause;

    Partitioning(String clause) {
      this.clause = clause;
    }

    public String clause() {
      return clause;
    }

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static Partitioning parse(String text) {
      for (Partitioning value : values()) {
        if (value.label().equalsIgnoreCase(text.strip())) {
          return value;
        }
      }
      throw new LagoaException(
          ErrorCode.INVALID_ARGUMENT,
          "cannot use layout '"
              + text
              + "': expected monthly (PARTITIONED BY months(data)) or daily (PARTITIONED BY ano,"
              + " mes, dia)");
    }
  }

  /** Iceberg table properties for this layout (sizes only when set). */
  public Map<String, String> tableProperties() {
    Map<String, String> properties = new LinkedHashMap<>();
    fileSize.ifPresent(
        bytes -> properties.put("write.target-file-size-bytes", Long.toString(bytes)));
    rowGroupSize.ifPresent(
        bytes -> properties.put("write.parquet.row-group-size-bytes", Long.toString(bytes)));
    return properties;
  }

  /** A short label, e.g. {@code monthly} or {@code daily sort=valor file=64MB rowgroup=8MB}. */
  public String label() {
    StringBuilder label = new StringBuilder(partitioning.label());
    if (!sort.equals("none")) {
      label.append(" sort=").append(sort);
    }
    fileSize.ifPresent(bytes -> label.append(" file=").append(DataSize.label(bytes)));
    rowGroupSize.ifPresent(bytes -> label.append(" rowgroup=").append(DataSize.label(bytes)));
    return label.toString();
  }

  /** A suffix for a table name holding this layout, e.g. {@code daily_valor_f64mb_rg8mb}. */
  public String tableSuffix() {
    StringBuilder suffix = new StringBuilder(partitioning.label());
    suffix.append('_').append(sort);
    fileSize.ifPresent(bytes -> suffix.append("_f").append(DataSize.label(bytes)));
    rowGroupSize.ifPresent(bytes -> suffix.append("_rg").append(DataSize.label(bytes)));
    return suffix.toString().toLowerCase(Locale.ROOT);
  }

  /** Settings for a results file. */
  public Map<String, String> settings() {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("layout", partitioning.label());
    settings.put("sort", sort);
    settings.put(
        "file_size", fileSize.isPresent() ? DataSize.label(fileSize.getAsLong()) : "default");
    settings.put(
        "row_group_size",
        rowGroupSize.isPresent() ? DataSize.label(rowGroupSize.getAsLong()) : "default");
    return settings;
  }
}
