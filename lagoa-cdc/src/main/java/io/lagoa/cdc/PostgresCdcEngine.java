package io.lagoa.cdc;

import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.engine.format.ChangeEventFormat;
import io.debezium.engine.spi.OffsetCommitPolicy;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.json.JsonConverterConfig;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Debezium embedded engine capturing one PostgreSQL table through pgoutput, feeding a
 * bounded queue that the caller drains batch by batch.
 *
 * <p>Exactly once: the engine starts from the position the caller stored with its data (its offset
 * store is seeded with it, never a file); nothing is marked processed until the caller {@link
 * #acknowledge acknowledges} a position after its own commit, and only then does Debezium store the
 * offset and flush the LSN to the replication slot. So the slot never runs ahead of the caller's
 * data: after a crash, PostgreSQL still holds everything after the stored position, and Debezium
 * skips what came before it. Records drained but not acknowledged (a batch whose commit failed) are
 * handed out again by the next {@link #poll}.
 *
 * <p>Where the stream ends: each poll writes a logical decoding message (a marker) and reads until
 * that marker arrives, so a batch holds every change committed before it started.
 */
public final class PostgresCdcEngine implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PostgresCdcEngine.class);
  private static final Duration SLOT_WAIT = Duration.ofSeconds(60);
  private static final int QUEUE_SIZE = 20_000;

  private final PostgresCdcConfig config;
  private final String startedFrom;
  private final BlockingQueue<RecordChangeEvent<SourceRecord>> queue =
      new ArrayBlockingQueue<>(QUEUE_SIZE);
  private final List<Drained> drained = new ArrayList<>();
  private final JsonConverter converter = new JsonConverter();
  private final ExecutorService executor;
  private final DebeziumEngine<RecordChangeEvent<SourceRecord>> engine;
  private final String markerPrefix;
  private volatile DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer;
  private volatile String failure;
  private volatile Throwable failureCause;
  private volatile boolean stopped;
  private volatile boolean closing;
  private String acknowledged;
  private Connection connection;
  private boolean markersWork = true;

  private record Drained(CdcRecord record, RecordChangeEvent<SourceRecord> event) {}

  private PostgresCdcEngine(PostgresCdcConfig config, String storedPosition) {
    this.config = config;
    this.startedFrom = storedPosition;
    this.acknowledged = storedPosition;
    this.markerPrefix = "lagoa." + config.slot();
    converter.configure(Map.of(JsonConverterConfig.SCHEMAS_ENABLE_CONFIG, "true"), false);
    this.engine =
        DebeziumEngine.create(ChangeEventFormat.of(io.debezium.embedded.Connect.class))
            .using(properties(config, storedPosition, markerPrefix))
            .using(OffsetCommitPolicy.always())
            .using(
                (success, message, error) -> {
                  if (!success && !closing) {
                    failure = message;
                    failureCause = error;
                    LOG.warn("postgres-cdc {}: the engine stopped: {}", config.slot(), message);
                  }
                  stopped = true;
                })
            .notifying(this::handleBatch)
            .build();
    this.executor =
        Executors.newSingleThreadExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "lagoa-cdc-" + config.slot());
              thread.setDaemon(true);
              return thread;
            });
  }

  /**
   * Checks the server (see {@link PostgresPreflight}), creates the publication when missing, and
   * starts capturing from {@code storedPosition} (null or blank: from the start, with the initial
   * snapshot when configured).
   *
   * @throws CdcException when a check fails
   */
  public static PostgresCdcEngine start(PostgresCdcConfig config, String storedPosition) {
    PostgresPreflight.check(config);
    if (storedPosition != null && !storedPosition.isBlank()) {
      CdcOffsets.storeEntries(config.slot(), storedPosition); // fails early when unreadable
    }
    PostgresCdcEngine engine = new PostgresCdcEngine(config, storedPosition);
    engine.executor.execute(engine.engine);
    LOG.info(
        "postgres-cdc {}: capturing {} from {}",
        config.slot(),
        config.qualifiedTable(),
        storedPosition == null || storedPosition.isBlank() ? "the start" : storedPosition);
    return engine;
  }

  public PostgresCdcConfig config() {
    return config;
  }

  /** The position this engine started from. */
  public String startedFrom() {
    return startedFrom;
  }

  /**
   * The position the caller last acknowledged, or the one it started from: where the caller's data
   * ends, as far as this engine knows.
   */
  public synchronized String acknowledged() {
    return acknowledged;
  }

  /** Whether the engine stopped (failed, or closed). */
  public boolean stopped() {
    return stopped;
  }

  /**
   * The records after the acknowledged position: first those handed out before and not
   * acknowledged, then new ones, until the end of the stream as of now (a marker written at the
   * start of the poll has come through) or {@code max} changes (transaction and marker records do
   * not count), or {@code timeout} without reaching the marker.
   *
   * @throws CdcException when the engine failed
   */
  public synchronized List<CdcRecord> poll(int max, Duration timeout) {
    List<CdcRecord> batch = new ArrayList<>();
    // markers and transaction records of batches without changes were never committed (nothing to
    // write); the position of the next committed change covers them
    while (!drained.isEmpty() && drained.get(0).record().kind() != CdcRecord.Kind.CHANGE) {
      drained.remove(0);
    }
    int changes = 0;
    for (Drained old : drained) {
      if (changes >= max) {
        return batch;
      }
      batch.add(old.record());
      changes += old.record().kind() == CdcRecord.Kind.CHANGE ? 1 : 0;
    }
    checkRunning();
    long deadline = System.nanoTime() + timeout.toNanos();
    String marker = writeMarker(deadline);
    long quietSince = System.nanoTime();
    while (changes < max) {
      checkRunning();
      RecordChangeEvent<SourceRecord> event;
      try {
        event = queue.poll(100, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CdcException(
            CdcException.Kind.FAILED, "table", "interrupted while reading changes", e);
      }
      long now = System.nanoTime();
      if (event == null) {
        if (now > deadline) {
          LOG.warn(
              "postgres-cdc {}: the end of the stream did not come through within {}; the batch"
                  + " holds what arrived",
              config.slot(),
              timeout);
          break;
        }
        if (marker == null && now - quietSince > TimeUnit.SECONDS.toNanos(2)) {
          break; // no marker possible: two quiet seconds end the batch
        }
        continue;
      }
      quietSince = now;
      CdcRecord record = convert(event.record());
      drained.add(new Drained(record, event));
      batch.add(record);
      changes += record.kind() == CdcRecord.Kind.CHANGE ? 1 : 0;
      if (record.kind() == CdcRecord.Kind.MARKER
          && marker != null
          && record.json() != null
          && record.json().contains(marker)) {
        break;
      }
    }
    return batch;
  }

  /**
   * Called after the caller committed the records up to {@code position} with that position: marks
   * them processed, so Debezium stores the offset and flushes the LSN to the replication slot.
   */
  public synchronized void acknowledge(String position) {
    int last = -1;
    for (int i = 0; i < drained.size(); i++) {
      if (drained.get(i).record().position().equals(position)) {
        last = i;
      }
    }
    if (last < 0) {
      LOG.debug("postgres-cdc {}: nothing to acknowledge at {}", config.slot(), position);
      acknowledged = position;
      return;
    }
    DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> current = committer;
    if (current != null && !stopped) {
      try {
        current.markProcessed(drained.get(last).event());
        current.markBatchFinished();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (RuntimeException e) {
        // the data is committed; the slot is acknowledged with a later batch, or after a restart
        LOG.warn(
            "postgres-cdc {}: cannot acknowledge {}: {}", config.slot(), position, e.toString());
      }
    }
    drained.subList(0, last + 1).clear();
    acknowledged = position;
  }

  private void handleBatch(
      List<RecordChangeEvent<SourceRecord>> records,
      DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer)
      throws InterruptedException {
    this.committer = committer;
    for (RecordChangeEvent<SourceRecord> record : records) {
      while (!queue.offer(record, 200, TimeUnit.MILLISECONDS)) {
        if (closing) {
          return; // never marked processed: read again after a restart
        }
      }
    }
  }

  private CdcRecord convert(SourceRecord record) {
    String topic = record.topic();
    String json =
        record.value() == null
            ? null
            : new String(
                converter.fromConnectData(topic, record.valueSchema(), record.value()),
                StandardCharsets.UTF_8);
    CdcRecord.Kind kind;
    if (topic.endsWith(".transaction")) {
      kind = CdcRecord.Kind.TRANSACTION;
    } else if (record.value() instanceof Struct value
        && value.schema().field("message") != null
        && value.schema().field("after") == null) {
      kind = CdcRecord.Kind.MARKER;
    } else {
      kind = CdcRecord.Kind.CHANGE;
    }
    return new CdcRecord(kind, topic, json, CdcOffsets.position(record));
  }

  /**
   * Writes a logical decoding message once the slot exists and returns its content (as base64, the
   * way the marker's JSON holds it); null when the user may not write one.
   */
  private String writeMarker(long deadline) {
    if (!markersWork) {
      return null;
    }
    String nonce = UUID.randomUUID().toString();
    try {
      Connection jdbc = connection();
      awaitSlot(jdbc, deadline);
      try (PreparedStatement statement =
          jdbc.prepareStatement("SELECT pg_logical_emit_message(false, ?, ?)")) {
        statement.setString(1, markerPrefix);
        statement.setString(2, nonce);
        statement.execute();
      }
      return java.util.Base64.getEncoder().encodeToString(nonce.getBytes(StandardCharsets.UTF_8));
    } catch (SQLException e) {
      closeConnection();
      if ("42501".equals(e.getSQLState())) {
        markersWork = false;
        LOG.info(
            "postgres-cdc {}: {} may not write logical decoding messages; a batch ends after two"
                + " quiet seconds",
            config.slot(),
            config.user());
        return null;
      }
      LOG.warn("postgres-cdc {}: cannot write the end marker: {}", config.slot(), e.getMessage());
      return null;
    }
  }

  private void awaitSlot(Connection jdbc, long deadline) throws SQLException {
    try (PreparedStatement statement =
        jdbc.prepareStatement("SELECT 1 FROM pg_replication_slots WHERE slot_name = ?")) {
      statement.setString(1, config.slot());
      while (true) {
        try (ResultSet result = statement.executeQuery()) {
          if (result.next()) {
            return;
          }
        }
        checkRunning();
        if (System.nanoTime() > Math.min(deadline, System.nanoTime() + SLOT_WAIT.toNanos())) {
          throw new CdcException(
              CdcException.Kind.FAILED,
              "slot",
              "the connector did not create replication slot " + config.slot() + " in time",
              null);
        }
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new CdcException(
              CdcException.Kind.FAILED, "slot", "interrupted while waiting for the slot", e);
        }
      }
    }
  }

  private Connection connection() throws SQLException {
    if (connection == null || connection.isClosed()) {
      connection = PostgresPreflight.connect(config);
      connection.setAutoCommit(true);
    }
    return connection;
  }

  private void closeConnection() {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException e) {
        LOG.debug("cannot close the marker connection", e);
      }
      connection = null;
    }
  }

  private void checkRunning() {
    if (failure != null) {
      throw failed();
    }
    if (stopped) {
      throw new CdcException(
          CdcException.Kind.FAILED,
          "url",
          "the change stream of " + config.slot() + " stopped",
          null);
    }
  }

  private CdcException failed() {
    String message = failure;
    String lower = message.toLowerCase(java.util.Locale.ROOT);
    if (lower.contains("replication slot") && lower.contains("is active")) {
      return new CdcException(
          CdcException.Kind.FAILED,
          "slot",
          "replication slot "
              + config.slot()
              + " is in use by another process (another run of this pipeline?): "
              + message,
          failureCause);
    }
    return new CdcException(
        CdcException.Kind.FAILED,
        "url",
        "capturing " + config.qualifiedTable() + " failed: " + rootMessage(message, failureCause),
        failureCause);
  }

  private static String rootMessage(String message, Throwable cause) {
    Throwable root = cause;
    while (root != null && root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root == null || root.getMessage() == null ? message : message + ": " + root.getMessage();
  }

  @Override
  public void close() {
    closing = true;
    try {
      engine.close();
    } catch (Exception e) {
      LOG.debug("postgres-cdc {}: cannot close the engine", config.slot(), e);
    }
    executor.shutdown();
    try {
      if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      executor.shutdownNow();
    }
    synchronized (this) {
      closeConnection();
    }
    queue.clear();
  }

  static Properties properties(PostgresCdcConfig config, String storedPosition, String marker) {
    URI uri = PostgresPreflight.uri(config.url());
    String[] table = PostgresPreflight.splitTable(config.qualifiedTable());
    Properties properties = new Properties();
    properties.setProperty("name", config.slot());
    properties.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
    properties.setProperty("offset.storage", SeededOffsetBackingStore.class.getName());
    properties.setProperty("offset.flush.interval.ms", "0");
    if (storedPosition != null && !storedPosition.isBlank()) {
      properties.setProperty(SeededOffsetBackingStore.SEED, storedPosition);
    }
    properties.setProperty("database.hostname", uri.getHost());
    properties.setProperty(
        "database.port", Integer.toString(uri.getPort() < 0 ? 5432 : uri.getPort()));
    properties.setProperty("database.dbname", PostgresPreflight.database(config.url()));
    properties.setProperty("database.user", config.user());
    properties.setProperty("database.password", config.password() == null ? "" : config.password());
    properties.setProperty("topic.prefix", config.slot());
    properties.setProperty("plugin.name", "pgoutput");
    properties.setProperty("slot.name", config.slot());
    properties.setProperty("publication.name", config.publication());
    properties.setProperty("publication.autocreate.mode", "disabled");
    properties.setProperty(
        "table.include.list", Pattern.quote(table[0]) + "\\." + Pattern.quote(table[1]));
    properties.setProperty("snapshot.mode", config.initialSnapshot() ? "initial" : "no_data");
    properties.setProperty("skipped.operations", "none");
    properties.setProperty("tombstones.on.delete", "false");
    properties.setProperty("provide.transaction.metadata", "true");
    properties.setProperty("decimal.handling.mode", "precise");
    properties.setProperty("time.precision.mode", "adaptive_time_microseconds");
    properties.setProperty("message.prefix.include.list", Pattern.quote(marker));
    properties.setProperty("poll.interval.ms", "100");
    properties.setProperty("errors.max.retries", "3");
    config.options().forEach(properties::setProperty);
    return properties;
  }
}
