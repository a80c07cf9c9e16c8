package io.lagoa.spark;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The physical plan of a statement as Spark would run it (its {@code EXPLAIN FORMATTED} text), and
 * which of its operators run natively in the accelerator.
 *
 * @param plan Spark's formatted plan
 * @param nativeOperators operators the accelerator runs (Comet's, e.g. CometIcebergNativeScan, and
 *     DuckDbQuery, a part run in DuckDB), in plan order without repeats
 * @param sparkOperators operators plain Spark runs, in plan order without repeats
 * @param transitions operators that convert between Spark's rows and the accelerator's columns
 */
public record PlanExplanation(
    String plan,
    List<String> nativeOperators,
    List<String> sparkOperators,
    List<String> transitions) {
  /** A node heading of EXPLAIN FORMATTED's details: {@code (3) CometHashAggregate}. */
  private static final Pattern NODE = Pattern.compile("(?m)^\\(\\d+\\) (\\w+)");

  public PlanExplanation {
    nativeOperators = List.copyOf(nativeOperators);
    sparkOperators = List.copyOf(sparkOperators);
    transitions = List.copyOf(transitions);
  }

  /** Sorts the operators of a formatted plan into native, Spark and transitions. */
  public static PlanExplanation of(String plan) {
    Set<String> nativeOperators = new LinkedHashSet<>();
    Set<String> sparkOperators = new LinkedHashSet<>();
    Set<String> transitions = new LinkedHashSet<>();
    Matcher matcher = NODE.matcher(plan);
    while (matcher.find()) {
      String name = matcher.group(1);
      if (name.equals("AdaptiveSparkPlan")) {
        continue; // the wrapper that re-plans stages as they finish, no work of its own
      }
      if (name.contains("ColumnarToRow") || name.contains("RowToColumnar")) {
        transitions.add(name);
      } else if (name.startsWith("Comet") || name.equals("DuckDbQuery")) {
        nativeOperators.add(name);
      } else {
        sparkOperators.add(name);
      }
    }
    return new PlanExplanation(
        plan,
        new ArrayList<>(nativeOperators),
        new ArrayList<>(sparkOperators),
        new ArrayList<>(transitions));
  }
}
