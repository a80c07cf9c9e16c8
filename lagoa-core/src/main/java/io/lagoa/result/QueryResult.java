package io.lagoa.result;

import java.util.List;

/**
 * Rows a statement returned, as plain Java values: String, Long, Integer, Double, BigDecimal,
 * Boolean, Instant (timestamp), LocalDateTime (timestamp_ntz), LocalDate, byte[], List (array), Map
 * (map, and struct with its field names in order), or null.
 *
 * @param truncated more rows existed than were fetched
 */
public record QueryResult(List<ResultColumn> columns, List<List<Object>> rows, boolean truncated) {

  public static QueryResult empty() {
    return new QueryResult(List.of(), List.of(), false);
  }

  /** Statements such as INSERT or CREATE return no columns at all. */
  public boolean hasColumns() {
    return !columns.isEmpty();
  }
}
