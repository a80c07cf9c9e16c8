package io.lagoa.cli.output;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.lagoa.result.QueryResult;
import io.lagoa.result.ResultColumn;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Prints a {@link QueryResult} as an aligned table, CSV (RFC 4180 quoting, but lines end with
 * {@code \n} like every other line Lagoa prints) or a JSON array of objects.
 */
public final class ResultPrinter {
  /** Cells longer than this are cut in table output; CSV and JSON are never cut. */
  static final int MAX_CELL_WIDTH = 80;

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);

  private final ZoneId zone;

  public ResultPrinter(ZoneId zone) {
    this.zone = zone;
  }

  public void print(QueryResult result, OutputFormat format, PrintWriter out) {
    switch (format) {
      case TABLE -> printTable(result, out);
      case CSV -> printCsv(result, out);
      case JSON -> printJson(result, out);
    }
    out.flush();
  }

  /** Convenience for commands that build their own rows. */
  public void print(
      List<String> columns, List<List<Object>> rows, OutputFormat format, PrintWriter out) {
    List<ResultColumn> resultColumns = new ArrayList<>();
    for (String column : columns) {
      resultColumns.add(new ResultColumn(column, "string"));
    }
    print(new QueryResult(resultColumns, rows, false), format, out);
  }

  private void printTable(QueryResult result, PrintWriter out) {
    List<ResultColumn> columns = result.columns();
    int count = columns.size();
    int[] widths = new int[count];
    boolean[] numeric = new boolean[count];
    List<String[]> cells = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      widths[i] = columns.get(i).name().length();
      numeric[i] = true;
    }
    for (List<Object> row : result.rows()) {
      String[] texts = new String[count];
      for (int i = 0; i < count; i++) {
        Object value = row.get(i);
        String text = cut(Values.toText(value, zone).replace('\n', ' '));
        texts[i] = text;
        widths[i] = Math.max(widths[i], text.length());
        if (value != null && !(value instanceof Number)) {
          numeric[i] = false;
        }
      }
      cells.add(texts);
    }
    StringBuilder separator = new StringBuilder();
    StringBuilder header = new StringBuilder();
    for (int i = 0; i < count; i++) {
      separator.append(i == 0 ? "" : "-+-").append("-".repeat(widths[i]));
      header.append(i == 0 ? "" : " | ").append(pad(columns.get(i).name(), widths[i], false));
    }
    out.println(header.toString().stripTrailing());
    out.println(separator);
    for (String[] row : cells) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < count; i++) {
        line.append(i == 0 ? "" : " | ").append(pad(row[i], widths[i], numeric[i]));
      }
      out.println(line.toString().stripTrailing());
    }
    int rows = result.rows().size();
    out.println(
        "("
            + rows
            + (rows == 1 ? " row" : " rows")
            + (result.truncated() ? ", more not shown: raise --max-rows" : "")
            + ")");
  }

  private void printCsv(QueryResult result, PrintWriter out) {
    List<String> header = result.columns().stream().map(ResultColumn::name).toList();
    out.print(csvLine(header));
    for (List<Object> row : result.rows()) {
      List<String> values = new ArrayList<>();
      for (Object value : row) {
        values.add(csvValue(value));
      }
      out.print(csvLine(values));
    }
  }

  private String csvValue(Object value) {
    if (value == null) {
      return "";
    }
    if (value instanceof List<?> || value instanceof Map<?, ?>) {
      return json(value);
    }
    return Values.toText(value, zone);
  }

  static String csvLine(List<String> values) {
    StringBuilder line = new StringBuilder();
    for (int i = 0; i < values.size(); i++) {
      String value = values.get(i);
      if (i > 0) {
        line.append(',');
      }
      if (value.contains(",")
          || value.contains("\"")
          || value.contains("\n")
          || value.contains("\r")) {
        line.append('"').append(value.replace("\"", "\"\"")).append('"');
      } else {
        line.append(value);
      }
    }
    return line.append('\n').toString();
  }

  private void printJson(QueryResult result, PrintWriter out) {
    List<Map<String, Object>> objects = new ArrayList<>();
    for (List<Object> row : result.rows()) {
      Map<String, Object> object = new LinkedHashMap<>();
      for (int i = 0; i < result.columns().size(); i++) {
        object.put(result.columns().get(i).name(), jsonValue(row.get(i)));
      }
      objects.add(object);
    }
    try {
      JSON.writerWithDefaultPrettyPrinter().writeValue(out, objects);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    out.println();
  }

  private Object jsonValue(Object value) {
    if (value instanceof BigDecimal || value instanceof Number || value instanceof Boolean) {
      return value;
    }
    if (value instanceof List<?> list) {
      return list.stream().map(this::jsonValue).toList();
    }
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> object = new LinkedHashMap<>();
      map.forEach((key, item) -> object.put(String.valueOf(jsonValue(key)), jsonValue(item)));
      return object;
    }
    return value; // Instant, LocalDate etc. are written as ISO-8601 by the time module
  }

  private String json(Object value) {
    try {
      return JSON.writeValueAsString(jsonValue(value));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String cut(String text) {
    return text.length() <= MAX_CELL_WIDTH ? text : text.substring(0, MAX_CELL_WIDTH - 1) + "…";
  }

  private static String pad(String text, int width, boolean right) {
    String padding = " ".repeat(Math.max(0, width - text.length()));
    return right ? padding + text : text + padding;
  }
}
