package io.lagoa.maintenance;

import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import io.lagoa.text.EditDistance;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Every table property that steers maintenance, declared once with its type, default and doc. The
 * declarations drive the parsing of {@link MaintenanceSettings}, the check of a property change (by
 * {@code lagoa table set} and, in the catalog's commit, by {@code ALTER TABLE ... SET
 * TBLPROPERTIES}) and the table in docs/maintenance.md.
 */
public final class MaintenanceProperties {
  /** Every key here starts with this; an unknown key under it is refused as a misspelling. */
  public static final String PREFIX = "lagoa.maintenance.";

  public static final TableProperty ENABLED =
      TableProperty.of(
          PREFIX + "enabled",
          PropertyType.BOOLEAN,
          "true",
          "Whether maintenance runs on this table at all (false: the plan says it is switched"
              + " off).");
  public static final TableProperty TARGET_FILE_SIZE =
      TableProperty.of(
              PREFIX + "target-file-size",
              PropertyType.SIZE,
              "128MB",
              "The size compaction writes data files at.")
          .checked(value -> atLeast((Long) value, 1L << 20, "1MB"));
  public static final TableProperty SMALL_FILE_SIZE =
      TableProperty.of(
          PREFIX + "small-file-size",
          PropertyType.SIZE,
          "16MB",
          "A data file under this size counts as small (metrics' small_files; compaction's"
              + " trigger).");
  public static final TableProperty COMPACT_MIN_SMALL_FILES =
      TableProperty.of(
          PREFIX + "compact-min-small-files",
          PropertyType.POSITIVE_INT,
          "5",
          "Compaction runs when the table has at least this many small data files; the files"
              + " of a partition are rewritten when it has at least 2 of them.");
  public static final TableProperty MAX_DELETE_FILE_RATIO =
      TableProperty.of(
          PREFIX + "max-delete-file-ratio",
          PropertyType.RATIO,
          "0.1",
          "Compaction applies the delete files (merge-on-read DELETE, UPDATE, MERGE) when there"
              + " are more than this many per data file; below it, many small position-delete"
              + " files are only rewritten together.");
  public static final TableProperty MAX_MANIFESTS =
      TableProperty.of(
          PREFIX + "max-manifests",
          PropertyType.POSITIVE_INT,
          "20",
          "The manifests are rewritten when the current snapshot has more than this many"
              + " (every commit adds one; planning a query reads them all).");
  public static final TableProperty SNAPSHOT_RETENTION =
      TableProperty.of(
          PREFIX + "snapshot-retention",
          PropertyType.DURATION,
          "5d",
          "Snapshots older than this are expired (time travel and rollback reach back this far),"
              + " keeping min-snapshots, the last pipeline commit and what streaming readers"
              + " still need.");
  public static final TableProperty MIN_SNAPSHOTS =
      TableProperty.of(
          PREFIX + "min-snapshots",
          PropertyType.POSITIVE_INT,
          "10",
          "Expiry always keeps at least this many of the newest snapshots.");
  public static final TableProperty ORPHAN_SAFETY_WINDOW =
      TableProperty.of(
              PREFIX + "orphan-safety-window",
              PropertyType.DURATION,
              "3d",
              "Orphan-file removal deletes files no snapshot references only when they are"
                  + " older than this, so files of a commit still being written are never"
                  + " touched. At least 1h.")
          .checked(value -> atLeast((Duration) value, Duration.ofHours(1), "1h"));
  public static final TableProperty REMOVE_ORPHANS =
      TableProperty.of(
          PREFIX + "remove-orphan-files",
          PropertyType.BOOLEAN,
          "true",
          "Whether maintenance removes orphan files (left by failed writes) under the table's"
              + " location.");
  public static final TableProperty CLUSTER_BY =
      TableProperty.of(
          PREFIX + "cluster-by",
          PropertyType.COLUMNS,
          "",
          "Columns compaction z-orders the data files by, so filters on any of them skip"
              + " files; empty: the table's sort order (ALTER TABLE ... WRITE ORDERED BY) if"
              + " it has one, else bin-packing.");

  public static final TableProperty QUARANTINE_RETENTION =
      TableProperty.of(
              PREFIX + "quarantine-retention",
              PropertyType.DURATION,
              "30d",
              "On a quarantine table (one with a _quarantined_at column, such as"
                  + " silver.orders_quarantine), rows quarantined longer ago than this are deleted."
                  + " At least 1h.")
          .checked(value -> atLeast((Duration) value, Duration.ofHours(1), "1h"));

  private static final List<TableProperty> ALL =
      List.of(
          ENABLED,
          TARGET_FILE_SIZE,
          SMALL_FILE_SIZE,
          COMPACT_MIN_SMALL_FILES,
          MAX_DELETE_FILE_RATIO,
          MAX_MANIFESTS,
          SNAPSHOT_RETENTION,
          MIN_SNAPSHOTS,
          ORPHAN_SAFETY_WINDOW,
          REMOVE_ORPHANS,
          CLUSTER_BY,
          QUARANTINE_RETENTION);

  private MaintenanceProperties() {}

  public static List<TableProperty> all() {
    return ALL;
  }

  public static Optional<TableProperty> find(String key) {
    return ALL.stream().filter(property -> property.key().equals(key)).findFirst();
  }

  /**
   * Checks the maintenance properties a change sets: a key under {@link #PREFIX} must be declared
   * and its value of its type. Other keys pass (Iceberg's and Spark's own properties).
   *
   * @param table the table, for the message
   * @throws LagoaException naming the property, the bad value and what was expected
   */
  public static void validate(String table, Map<String, String> changed) {
    for (Map.Entry<String, String> entry : changed.entrySet()) {
      check(table, entry.getKey(), entry.getValue());
    }
  }

  /** Checks the properties a table has after a change that went from {@code before}. */
  public static void validateChange(
      String table, Map<String, String> before, Map<String, String> after) {
    Map<String, String> changed = new LinkedHashMap<>();
    after.forEach(
        (key, value) -> {
          if (key.startsWith(PREFIX) && !Objects.equals(before.get(key), value)) {
            changed.put(key, value);
          }
        });
    validate(table, changed);
    if (changed.containsKey(SMALL_FILE_SIZE.key()) || changed.containsKey(TARGET_FILE_SIZE.key())) {
      checkSizes(table, after, String.join(", ", new java.util.TreeSet<>(changed.keySet())));
    }
  }

  /**
   * A small file must be smaller than the size compaction writes: otherwise every file compaction
   * writes counts as small again and the next pass rewrites it, forever.
   */
  private static void checkSizes(String table, Map<String, String> properties, String changed) {
    long small = (Long) value(table, properties, SMALL_FILE_SIZE);
    long target = (Long) value(table, properties, TARGET_FILE_SIZE);
    if (small >= target) {
      throw new LagoaException(
          ErrorCode.INVALID_ARGUMENT,
          "Cannot set "
              + changed
              + " on "
              + table
              + ": "
              + SMALL_FILE_SIZE.key()
              + " ("
              + written(properties, SMALL_FILE_SIZE)
              + ") must be below "
              + TARGET_FILE_SIZE.key()
              + " ("
              + written(properties, TARGET_FILE_SIZE)
              + ")"
              + ": a small file must be smaller than the files compaction writes, or every pass"
              + " would rewrite them again (the defaults are "
              + SMALL_FILE_SIZE.defaultValue()
              + " for "
              + TARGET_FILE_SIZE.defaultValue()
              + ")");
    }
  }

  private static String written(Map<String, String> properties, TableProperty property) {
    return properties.getOrDefault(property.key(), property.defaultValue());
  }

  private static void check(String table, String key, String value) {
    if (!key.startsWith(PREFIX)) {
      return;
    }
    Optional<TableProperty> property = find(key);
    if (property.isEmpty()) {
      List<String> keys = ALL.stream().map(TableProperty::key).toList();
      throw new LagoaException(
          ErrorCode.INVALID_ARGUMENT,
          "Cannot set "
              + key
              + " on "
              + table
              + ": no such maintenance property"
              + EditDistance.closest(key, keys)
                  .map(closest -> " (did you mean " + closest + "?)")
                  .orElse("; the known ones are " + String.join(", ", keys)));
    }
    try {
      property.get().parse(value);
    } catch (IllegalArgumentException e) {
      throw new LagoaException(
          ErrorCode.INVALID_ARGUMENT,
          "Cannot set " + key + " on " + table + ": '" + value + "' is not " + e.getMessage());
    }
  }

  /** The property table of docs/maintenance.md. */
  public static String markdownTable() {
    StringBuilder table = new StringBuilder("| property | default | value | meaning |\n");
    table.append("|---|---|---|---|\n");
    for (TableProperty property : ALL) {
      table
          .append("| `")
          .append(property.key())
          .append("` | ")
          .append(
              property.defaultValue().isEmpty() ? "(none)" : "`" + property.defaultValue() + "`")
          .append(" | ")
          .append(property.type().expected())
          .append(" | ")
          .append(property.doc())
          .append(" |\n");
    }
    return table.toString();
  }

  /** The settings of a table, every property missing from its properties at its default. */
  public static MaintenanceSettings settings(String table, Map<String, String> properties) {
    return new MaintenanceSettings(
        (Boolean) value(table, properties, ENABLED),
        (Long) value(table, properties, TARGET_FILE_SIZE),
        (Long) value(table, properties, SMALL_FILE_SIZE),
        (Integer) value(table, properties, COMPACT_MIN_SMALL_FILES),
        (Double) value(table, properties, MAX_DELETE_FILE_RATIO),
        (Integer) value(table, properties, MAX_MANIFESTS),
        (Duration) value(table, properties, SNAPSHOT_RETENTION),
        (Integer) value(table, properties, MIN_SNAPSHOTS),
        (Duration) value(table, properties, ORPHAN_SAFETY_WINDOW),
        (Boolean) value(table, properties, REMOVE_ORPHANS),
        castColumns(value(table, properties, CLUSTER_BY)),
        (Duration) value(table, properties, QUARANTINE_RETENTION));
  }

  @SuppressWarnings("unchecked")
  private static List<String> castColumns(Object value) {
    return (List<String>) value;
  }

  private static Object value(String table, Map<String, String> properties, TableProperty key) {
    String text = properties.get(key.key());
    if (text == null) {
      return key.parse(key.defaultValue());
    }
    try {
      return key.parse(text);
    } catch (IllegalArgumentException e) {
      // set before these checks existed, or through a catalog that does not run them
      throw new LagoaException(
          ErrorCode.INVALID_ARGUMENT,
          "Cannot maintain "
              + table
              + ": its property "
              + key.key()
              + " is '"
              + text
              + "', which is not "
              + e.getMessage()
              + "; set it to a valid value");
    }
  }

  private static Optional<String> atLeast(long value, long minimum, String written) {
    return value < minimum ? Optional.of("at least " + written) : Optional.empty();
  }

  private static Optional<String> atLeast(Duration value, Duration minimum, String written) {
    return value.compareTo(minimum) < 0 ? Optional.of("at least " + written) : Optional.empty();
  }
}
