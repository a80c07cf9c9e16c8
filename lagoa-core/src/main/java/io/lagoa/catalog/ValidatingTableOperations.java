package io.lagoa.catalog;

import io.lagoa.error.LagoaException;
import io.lagoa.maintenance.MaintenanceProperties;
import io.lagoa.pipeline.ConcurrentRunException;
import io.lagoa.pipeline.PipelineCommits;
import java.util.Map;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.TableOperations;
import org.apache.iceberg.encryption.EncryptionManager;
import org.apache.iceberg.exceptions.ValidationException;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.LocationProvider;

/**
 * A catalog's table operations that check, at the moment of the atomic catalog commit, that a
 * pipeline batch still starts from the table's last pipeline commit (see {@link
 * PipelineCommits#EXPECTED_BASE_PREFIX}). The check runs on the very metadata the catalog swaps
 * from: when another writer got in between, the catalog's compare-and-swap fails, Iceberg retries
 * on the refreshed metadata, and this check sees the other commit. Commits without the key (every
 * commit but a pipeline batch's) pass through unchanged.
 */
final class ValidatingTableOperations implements TableOperations {
  private final TableOperations delegate;
  private final String table;

  ValidatingTableOperations(TableOperations delegate, String table) {
    this.delegate = delegate;
    this.table = table;
  }

  @Override
  public void commit(TableMetadata base, TableMetadata metadata) {
    validateProperties(table, base, metadata);
    validate(table, base, metadata);
    delegate.commit(base, metadata);
  }

  /**
   * Refuses a change that sets a maintenance property ({@code lagoa.maintenance.*}) to a value of
   * the wrong type, or one that does not exist, whoever makes it: {@code ALTER TABLE ... SET
   * TBLPROPERTIES} in any engine on this catalog gets the same message as {@code lagoa table set}.
   * A {@link ValidationException}: Iceberg does not retry it, and a REST server answers 400.
   */
  static void validateProperties(String table, TableMetadata base, TableMetadata metadata) {
    if (metadata == null) {
      return;
    }
    try {
      MaintenanceProperties.validateChange(
          table, base == null ? Map.of() : base.properties(), metadata.properties());
    } catch (LagoaException e) {
      throw new ValidationException("%s", e.getMessage());
    }
  }

  /** Throws {@link ConcurrentRunException} when the new snapshot's batch started elsewhere. */
  static void validate(String table, TableMetadata base, TableMetadata metadata) {
    if (base == null || metadata == null) {
      return; // a create: the catalog itself refuses a second create of one name
    }
    Snapshot added = metadata.currentSnapshot();
    if (added == null
        || added.summary() == null
        || base.snapshot(added.snapshotId()) != null
        || added.sequenceNumber() <= base.lastSequenceNumber()) {
      return; // no new snapshot (a schema change, a rollback, a restore)
    }
    Map<String, String> summary = added.summary();
    String expected = summary.get(PipelineCommits.expectedBaseKey(table));
    if (expected == null) {
      return;
    }
    String actual = PipelineCommits.lastPipelineCommitId(base);
    if (!expected.equals(actual)) {
      throw new ConcurrentRunException(table, expected, actual);
    }
  }

  @Override
  public TableMetadata current() {
    return delegate.current();
  }

  @Override
  public TableMetadata refresh() {
    return delegate.refresh();
  }

  @Override
  public FileIO io() {
    return delegate.io();
  }

  @Override
  public EncryptionManager encryption() {
    return delegate.encryption();
  }

  @Override
  public String metadataFileLocation(String fileName) {
    return delegate.metadataFileLocation(fileName);
  }

  @Override
  public LocationProvider locationProvider() {
    return delegate.locationProvider();
  }

  @Override
  public TableOperations temp(TableMetadata uncommittedMetadata) {
    return delegate.temp(uncommittedMetadata);
  }

  @Override
  public long newSnapshotId() {
    return delegate.newSnapshotId();
  }

  @Override
  public boolean requireStrictCleanup() {
    return delegate.requireStrictCleanup();
  }
}
