package io.lagoa.spark.pipeline;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import io.lagoa.pipeline.Dataset;
import io.lagoa.pipeline.Expectation;
import io.lagoa.pipeline.ExpectationPolicy;
import io.lagoa.pipeline.ExpectationResult;
import io.lagoa.pipeline.FlowException;
import io.lagoa.spark.SparkSql;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.storage.StorageLevel;

/**
 * A flow's expectations checked in one pass: each rule becomes a flag column on a cached copy of
 * the query's result, one aggregation counts the failures of every rule, and the rows are split
 * into those written, dropped and quarantined. Close it to drop the cached copy.
 */
final class ExpectationCheck implements AutoCloseable {
  private static final String FLAG = "__lagoa_rule_";

  private final Dataset dataset;
  private final List<Expectation> rules;
  private final List<Column> columns;
  private final org.apache.spark.sql.Dataset<Row> flagged;
  private final Column quarantined;
  private final Column dropped;

  private ExpectationCheck(
      Dataset dataset, List<Column> columns, org.apache.spark.sql.Dataset<Row> flagged) {
    this.dataset = dataset;
    this.rules = dataset.statement().expectations();
    this.columns = columns;
    this.quarantined = anyFailed(rules, ExpectationPolicy.QUARANTINE);
    this.dropped = anyFailed(rules, ExpectationPolicy.DROP).and(not(quarantined));
    this.flagged = flagged.persist(StorageLevel.MEMORY_AND_DISK());
  }

  /**
   * What the expectations found: the rows counted, and per rule how many failed it.
   *
   * @param failures one line per FAIL expectation that failed, with its place in the file
   */
  record Counts(
      long total,
      long dropped,
      long quarantined,
      List<ExpectationResult> expectations,
      List<String> failures) {
    long passed() {
      return total - dropped - quarantined;
    }
  }

  /**
   * Analyzes each rule against the query's result, without running it: a rule naming a column the
   * result lacks fails at the rule's place. What {@code --dry-run} checks.
   */
  static void analyze(Dataset dataset, org.apache.spark.sql.Dataset<Row> result) {
    for (Expectation rule : dataset.statement().expectations()) {
      try {
        result.select(expr(rule.condition()).cast("boolean")).schema();
      } catch (Exception e) {
        throw new FlowException(
            rule.conditionPosition()
                + ": in expectation "
                + rule.name()
                + ": "
                + SparkSql.translate(rule.condition(), e).getMessage(),
            e);
      }
    }
  }

  /** Flags each row of {@code result} with whether it passed each rule, and caches it. */
  static ExpectationCheck flag(Dataset dataset, org.apache.spark.sql.Dataset<Row> result) {
    List<Column> columns = new ArrayList<>();
    for (String name : result.columns()) {
      columns.add(col("`" + name.replace("`", "``") + "`"));
    }
    List<Expectation> rules = dataset.statement().expectations();
    org.apache.spark.sql.Dataset<Row> flagged = result;
    for (int i = 0; i < rules.size(); i++) {
      Expectation rule = rules.get(i);
      try {
        Column passed = coalesce(expr(rule.condition()).cast("boolean"), lit(false));
        flagged = flagged.withColumn(FLAG + i, passed);
        flagged.schema(); // resolve now, to report a bad column at the rule's place
      } catch (Exception e) {
        throw new FlowException(
            rule.conditionPosition()
                + ": in expectation "
                + rule.name()
                + ": "
                + SparkSql.translate(rule.condition(), e).getMessage(),
            e);
      }
    }
    return new ExpectationCheck(dataset, columns, flagged);
  }

  /** Counts the rows and each rule's failures, in one job over the cached result. */
  Counts count() {
    List<Column> aggregates = new ArrayList<>();
    aggregates.add(functions.count(lit(1)));
    aggregates.add(sum(when(dropped, 1).otherwise(0)));
    aggregates.add(sum(when(quarantined, 1).otherwise(0)));
    for (int i = 0; i < rules.size(); i++) {
      aggregates.add(sum(when(col(FLAG + i), 0).otherwise(1)));
    }
    Row counts =
        flagged
            .agg(aggregates.get(0), aggregates.subList(1, aggregates.size()).toArray(new Column[0]))
            .first();
    long total = counts.getLong(0);
    long droppedRows = total == 0 ? 0 : counts.getLong(1);
    long quarantinedRows = total == 0 ? 0 : counts.getLong(2);
    List<ExpectationResult> expectations = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    for (int i = 0; i < rules.size(); i++) {
      Expectation rule = rules.get(i);
      long failed = total == 0 ? 0 : counts.getLong(3 + i);
      expectations.add(
          new ExpectationResult(rule.name(), rule.condition(), rule.policy(), total, failed));
      if (rule.policy() == ExpectationPolicy.FAIL && failed > 0) {
        failures.add(
            rule.position()
                + ": expectation "
                + rule.name()
                + " ("
                + rule.condition().strip()
                + ") failed for "
                + failed
                + " of "
                + total
                + " rows");
      }
    }
    return new Counts(total, droppedRows, quarantinedRows, expectations, failures);
  }

  /** Throws the failure of the FAIL expectations that failed, if any did. */
  void failOn(Counts counts) {
    if (!counts.failures().isEmpty()) {
      throw new FlowException(
          String.join("\n", counts.failures())
              + "\n"
              + dataset.name()
              + " was not written (ON VIOLATION FAIL UPDATE)",
          null,
          counts.expectations());
    }
  }

  /** The rows to write: neither dropped nor quarantined, in the query's columns. */
  org.apache.spark.sql.Dataset<Row> passed() {
    return flagged.where(not(quarantined).and(not(dropped))).select(columns.toArray(new Column[0]));
  }

  /**
   * The rows to quarantine, in the query's columns and {@code _rule}, {@code _reason}, {@code
   * _run_id} and {@code _quarantined_at}.
   */
  org.apache.spark.sql.Dataset<Row> quarantined(String runId) {
    List<Column> names = new ArrayList<>();
    List<Column> reasons = new ArrayList<>();
    for (int i = 0; i < rules.size(); i++) {
      Expectation rule = rules.get(i);
      if (rule.policy() == ExpectationPolicy.QUARANTINE) {
        names.add(when(not(col(FLAG + i)), lit(rule.name())));
        reasons.add(
            when(not(col(FLAG + i)), lit("failed EXPECT (" + rule.condition().strip() + ")")));
      }
    }
    List<Column> all = new ArrayList<>(columns);
    all.add(concat_ws(", ", names.toArray(new Column[0])).as("_rule"));
    all.add(concat_ws("; ", reasons.toArray(new Column[0])).as("_reason"));
    all.add(lit(runId).as("_run_id"));
    all.add(current_timestamp().as("_quarantined_at"));
    return flagged.where(quarantined).select(all.toArray(new Column[0]));
  }

  @Override
  public void close() {
    flagged.unpersist();
  }

  private static Column anyFailed(List<Expectation> rules, ExpectationPolicy policy) {
    Column any = lit(false);
    for (int i = 0; i < rules.size(); i++) {
      if (rules.get(i).policy() == policy) {
        any = any.or(not(col(FLAG + i)));
      }
    }
    return any;
  }

  /** Whether the result has a column of this name, whatever its case. */
  static boolean hasColumn(org.apache.spark.sql.Dataset<Row> result, String name) {
    return Arrays.stream(result.columns()).anyMatch(name::equalsIgnoreCase);
  }
}
