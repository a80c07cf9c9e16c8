package io.lagoa.spark.pipeline;

import io.lagoa.pipeline.Dataset;
import io.lagoa.pipeline.DatasetKind;
import java.util.List;
import java.util.Optional;

/**
 * How a flow writes its table in one run. Decided when the flow starts, from whether the table
 * exists, its kind, {@code KEYS} and a full refresh; each mode has one {@link TableWriter}.
 *
 * <p>{@link #incremental()} modes keep the table and add the rows new since the last run, so they
 * read their sources from the stored positions and skip a batch another run has already
 * quarantined; the others write the whole query's result. A later mode (SCD2) is one more record
 * here and one more writer.
 */
sealed interface WriteMode
    permits WriteMode.Create,
        WriteMode.Replace,
        WriteMode.Append,
        WriteMode.Merge,
        WriteMode.ApplyChanges,
        WriteMode.LoadVault,
        WriteMode.ResolveIdentities {

  /** The word runs and history show: create, replace, full refresh, append or merge. */
  String label();

  /** Whether the table is kept and only the new rows are written. */
  boolean incremental();

  /**
   * The mode of a dataset's flow.
   *
   * @param exists whether the table exists in the catalog now
   * @param fullRefresh whether the run recomputes streaming tables from all their source data
   */
  static WriteMode of(Dataset dataset, boolean exists, boolean fullRefresh) {
    if (dataset.identityGraph().isPresent()) {
      return new ResolveIdentities(
          dataset.identityGraph().get(),
          !exists
              ? ApplyChanges.Phase.CREATE
              : fullRefresh ? ApplyChanges.Phase.FULL_REFRESH : ApplyChanges.Phase.UPDATE);
    }
    if (dataset.vault().isPresent()) {
      return new LoadVault(
          dataset.vault().get(),
          !exists
              ? ApplyChanges.Phase.CREATE
              : fullRefresh ? ApplyChanges.Phase.FULL_REFRESH : ApplyChanges.Phase.UPDATE);
    }
    if (dataset.autoCdc().isPresent()) {
      return new ApplyChanges(
          dataset.autoCdc().get(),
          !exists
              ? ApplyChanges.Phase.CREATE
              : fullRefresh ? ApplyChanges.Phase.FULL_REFRESH : ApplyChanges.Phase.UPDATE);
    }
    if (!exists) {
      return new Create();
    }
    if (dataset.kind() == DatasetKind.MATERIALIZED_VIEW) {
      return new Replace(false);
    }
    if (fullRefresh) {
      return new Replace(true);
    }
    return dataset.merges()
        ? new Merge(dataset.statement().keys(), dataset.statement().sequenceBy())
        : new Append();
  }

  /**
   * The table does not exist yet: created from the query's result with {@code CREATE TABLE}, never
   * {@code CREATE OR REPLACE}, so a table another run created meanwhile is a conflict that plans
   * the flow again rather than a silent replace.
   */
  record Create() implements WriteMode {
    @Override
    public String label() {
      return "create";
    }

    @Override
    public boolean incremental() {
      return false;
    }
  }

  /**
   * The table's contents, schema, partitioning, comment and properties are replaced by the query's
   * result in one commit: every run of a materialized view, and a streaming table's full refresh.
   */
  record Replace(boolean fullRefresh) implements WriteMode {
    @Override
    public String label() {
      return fullRefresh ? "full refresh" : "replace";
    }

    @Override
    public boolean incremental() {
      return false;
    }
  }

  /** A streaming table without KEYS: the new rows are appended. */
  record Append() implements WriteMode {
    @Override
    public String label() {
      return "append";
    }

    @Override
    public boolean incremental() {
      return true;
    }
  }

  /**
   * A streaming table with KEYS: the new rows are upserted on the keys; with a sequence column an
   * existing row is replaced only by one with an equal or later value.
   */
  record Merge(List<String> keys, Optional<String> sequenceBy) implements WriteMode {
    public Merge {
      keys = List.copyOf(keys);
      if (keys.isEmpty()) {
        throw new IllegalArgumentException("Cannot merge: no KEYS");
      }
    }

    @Override
    public String label() {
      return "merge";
    }

    @Override
    public boolean incremental() {
      return true;
    }
  }

  /**
   * A streaming table written by an AUTO CDC flow: the batch's changes are applied in sequence
   * order, as SCD type 1 or 2 (see {@link CdcWriter}). Creating the table and a full refresh apply
   * all the source's changes to an empty table.
   */
  record ApplyChanges(io.lagoa.pipeline.AutoCdc cdc, Phase phase) implements WriteMode {
    enum Phase {
      CREATE,
      UPDATE,
      FULL_REFRESH
    }

    @Override
    public String label() {
      return switch (phase) {
        case CREATE -> "create";
        case UPDATE -> "apply changes";
        case FULL_REFRESH -> "full refresh";
      };
    }

    @Override
    public boolean incremental() {
      return phase == Phase.UPDATE;
    }

    /** Whether the table is (re)built from nothing. */
    boolean rebuilds() {
      return phase != Phase.UPDATE;
    }
  }

  /**
   * A Data Vault hub, link, satellite or effectivity satellite: the batch's staged rows are hashed
   * and inserted where new or changed (see {@link io.lagoa.spark.pipeline.vault.VaultWriter}).
   * Creating the table and a full refresh load all the staged rows into an empty table.
   */
  record LoadVault(io.lagoa.pipeline.VaultTable vault, ApplyChanges.Phase phase)
      implements WriteMode {
    @Override
    public String label() {
      return switch (phase) {
        case CREATE -> "create";
        case UPDATE -> "load " + vault.kind().description();
        case FULL_REFRESH -> "full refresh";
      };
    }

    @Override
    public boolean incremental() {
      return phase == ApplyChanges.Phase.UPDATE;
    }

    /** Whether the table is (re)built from nothing. */
    boolean rebuilds() {
      return phase != ApplyChanges.Phase.UPDATE;
    }
  }

  /**
   * The table of an identity graph: the batch's records are resolved into persons against the
   * graph's key index and written with its side tables (see {@link IdentityGraphWriter}). Creating
   * it and a full refresh resolve all the source's records into an empty graph.
   */
  record ResolveIdentities(io.lagoa.identity.MatchRules rules, ApplyChanges.Phase phase)
      implements WriteMode {
    @Override
    public String label() {
      return switch (phase) {
        case CREATE -> "create";
        case UPDATE -> "resolve identities";
        case FULL_REFRESH -> "full refresh";
      };
    }

    @Override
    public boolean incremental() {
      return phase == ApplyChanges.Phase.UPDATE;
    }

    /** Whether the graph is (re)built from nothing. */
    boolean rebuilds() {
      return phase != ApplyChanges.Phase.UPDATE;
    }
  }
}
