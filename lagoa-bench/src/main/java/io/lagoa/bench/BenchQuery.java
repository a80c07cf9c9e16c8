package io.lagoa.bench;

import java.util.List;
import java.util.Map;

/**
 * One query of a suite. {@code ${name}} placeholders in the SQL (table names, the needle id) are
 * filled in from the run's variables.
 *
 * @param setup statements run before each execution and not timed (e.g. a temporary view)
 */
public record BenchQuery(String name, String description, List<String> setup, String sql) {
  public BenchQuery {
    setup = List.copyOf(setup);
  }

  public BenchQuery(String name, String description, String sql) {
    this(name, description, List.of(), sql);
  }

  /** This query with its placeholders filled in. */
  public BenchQuery bind(Map<String, String> variables) {
    return new BenchQuery(
        name,
        description,
        setup.stream().map(s -> fill(s, variables)).toList(),
        fill(sql, variables));
  }

  static String fill(String text, Map<String, String> variables) {
    String result = text;
    for (Map.Entry<String, String> variable : variables.entrySet()) {
      result = result.replace("${" + variable.getKey() + "}", variable.getValue());
    }
    return result;
  }
}
