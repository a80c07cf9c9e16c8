package io.lagoa.audit;

import io.lagoa.catalog.CatalogDatabase;
import io.lagoa.catalog.LagoaCatalogs;
import io.lagoa.config.LagoaConfig;
import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.SQLException;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.OverwriteFiles;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.data.GenericFileWriterFactory;
import org.apache.iceberg.data.InternalRecordWrapper;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.ValidationException;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.io.OutputFileFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves audit events from the outbox in the catalog database into the Iceberg table {@code
 * lagoa_system.audit}, exactly once, however many publishers run (one per catalog server).
 *
 * <p>A round reads the last published id from the table's snapshot summary ({@link
 * AuditTable#LAST_ID}), writes the outbox rows after it as Parquet, and commits them with the new
 * last id, refusing the commit when any other data reached the table since the snapshot it read
 * (Iceberg's conflict validation). A publisher that loses that race deletes its files, reads the
 * table again and starts over from the winner's last id. Rows are deleted from the outbox only
 * after their commit; a publisher that dies in between leaves rows that the next round finds at or
 * below the table's last id and deletes without publishing them again.
 */
public final class AuditPublisher implements AutoCloseable {
  /** How often {@link #start()} publishes. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);

  static final int DEFAULT_BATCH = 10_000;
  private static final int ATTEMPTS = 20;
  private static final Logger LOG = LoggerFactory.getLogger(AuditPublisher.class);

  private final AuditOutbox outbox;
  private final Catalog catalog;
  private final boolean ownsCatalog;
  private final int batchSize;
  private ScheduledExecutorService scheduler;

  /**
   * @param catalog where {@code lagoa_system.audit} is (or is created); not closed by {@link
   *     #close()}
   */
  public AuditPublisher(CatalogDatabase database, Catalog catalog, int batchSize) {
    this(database, catalog, false, batchSize);
  }

  private AuditPublisher(
      CatalogDatabase database, Catalog catalog, boolean ownsCatalog, int batchSize) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("Cannot publish batches of " + batchSize + " events");
    }
    this.outbox = new AuditOutbox(database);
    this.catalog = catalog;
    this.ownsCatalog = ownsCatalog;
    this.batchSize = batchSize;
  }

  /** A publisher for a configuration's catalog, which it opens and closes. */
  public static AuditPublisher open(LagoaConfig config) {
    CatalogDatabase database = CatalogDatabase.require(config, "The audit log");
    return new AuditPublisher(database, LagoaCatalogs.open(config), true, DEFAULT_BATCH);
  }

  /** Starts publishing every {@link #DEFAULT_INTERVAL} on a daemon thread. */
  public void start() {
    start(DEFAULT_INTERVAL);
  }

  /** Starts publishing every {@code interval} on a daemon thread, until {@link #close()}. */
  public synchronized void start(Duration interval) {
    if (scheduler != null) {
      throw new IllegalStateException("Cannot start the audit publisher twice");
    }
    scheduler =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "lagoa-audit-publisher");
              thread.setDaemon(true);
              return thread;
            });
    scheduler.scheduleWithFixedDelay(
        this::publishQuietly, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void publishQuietly() {
    try {
      publish();
    } catch (RuntimeException e) {
      LOG.warn(
          "Cannot publish audit events to {} (they stay in the outbox, next try in a moment): {}",
          AuditTable.IDENTIFIER,
          LagoaException.rootMessage(e));
    }
  }

  /**
   * Publishes every event in the outbox now.
   *
   * @return how many events this call committed to the table (others may have been committed by
   *     another publisher meanwhile)
   */
  public synchronized long publish() {
    long published = 0;
    while (true) {
      Round round = publishRound();
      published += round.published();
      if (!round.more()) {
        return published;
      }
    }
  }

  private record Round(long published, boolean more) {}

  /** Publishes up to one batch: what it committed, and whether more may be waiting. */
  private Round publishRound() {
    for (int attempt = 1; ; attempt++) {
      Table table = AuditTable.loadOrCreate(catalog);
      Snapshot base = table.currentSnapshot();
      long last = AuditTable.lastPublishedId(table);
      List<AuditEntry> entries;
      try {
        outbox.deleteThrough(last);
        entries = outbox.after(last, batchSize);
      } catch (SQLException e) {
        throw outbox.database().unavailable("the audit outbox " + AuditOutbox.TABLE, e);
      }
      if (entries.isEmpty()) {
        return new Round(0, false);
      }
      long newLast = entries.get(entries.size() - 1).id();
      List<DataFile> files = write(table, entries);
      OverwriteFiles commit =
          table
              .newOverwrite()
              .conflictDetectionFilter(Expressions.alwaysTrue())
              .validateNoConflictingData()
              .set(AuditTable.LAST_ID, Long.toString(newLast));
      if (base != null) {
        commit.validateFromSnapshot(base.snapshotId());
      }
      files.forEach(commit::addFile);
      try {
        commit.commit();
      } catch (ValidationException | CommitFailedException e) {
        // Another publisher committed first: its rows may be ours. Read its last id and go again.
        files.forEach(file -> table.io().deleteFile(file.location()));
        if (attempt >= ATTEMPTS) {
          throw new LagoaException(
              ErrorCode.TABLE_CONFLICT,
              "cannot publish audit events to "
                  + AuditTable.IDENTIFIER
                  + ": "
                  + ATTEMPTS
                  + " commits in a row lost to other writers",
              e);
        }
        continue;
      }
      try {
        outbox.deleteThrough(newLast);
      } catch (SQLException e) {
        // Published; the next round deletes them (they are at or below the table's last id).
        LOG.debug("Cannot delete published audit events from the outbox yet", e);
      }
      return new Round(entries.size(), entries.size() == batchSize);
    }
  }

  /** Writes the events as Parquet, one file per day. */
  private static List<DataFile> write(Table table, List<AuditEntry> entries) {
    Map<LocalDate, List<Record>> byDay = new LinkedHashMap<>();
    for (AuditEntry entry : entries) {
      LocalDate day = LocalDate.ofInstant(entry.event().time(), ZoneOffset.UTC);
      byDay.computeIfAbsent(day, key -> new ArrayList<>()).add(AuditTable.toRecord(entry));
    }
    OutputFileFactory files =
        OutputFileFactory.builderFor(table, 1, System.nanoTime())
            .format(FileFormat.PARQUET)
            .build();
    GenericFileWriterFactory writers =
        new GenericFileWriterFactory.Builder(table).dataFileFormat(FileFormat.PARQUET).build();
    InternalRecordWrapper wrapper = new InternalRecordWrapper(table.schema().asStruct());
    List<DataFile> written = new ArrayList<>();
    for (List<Record> records : byDay.values()) {
      PartitionKey partition = new PartitionKey(table.spec(), table.schema());
      partition.partition(wrapper.wrap(records.get(0)));
      DataWriter<Record> writer =
          writers.newDataWriter(
              files.newOutputFile(table.spec(), partition), table.spec(), partition);
      try (writer) {
        for (Record record : records) {
          writer.write(record);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      written.add(writer.toDataFile());
    }
    return written;
  }

  /** Stops the schedule, publishes what is left, and closes the catalog if it opened it. */
  @Override
  public void close() {
    ScheduledExecutorService running;
    synchronized (this) {
      running = scheduler;
      scheduler = null;
    }
    if (running != null) {
      running.shutdown();
      try {
        running.awaitTermination(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    try {
      publishQuietly();
    } finally {
      if (ownsCatalog && catalog instanceof Closeable closeable) {
        try {
          closeable.close();
        } catch (IOException e) {
          LOG.debug("Cannot close the catalog", e);
        }
      }
    }
  }
}
