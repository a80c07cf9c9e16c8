package io.lagoa.spark.pipeline.source;

import io.lagoa.cdc.CdcException;
import io.lagoa.cdc.CdcRecord;
import io.lagoa.cdc.PostgresCdcConfig;
import io.lagoa.cdc.PostgresCdcEngine;
import io.lagoa.error.ErrorCode;
import io.lagoa.pipeline.FlowException;
import io.lagoa.pipeline.PipelineCommits;
import io.lagoa.pipeline.SourceArguments.PostgresCdc;
import io.lagoa.pipeline.SourceCall;
import io.lagoa.spark.cdc.DebeziumChanges;
import io.lagoa.text.SecretPatterns;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a PostgreSQL table's changes for {@code read_postgres_cdc(...)}: the Debezium embedded
 * engine (pgoutput) of {@link SourceReaders} runs across the batches of a run; each batch takes the
 * changes committed in PostgreSQL before it started (at most {@code max_records_per_batch}) and
 * decodes them into change rows with the decoder {@code read_kafka(format => 'debezium')} uses
 * ({@link DebeziumChanges}): one row shape for both sources. The table's columns are stored with
 * the position ({@link PipelineCommits#postgresSchemaKey}) and passed back to the decoder as the
 * known schema, so a column keeps its type and its place across batches.
 *
 * <p>Exactly once: the connector's position after the batch's last change is committed in the
 * target table's snapshot summary ({@link PipelineCommits#postgresPositionKey}) with the rows; the
 * replication slot is acknowledged only once that commit succeeded ({@link SourceBatch#committed}).
 * A new process starts the engine from the stored position, and Debezium skips what came before.
 */
public final class PostgresCdcSourceReader implements SourceReader {
  private static final Logger LOG = LoggerFactory.getLogger(PostgresCdcSourceReader.class);
  private static final Pattern ENV = Pattern.compile("\\$\\{\\s*env:([A-Za-z_][A-Za-z0-9_]*)\\s*}");

  /** The decoder's input: the record's JSON and the connector's position after it. */
  private static final StructType INPUT = StructType.fromDDL("value STRING, _position STRING");

  /** How long a batch waits for the changes committed before it started to come through. */
  static final Duration END_WAIT = Duration.ofSeconds(120);

  private final SparkSession spark;
  private final Catalog catalog;
  private final SourceCall call;
  private final String slot;
  private final String target;
  private final SourceReaders readers;

  PostgresCdcSourceReader(
      SparkSession spark, Catalog catalog, SourceCall call, String target, SourceReaders readers) {
    this.spark = spark;
    this.catalog = catalog;
    this.call = call;
    this.target = target;
    this.slot = PostgresCdc.slot(call, target);
    this.readers = readers;
  }

  @Override
  public SourceCall call() {
    return call;
  }

  @Override
  public String positionKey() {
    return PipelineCommits.postgresPositionKey(slot);
  }

  private String schemaKey() {
    return PipelineCommits.postgresSchemaKey(slot);
  }

  /** The slot this call reads through. */
  public String slot() {
    return slot;
  }

  @Override
  public SourceBatch read(
      Map<String, String> stored,
      Map<String, String> pending,
      String runId,
      boolean whole,
      boolean dryRun) {
    String from = stored.get(positionKey());
    if (dryRun && from == null) {
      // a dry run analyzes as if creating the table, but must not restart the stream from scratch
      from = storedInTarget();
    }
    PostgresCdcEngine engine;
    List<CdcRecord> records;
    try {
      engine = readers.postgresEngine(config(), from);
      long max = PostgresCdc.MAX_RECORDS_PER_BATCH.longValue(call);
      records = engine.poll((int) Math.min(Integer.MAX_VALUE, max), END_WAIT);
    } catch (CdcException e) {
      throw located(e);
    }
    String replay = pending.get(positionKey());
    if (replay != null) {
      // the interrupted batch, exactly: its quarantine is committed already
      for (int i = 0; i < records.size(); i++) {
        if (records.get(i).position().equals(replay)) {
          records = new ArrayList<>(records.subList(0, i + 1));
          break;
        }
      }
    }
    List<Row> values = new ArrayList<>();
    String last = null;
    for (CdcRecord record : records) {
      if (record.kind() == CdcRecord.Kind.CHANGE) {
        // a null value is a tombstone, which the decoder skips
        values.add(RowFactory.create(record.json(), record.position()));
        last = record.position(); // markers after the last change are not this batch's
      }
    }
    Optional<StructType> known =
        Optional.ofNullable(stored.get(schemaKey()))
            .map(json -> (StructType) DataType.fromJson(json));
    DebeziumChanges.Result decoded =
        DebeziumChanges.decode(
            spark,
            spark.createDataFrame(values, INPUT),
            Optional.empty(),
            known,
            true,
            call.displayName(),
            runId);
    Map<String, String> position = new LinkedHashMap<>();
    String end = last == null ? from : last;
    if (end != null) {
      position.put(positionKey(), end);
    }
    position.put(schemaKey(), decoded.imageSchema().json());
    String description =
        call.displayName() + " slot " + slot + " from " + (from == null ? "the start" : from);
    if (LOG.isDebugEnabled()) {
      LOG.debug(
          "{}: {} changes, {} tombstones skipped",
          description,
          values.size(),
          decoded.tombstones().getAsLong());
    }
    String acknowledge = last;
    Runnable committed =
        acknowledge == null || dryRun ? () -> {} : () -> engine.acknowledge(acknowledge);
    return new SourceBatch(
        decoded.rows(),
        decoded.rejected(),
        position,
        !values.isEmpty(),
        decoded.addsColumns(),
        description,
        decoded.release(),
        committed);
  }

  /** The position the target's last pipeline commit stored, or null. */
  private String storedInTarget() {
    TableIdentifier identifier = TableIdentifier.parse(target);
    if (catalog == null || !catalog.tableExists(identifier)) {
      return null;
    }
    Table table = catalog.loadTable(identifier);
    if (!(table instanceof HasTableOperations operations)) {
      return null;
    }
    return PipelineCommits.lastPipelineCommit(operations.operations().current())
        .map(snapshot -> snapshot.summary().get(positionKey()))
        .orElse(null);
  }

  private PostgresCdcConfig config() {
    Map<String, String> options;
    try {
      options = PostgresCdc.DEBEZIUM_OPTIONS.options(call);
    } catch (IllegalArgumentException e) {
      throw new FlowException(ErrorCode.INVALID_ARGUMENT, e.getMessage(), null);
    }
    return new PostgresCdcConfig(
        PostgresCdc.URL.text(call).orElseThrow(),
        PostgresCdc.USER.text(call).orElseThrow(),
        password(),
        PostgresCdc.TABLE.text(call).orElseThrow(),
        slot,
        PostgresCdc.publication(call, target),
        PostgresCdc.SNAPSHOT.word(call).equals("initial"),
        options);
  }

  /** The password as written, or {@code ${env:NAME}} read from the environment now. */
  private String password() {
    String written = PostgresCdc.PASSWORD.raw(call).orElse(null);
    if (written == null) {
      return null;
    }
    Matcher env = ENV.matcher(written.strip());
    if (!env.matches()) {
      return written;
    }
    String value = System.getenv(env.group(1));
    if (value == null) {
      throw new FlowException(
          ErrorCode.INVALID_ARGUMENT,
          call.positionOf("password")
              + ": environment variable "
              + env.group(1)
              + " is not set (password => '${env:"
              + env.group(1)
              + "}')",
          null);
    }
    return value;
  }

  private FlowException located(CdcException e) {
    ErrorCode code =
        switch (e.kind()) {
          case UNREACHABLE -> ErrorCode.IO_ERROR;
          case TABLE_MISSING -> ErrorCode.TABLE_NOT_FOUND;
          case FAILED -> ErrorCode.PIPELINE_FAILED;
          default -> ErrorCode.INVALID_ARGUMENT;
        };
    return new FlowException(
        code,
        call.positionOf(e.argument())
            + ": "
            + call.kind().function()
            + ": "
            + SecretPatterns.maskText(e.getMessage()),
        e);
  }
}
