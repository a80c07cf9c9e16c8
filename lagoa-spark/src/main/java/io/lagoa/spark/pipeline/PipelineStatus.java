package io.lagoa.spark.pipeline;

import io.lagoa.pipeline.Dataset;
import io.lagoa.pipeline.DatasetKind;
import io.lagoa.pipeline.FlowException;
import io.lagoa.pipeline.Input;
import io.lagoa.pipeline.PipelineCommits;
import io.lagoa.pipeline.SourceCall;
import io.lagoa.spark.pipeline.source.FilesSourceReader;
import io.lagoa.spark.pipeline.source.KafkaSourceReader;
import io.lagoa.spark.pipeline.source.SourceReaders;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Where each streaming table of a pipeline stands against its sources: how far behind it is, when
 * it last committed, and how fast it has been going (from the run history).
 */
public final class PipelineStatus {
  /** How far back the run history is read for rows per second. */
  public static final Duration RATE_WINDOW = Duration.ofMinutes(5);

  /**
   * One source of one streaming table.
   *
   * @param lag records (Kafka) or rows (a table) not read yet; empty when it cannot be known
   * @param rowsPerSecond rows the table's flow read per second over {@link #RATE_WINDOW}
   * @param note what is wrong, e.g. the broker cannot be reached
   */
  public record SourceStatus(
      String table,
      String source,
      String position,
      Optional<Long> lag,
      Optional<Instant> lastCommit,
      Optional<Double> rowsPerSecond,
      Optional<String> note) {}

  private PipelineStatus() {}

  /**
   * Where each streaming table of the pipeline stands against its sources, read with the
   * warehouse's source readers.
   */
  public static List<SourceStatus> of(
      SparkSession spark, CompiledPipeline pipeline, Clock clock, SourceReaders sources) {
    Catalog catalog = PipelineRunner.icebergCatalog(spark);
    List<SourceStatus> statuses = new ArrayList<>();
    for (Dataset dataset : pipeline.graph().datasets()) {
      if (dataset.kind() != DatasetKind.STREAMING_TABLE) {
        continue;
      }
      Snapshot last = currentSnapshot(catalog, dataset.name());
      Map<String, String> summary =
          last == null
              ? Map.of()
              : FlowExecutor.pipelineSummary(
                  catalog.loadTable(FlowExecutor.identifier(dataset.name())));
      Optional<Instant> lastCommit =
          last == null
              ? Optional.empty()
              : Optional.of(Instant.ofEpochMilli(last.timestampMillis()));
      Optional<Double> rate = rate(spark, dataset.name(), clock);
      for (SourceCall call : dataset.statement().sources()) {
        if (!call.streaming()) {
          continue;
        }
        statuses.add(
            switch (call.kind()) {
              case FILES ->
                  files(
                      sources, spark, catalog, pipeline, dataset, call, summary, lastCommit, rate);
              case KAFKA -> kafka(sources, spark, dataset, call, summary, lastCommit, rate);
              case POSTGRES_CDC -> postgres(dataset, call, summary, lastCommit, rate);
            });
      }
      for (Input input : dataset.inputs()) {
        if (!input.streaming() || input.kind() == Input.Kind.SOURCE) {
          continue;
        }
        String stored = summary.get(PipelineCommits.streamStateKey(input.name()));
        Snapshot current = currentSnapshot(catalog, input.name());
        Optional<Long> lag = Optional.empty();
        Optional<String> note = Optional.empty();
        if (current != null) {
          lag = Optional.of(rowsAfter(catalog, input.name(), stored, current));
        } else {
          note = Optional.of(input.name() + " has no data yet");
        }
        statuses.add(
            new SourceStatus(
                dataset.name(),
                input.name(),
                stored == null ? "(not started)" : "snapshot " + stored,
                lag,
                lastCommit,
                rate,
                note));
      }
    }
    return statuses;
  }

  private static SourceStatus files(
      SourceReaders sources,
      SparkSession spark,
      Catalog catalog,
      CompiledPipeline pipeline,
      Dataset dataset,
      SourceCall call,
      Map<String, String> summary,
      Optional<Instant> lastCommit,
      Optional<Double> rate) {
    try {
      FilesSourceReader reader =
          sources.files(spark, catalog, call, pipeline.source().spec().folder(), dataset.name());
      FilesSourceReader.Progress progress = reader.progress(summary);
      return new SourceStatus(
          dataset.name(),
          call.displayName(),
          progress.ingested() == 0 ? "(not started)" : progress.ingested() + " files",
          Optional.of(progress.waiting()),
          lastCommit,
          rate,
          Optional.empty());
    } catch (FlowException e) {
      return new SourceStatus(
          dataset.name(),
          call.displayName(),
          "?",
          Optional.empty(),
          lastCommit,
          rate,
          Optional.of(e.getMessage()));
    }
  }

  private static SourceStatus kafka(
      SourceReaders sources,
      SparkSession spark,
      Dataset dataset,
      SourceCall call,
      Map<String, String> summary,
      Optional<Instant> lastCommit,
      Optional<Double> rate) {
    KafkaSourceReader reader = sources.kafka(spark, call);
    String stored = summary.get(reader.positionKey());
    try {
      Map<Integer, Long> latest = reader.offsets(OffsetSpec.latest());
      Map<Integer, Long> from =
          stored == null ? reader.offsets(OffsetSpec.earliest()) : reader.storedOffsets(stored);
      long lag = 0;
      for (Map.Entry<Integer, Long> partition : latest.entrySet()) {
        lag += Math.max(0, partition.getValue() - from.getOrDefault(partition.getKey(), 0L));
      }
      return new SourceStatus(
          dataset.name(),
          call.displayName(),
          stored == null ? "(not started)" : stored,
          Optional.of(lag),
          lastCommit,
          rate,
          Optional.empty());
    } catch (FlowException e) {
      return new SourceStatus(
          dataset.name(),
          call.displayName(),
          stored == null ? "(not started)" : stored,
          Optional.empty(),
          lastCommit,
          rate,
          Optional.of(e.getMessage()));
    }
  }

  /** A PostgreSQL change stream: its stored position; the lag is not measured. */
  private static SourceStatus postgres(
      Dataset dataset,
      SourceCall call,
      Map<String, String> summary,
      Optional<Instant> lastCommit,
      Optional<Double> rate) {
    String slot = io.lagoa.pipeline.SourceArguments.PostgresCdc.slot(call, dataset.name());
    String stored = summary.get(PipelineCommits.postgresPositionKey(slot));
    return new SourceStatus(
        dataset.name(),
        call.displayName(),
        stored == null ? "(not started)" : stored,
        Optional.empty(),
        lastCommit,
        rate,
        Optional.of("slot " + slot));
  }

  /** Rows appended to a table after a snapshot (all of them when it is null). */
  private static long rowsAfter(Catalog catalog, String name, String stored, Snapshot current) {
    Table table = catalog.loadTable(FlowExecutor.identifier(name));
    long rows = 0;
    Snapshot snapshot = current;
    while (snapshot != null
        && (stored == null || snapshot.snapshotId() != Long.parseLong(stored))) {
      if ("append".equals(snapshot.operation()) && snapshot.summary() != null) {
        rows += Long.parseLong(snapshot.summary().getOrDefault("added-records", "0"));
      }
      snapshot = snapshot.parentId() == null ? null : table.snapshot(snapshot.parentId());
    }
    return rows;
  }

  private static Optional<Double> rate(SparkSession spark, String flow, Clock clock) {
    try {
      Instant since = clock.instant().minus(RATE_WINDOW);
      List<Row> rows =
          spark
              .sql(
                  "SELECT sum(rows_read), min(started_at), max(ended_at) FROM"
                      + " lagoa."
                      + RunHistory.FLOW_RUNS
                      + " WHERE flow = "
                      + FlowExecutor.literal(flow)
                      + " AND status = 'succeeded' AND started_at >= TIMESTAMP '"
                      + java.sql.Timestamp.from(since)
                      + "'")
              .collectAsList();
      Row row = rows.get(0);
      if (row.isNullAt(0)) {
        return Optional.empty();
      }
      double seconds =
          Duration.between(row.getTimestamp(1).toInstant(), row.getTimestamp(2).toInstant())
                  .toMillis()
              / 1000.0;
      return seconds <= 0 ? Optional.empty() : Optional.of(row.getLong(0) / seconds);
    } catch (RuntimeException e) {
      return Optional.empty(); // no run history yet
    }
  }

  private static Snapshot currentSnapshot(Catalog catalog, String name) {
    try {
      Table table = catalog.loadTable(FlowExecutor.identifier(name));
      table.refresh();
      return table.currentSnapshot();
    } catch (NoSuchTableException e) {
      return null;
    }
  }
}
