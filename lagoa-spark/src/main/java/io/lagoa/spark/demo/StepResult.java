package io.lagoa.spark.demo;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one demo step did.
 *
 * @param summary one line for a summary table
 * @param details sentences for people, one per line
 * @param metrics the numbers behind the details, by name (row counts, snapshot ids), for scripts
 * @param tables the tables the step wrote
 * @param samples rows to show
 * @param statements the SQL statements that did the step's work, in order
 * @param nanos how long the step took
 */
public record StepResult(
    DemoStep step,
    String summary,
    List<String> details,
    Map<String, Long> metrics,
    List<TableState> tables,
    List<Sample> samples,
    List<String> statements,
    long nanos) {

  public StepResult {
    details = List.copyOf(details);
    metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
    tables = List.copyOf(tables);
    samples = List.copyOf(samples);
    statements = List.copyOf(statements);
  }

  /** A metric the step always reports; fails loudly if the name is wrong. */
  public long metric(String name) {
    Long value = metrics.get(name);
    if (value == null) {
      throw new IllegalArgumentException(
          "Cannot find metric " + name + " in step " + step.label() + ": has " + metrics.keySet());
    }
    return value;
  }
}
