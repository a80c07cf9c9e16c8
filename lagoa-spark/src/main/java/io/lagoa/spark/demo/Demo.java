package io.lagoa.spark.demo;

import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import io.lagoa.result.QueryResult;
import io.lagoa.spark.SparkSql;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.spark.sql.types.StructType;

/**
 * The tour {@code lagoa demo} gives: generates a small sales dataset and takes it through bronze,
 * silver and gold, then shows a MERGE, time travel to before it, a schema change and the change
 * feed between the two snapshots. Everything runs as Spark SQL on the Lagoa catalog; each step is
 * reported to a {@link DemoListener} with what it did, row counts, snapshot ids and its duration.
 *
 * <p>The demo only ever writes tables it owns (see {@link DemoTables}); on a re-run it drops and
 * recreates them, so every run starts from the same state.
 */
public final class Demo {
  private static final int SAMPLE_ROWS = 20;

  private final SparkSql sql;
  private final Catalog catalog;
  private final DemoOptions options;
  private final DemoTables tables;
  private final DemoSql statements;

  /**
   * @param sql the session the steps run in
   * @param catalog the same catalog through the Iceberg API, for table properties and snapshots.
   *     Not Spark's own catalog object: Spark builds that from whichever session is active on the
   *     thread, which in a JVM with several sessions need not be this one.
   */
  public Demo(SparkSql sql, Catalog catalog, DemoOptions options) {
    this.sql = sql;
    this.catalog = catalog;
    this.options = options;
    this.tables = new DemoTables(options.namespacePrefix());
    this.statements = new DemoSql(tables, options.rows());
  }

  public DemoTables tables() {
    return tables;
  }

  /** Runs every step in order; stops at the first that fails, after telling the listener. */
  public DemoReport run(DemoListener listener) {
    return new Run(listener).execute();
  }

  /** One execution: the state steps hand each other (snapshot ids) lives here. */
  private final class Run {
    private final DemoListener listener;
    private final List<StepResult> results = new ArrayList<>();
    private long beforeMerge;
    private long afterMerge;

    /** Two ids the MERGE updated, found by time travel, shown again in the change feed. */
    private final List<Long> changedIds = new ArrayList<>();

    Run(DemoListener listener) {
      this.listener = listener;
    }

    DemoReport execute() {
      long started = System.nanoTime();
      step(DemoStep.PREPARE, this::prepare);
      step(DemoStep.BRONZE, this::bronze);
      step(DemoStep.SILVER, this::silver);
      step(DemoStep.GOLD, this::gold);
      step(DemoStep.MERGE, this::merge);
      step(DemoStep.TIME_TRAVEL, this::timeTravel);
      step(DemoStep.SCHEMA_CHANGE, this::schemaChange);
      step(DemoStep.CHANGE_FEED, this::changeFeed);
      return new DemoReport(
          options,
          tables,
          results,
          beforeMerge,
          afterMerge,
          changedIds,
          System.nanoTime() - started);
    }

    private void step(DemoStep step, Consumer<Recorder> body) {
      listener.started(step, step.ordinal() + 1, DemoStep.values().length);
      long started = System.nanoTime();
      Recorder recorder = new Recorder();
      try {
        body.accept(recorder);
      } catch (RuntimeException e) {
        RuntimeException reported = failure(step, e);
        listener.failed(step, reported);
        throw reported;
      }
      StepResult result = recorder.build(step, System.nanoTime() - started);
      results.add(result);
      listener.finished(result);
    }

    private RuntimeException failure(DemoStep step, RuntimeException e) {
      if (e instanceof LagoaException lagoa && lagoa.code() == ErrorCode.TABLE_CONFLICT) {
        return e; // already says what to do
      }
      ErrorCode code = e instanceof LagoaException lagoa ? lagoa.code() : ErrorCode.INTERNAL_ERROR;
      return new LagoaException(
          code,
          "cannot finish the demo: step '"
              + step.label()
              + "' failed: "
              + e.getMessage()
              + "\nThe steps before it are committed; run the demo again to start over.",
          e);
    }

    private void prepare(Recorder r) {
      List<String> previous = tables.checkOwnership(catalog);
      Set<String> existing = new HashSet<>();
      for (List<Object> row : sql.execute("SHOW NAMESPACES", Integer.MAX_VALUE).rows()) {
        existing.add((String) row.get(0));
      }
      List<String> created = new ArrayList<>();
      for (String namespace : tables.namespaces()) {
        if (!existing.contains(namespace)) {
          r.run(statements.createNamespace(namespace));
          created.add(namespace);
        }
      }
      // Gold first: nothing depends on it.
      List<String> reversed = new ArrayList<>(previous);
      Collections.reverse(reversed);
      for (String table : reversed) {
        r.run(statements.dropTable(table));
      }
      r.detail(
          created.isEmpty()
              ? "namespaces " + String.join(", ", tables.namespaces()) + " already exist"
              : "created namespaces " + String.join(", ", created));
      r.detail(
          previous.isEmpty()
              ? "no demo tables from an earlier run"
              : "dropped the demo's own tables from an earlier run: "
                  + String.join(", ", previous));
      r.summary(
          previous.isEmpty()
              ? "namespaces ready"
              : "namespaces ready; dropped " + previous.size() + " demo tables of an earlier run");
      r.metric("namespaces_created", created.size());
      r.metric("tables_replaced", previous.size());
    }

    private void bronze(Recorder r) {
      r.run(statements.createBronze());
      TableState state = r.table(tables.bronze());
      r.detail(
          "wrote "
              + count(state.rows())
              + " sales to "
              + tables.bronze()
              + ", every column a string, in one commit (snapshot "
              + state.snapshotId()
              + ")");
      r.detail(
          "with the problems real exports have: duplicate rows, missing ids, 'N/A' and 'dois',"
              + " 2025-02-30, 12,50 and 31/12/2025");
      r.summary(tables.bronze() + ": " + count(state.rows()) + " rows as text");
      r.metric("rows", state.rows());
      r.metric("snapshot", state.snapshotId());
      r.sample("one row of each kind", statements.bronzeSample());
    }

    private void silver(Recorder r) {
      r.run(statements.typedView());
      List<Object> quality = sql.execute(statements.bronzeQuality(), 1).rows().get(0);
      long read = number(quality.get(0));
      long missingId = number(quality.get(1));
      long badValor = number(quality.get(2));
      long badQuantidade = number(quality.get(3));
      long badData = number(quality.get(4));
      long repaired = number(quality.get(5));
      long valid = number(quality.get(6));
      r.run(statements.createSilver());
      r.run(statements.insertSilver());
      TableState state = r.table(tables.silver());
      long rejected = read - valid;
      long duplicates = valid - state.rows();
      Snapshot snapshot = load(tables.silver()).currentSnapshot();
      long partitions = summaryNumber(snapshot.summary(), "changed-partition-count", -1);
      r.detail("read " + count(read) + " rows from " + tables.bronze());
      r.detail(
          "rejected "
              + count(rejected)
              + " rows: "
              + count(missingId)
              + " without id, "
              + count(badValor)
              + " with a valor that is no number, "
              + count(badQuantidade)
              + " with a quantidade that is no number, "
              + count(badData)
              + " with no valid date");
      r.detail(
          "repaired "
              + count(repaired)
              + " rows with a decimal comma, a dd/MM/yyyy date or an"
              + " untidy product name");
      r.detail("removed " + count(duplicates) + " duplicates (same id)");
      r.detail(
          "wrote "
              + count(state.rows())
              + " typed rows to "
              + tables.silver()
              + " (valor DECIMAL(10,2), quantidade INT, data DATE), partitioned by months(data)"
              + (partitions > 0 ? " into " + partitions + " partitions" : "")
              + " (snapshot "
              + state.snapshotId()
              + ")");
      r.summary(
          tables.silver()
              + ": "
              + count(state.rows())
              + " typed rows; "
              + count(rejected)
              + " rejected, "
              + count(duplicates)
              + " duplicates removed");
      r.metric("rows_read", read);
      r.metric("rejected_missing_id", missingId);
      r.metric("rejected_valor", badValor);
      r.metric("rejected_quantidade", badQuantidade);
      r.metric("rejected_data", badData);
      r.metric("repaired", repaired);
      r.metric("duplicates", duplicates);
      r.metric("rows", state.rows());
      r.metric("partitions", partitions);
      r.metric("snapshot", state.snapshotId());
      r.sample(
          "the same ids in silver: bad rows gone, formats repaired, one copy of 99",
          statements.silverSample());
    }

    private void gold(Recorder r) {
      r.run(statements.createGoldByProduct());
      r.run(statements.createGoldByMonth());
      TableState byProduct = r.table(tables.goldByProduct());
      TableState byMonth = r.table(tables.goldByMonth());
      long silverSnapshot = load(tables.silver()).currentSnapshot().snapshotId();
      r.detail(
          "wrote "
              + byProduct.rows()
              + " rows to "
              + tables.goldByProduct()
              + " and "
              + byMonth.rows()
              + " rows to "
              + tables.goldByMonth()
              + ", from "
              + tables.silver()
              + " at snapshot "
              + silverSnapshot);
      r.summary(
          tables.goldByProduct()
              + ": "
              + byProduct.rows()
              + " rows, "
              + tables.goldByMonth()
              + ": "
              + byMonth.rows()
              + " rows");
      r.metric("rows_by_product", byProduct.rows());
      r.metric("rows_by_month", byMonth.rows());
      r.metric("silver_snapshot", silverSnapshot);
      r.sample("best-selling products", statements.goldByProductSample());
      r.sample("first months", statements.goldByMonthSample());
    }

    private void merge(Recorder r) {
      Table silver = load(tables.silver());
      beforeMerge = silver.currentSnapshot().snapshotId();
      long rowsBefore = summaryNumber(silver.currentSnapshot().summary(), "total-records", -1);
      r.run(statements.batchView());
      r.run(statements.merge());
      silver.refresh();
      Snapshot snapshot = silver.currentSnapshot();
      afterMerge = snapshot.snapshotId();
      Map<String, String> summary = snapshot.summary();
      long updated = summaryNumber(summary, "spark.merge-into.num-target-rows-updated", -1);
      long inserted = summaryNumber(summary, "spark.merge-into.num-target-rows-inserted", -1);
      long copied = summaryNumber(summary, "spark.merge-into.num-target-rows-copied", -1);
      long filesRewritten = summaryNumber(summary, "deleted-data-files", 0);
      long filesWritten = summaryNumber(summary, "added-data-files", 0);
      long rowsAfter = summaryNumber(summary, "total-records", -1);
      r.detail(
          "merged a batch of late corrections for December (one more item each) and "
              + count(statements.newRows())
              + " new December sales into "
              + tables.silver());
      if (updated >= 0 && inserted >= 0) {
        r.detail(
            "updated "
                + count(updated)
                + " rows and inserted "
                + count(inserted)
                + " in one commit: snapshot "
                + beforeMerge
                + " -> "
                + afterMerge);
      } else {
        r.detail(
            "committed snapshot "
                + afterMerge
                + " after "
                + beforeMerge
                + " (Spark reported no row counts for this MERGE)");
      }
      r.detail(
          "the ON condition names December, so copy-on-write read and replaced only that"
              + " month's files: "
              + filesRewritten
              + " data "
              + plural(filesRewritten, "file")
              + " replaced by "
              + filesWritten
              + (copied >= 0 ? ", copying " + count(copied) + " unchanged rows" : "")
              + "; the old files stay for time travel");
      r.summary(
          updated >= 0 && inserted >= 0
              ? tables.silver()
                  + ": "
                  + count(updated)
                  + " updated, "
                  + count(inserted)
                  + " inserted"
              : tables.silver() + ": snapshot " + afterMerge);
      r.metric("files_replaced", filesRewritten);
      r.metric("files_written", filesWritten);
      r.metric("updated", updated);
      r.metric("inserted", inserted);
      r.metric("rows_before", rowsBefore);
      r.metric("rows", rowsAfter);
      r.metric("snapshot_before", beforeMerge);
      r.metric("snapshot", afterMerge);
      r.table(new TableState(tables.silver(), rowsAfter, afterMerge));
    }

    private void timeTravel(Recorder r) {
      String countsQuery = statements.timeTravelCounts(beforeMerge);
      List<Object> counts = r.query(countsQuery).rows().get(0);
      long rowsBefore = number(counts.get(0));
      long rowsNow = number(counts.get(1));
      long changed = number(counts.get(2));
      r.detail(
          tables.silver()
              + " VERSION AS OF "
              + beforeMerge
              + " has "
              + count(rowsBefore)
              + " rows; the current version has "
              + count(rowsNow));
      r.detail(count(changed) + " rows have a different valor or quantidade in the two versions");
      r.summary(
          "snapshot "
              + beforeMerge
              + ": "
              + count(rowsBefore)
              + " rows, "
              + count(changed)
              + " changed since");
      r.metric("rows_before", rowsBefore);
      r.metric("rows_now", rowsNow);
      r.metric("rows_changed", changed);
      r.metric("snapshot", beforeMerge);
      Sample sample =
          r.sample("before and after the MERGE", statements.timeTravelSample(beforeMerge));
      for (List<Object> row : sample.result().rows()) {
        if (changedIds.size() < 2) {
          changedIds.add(number(row.get(0)));
        }
      }
    }

    private void schemaChange(Recorder r) {
      Table silver = load(tables.silver());
      // Schemas as Spark sees them; reading a schema analyses a query but runs no job.
      StructType before = sql.session().table(tables.silver()).schema();
      int schemaBefore = silver.schema().schemaId();
      long snapshotBefore = silver.currentSnapshot().snapshotId();
      r.run(statements.addColumn());
      r.run(statements.widenColumn());
      silver.refresh();
      StructType after = sql.session().table(tables.silver()).schema();
      long snapshotAfter = silver.currentSnapshot().snapshotId();
      StructType oldColumns = sql.session().sql(statements.selectAllAsOf(beforeMerge)).schema();
      r.detail("added column desconto DECIMAL(10,2); existing rows read it as NULL");
      r.detail("widened quantidade from INT to BIGINT");
      r.detail(
          snapshotAfter == snapshotBefore
              ? "both are metadata changes: no data file was rewritten, and the current snapshot"
                  + " is still "
                  + snapshotAfter
              : "the current snapshot changed from " + snapshotBefore + " to " + snapshotAfter);
      r.detail("columns now: " + describe(after));
      r.detail("time travel to " + beforeMerge + " still reads " + describe(oldColumns));
      r.summary(
          tables.silver()
              + ": + desconto, quantidade now BIGINT"
              + (snapshotAfter == snapshotBefore ? "; no data rewritten" : ""));
      r.metric("schema_id_before", schemaBefore);
      r.metric("schema_id", silver.schema().schemaId());
      r.metric("columns_before", before.fields().length);
      r.metric("columns", after.fields().length);
      r.metric("snapshot_before", snapshotBefore);
      r.metric("snapshot", snapshotAfter);
      r.sample("the new column on existing rows", statements.schemaSample());
    }

    private void changeFeed(Recorder r) {
      r.run(statements.changelogView(beforeMerge, afterMerge));
      QueryResult counts = r.query(statements.changeCounts());
      Map<String, Long> byType = new LinkedHashMap<>();
      for (String type : List.of("INSERT", "DELETE", "UPDATE_BEFORE", "UPDATE_AFTER")) {
        byType.put(type, 0L);
      }
      for (List<Object> row : counts.rows()) {
        byType.put((String) row.get(0), number(row.get(1)));
      }
      r.detail(
          "the changelog from snapshot "
              + beforeMerge
              + " to "
              + afterMerge
              + " (view "
              + DemoSql.CHANGES_VIEW
              + "): "
              + count(byType.get("UPDATE_AFTER"))
              + " updates as UPDATE_BEFORE/UPDATE_AFTER pairs, "
              + count(byType.get("INSERT"))
              + " inserts, "
              + count(byType.get("DELETE"))
              + " deletes");
      r.detail(
          "unchanged rows that copy-on-write rewrote are not listed: the procedure drops such"
              + " carry-overs");
      r.summary(
          count(byType.get("UPDATE_AFTER"))
              + " updates (before/after), "
              + count(byType.get("INSERT"))
              + " inserts, "
              + count(byType.get("DELETE"))
              + " deletes");
      r.metric("insert", byType.get("INSERT"));
      r.metric("delete", byType.get("DELETE"));
      r.metric("update_before", byType.get("UPDATE_BEFORE"));
      r.metric("update_after", byType.get("UPDATE_AFTER"));
      r.metric("snapshot_from", beforeMerge);
      r.metric("snapshot_to", afterMerge);
      r.sample(new Sample("changes by type", statements.changeCounts(), counts));
      r.sample("two updated and two inserted sales", statements.changeSample(changedIds));
    }

    private Table load(String name) {
      Table table = catalog.loadTable(DemoTables.identifier(name));
      table.refresh();
      return table;
    }

    /** Collects what a step did. */
    private final class Recorder {
      private final List<String> details = new ArrayList<>();
      private final Map<String, Long> metrics = new LinkedHashMap<>();
      private final List<TableState> tables = new ArrayList<>();
      private final List<Sample> samples = new ArrayList<>();
      private final List<String> statements = new ArrayList<>();
      private String summary = "";

      void summary(String text) {
        summary = text;
      }

      void run(String statement) {
        statements.add(statement);
        sql.run(statement);
      }

      QueryResult query(String statement) {
        statements.add(statement);
        return sql.execute(statement, SAMPLE_ROWS);
      }

      Sample sample(String title, String query) {
        return sample(new Sample(title, query, sql.execute(query, SAMPLE_ROWS)));
      }

      Sample sample(Sample sample) {
        samples.add(sample);
        return sample;
      }

      void detail(String text) {
        details.add(text);
      }

      void metric(String name, long value) {
        metrics.put(name, value);
      }

      /** Records a table's current state as one this step wrote. */
      TableState table(String name) {
        Snapshot snapshot = load(name).currentSnapshot();
        long rows = summaryNumber(snapshot.summary(), "total-records", -1);
        return table(new TableState(name, rows, snapshot.snapshotId()));
      }

      TableState table(TableState state) {
        tables.add(state);
        return state;
      }

      StepResult build(DemoStep step, long nanos) {
        return new StepResult(step, summary, details, metrics, tables, samples, statements, nanos);
      }
    }
  }

  private static String describe(StructType struct) {
    return Arrays.stream(struct.fields())
        .map(field -> field.name() + " " + field.dataType().sql())
        .collect(Collectors.joining(", "));
  }

  private static long summaryNumber(Map<String, String> summary, String key, long absent) {
    String value = summary.get(key);
    return value == null ? absent : Long.parseLong(value);
  }

  private static long number(Object value) {
    return ((Number) value).longValue();
  }

  private static String plural(long count, String word) {
    return count == 1 ? word : word + "s";
  }

  /** 200,000 */
  static String count(long value) {
    return String.format(Locale.ROOT, "%,d", value);
  }
}
