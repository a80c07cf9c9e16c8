package io.lagoa.spark.pipeline;

import io.lagoa.identity.IdentityResolver;
import io.lagoa.identity.IdentityStore;
import io.lagoa.identity.KeyKind;
import io.lagoa.identity.MatchKey;
import io.lagoa.identity.MatchRules;
import io.lagoa.identity.RecordRef;
import io.lagoa.identity.Resolution;
import io.lagoa.identity.SourceRecord;
import io.lagoa.pipeline.Dataset;
import io.lagoa.pipeline.FlowException;
import io.lagoa.spark.identity.IdentityTables;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link WriteMode.ResolveIdentities}: the batch's records are collected to the driver and resolved
 * against the graph's stored state by {@link IdentityResolver} (a union-find over the batch and the
 * persons its keys already belong to, reading only the key index rows of the batch's keys), then
 * the key index, the merges and the audit are committed, and the graph's own table last, with the
 * source positions: a run killed before that last commit is put back by the runner (the side tables
 * are among the flow's tables), so its batch is read and resolved again.
 */
final class IdentityGraphWriter {
  private static final Logger LOG = LoggerFactory.getLogger(IdentityGraphWriter.class);

  private final WriteMode.ResolveIdentities mode;
  private final TableCommitter committer;
  private final Clock clock;

  /**
   * What a batch did.
   *
   * @param written rows of the graph's table inserted or updated
   * @param dropped rows without a source or record id: counted, never stored
   */
  record Outcome(OptionalLong snapshot, long read, long written, long dropped, String summary) {}

  IdentityGraphWriter(WriteMode.ResolveIdentities mode, TableCommitter committer, Clock clock) {
    this.mode = mode;
    this.committer = committer;
    this.clock = clock;
  }

  /** Checks that the query has the columns the graph needs, writing nothing. */
  void check(Dataset dataset, org.apache.spark.sql.Dataset<Row> records) {
    columns(dataset, records);
  }

  Outcome write(
      Dataset dataset,
      org.apache.spark.sql.Dataset<Row> batch,
      Map<String, String> properties,
      Map<String, List<Long>> written) {
    MatchRules rules = mode.rules();
    Map<String, String> columns = columns(dataset, batch);
    List<Column> select = new ArrayList<>();
    for (Map.Entry<String, String> column : columns.entrySet()) {
      select.add(
          column.getValue() == null
              ? functions.lit(null).cast("string").as(column.getKey())
              : functions.col(column.getValue()).cast("string").as(column.getKey()));
    }
    List<Row> rows = batch.select(select.toArray(Column[]::new)).collectAsList();
    List<SourceRecord> records = new ArrayList<>(rows.size());
    long dropped = 0;
    for (Row row : rows) {
      String source = row.getString(0);
      String id = row.getString(1);
      if (source == null || source.isBlank() || id == null || id.isBlank()) {
        dropped++;
        continue;
      }
      Map<KeyKind, String> raw = new EnumMap<>(KeyKind.class);
      int index = 3;
      for (MatchKey key : rules.keys()) {
        raw.put(key.kind(), row.getString(index++));
      }
      records.add(new SourceRecord(new RecordRef(source, id), row.getString(2), raw));
    }
    if (dropped > 0) {
      LOG.warn(
          "{}: {} records without a source or record_id were not placed in the graph",
          dataset.name(),
          dropped);
    }
    IdentityTables tables =
        new IdentityTables(committer.spark(), committer.catalog(), dataset.name(), mode.rebuilds());
    IdentityStore store = mode.rebuilds() ? IdentityStore.EMPTY : tables;
    Instant now = clock.instant();
    Resolution resolution =
        new IdentityResolver(rules).resolve(records, store, now, committer.runId());
    Map<String, String> sideProperties = new LinkedHashMap<>();
    sideProperties.put(FlowExecutor.RUN_ID_PROPERTY, committer.runId());
    IdentityTables.Committer sideCommitter =
        (table, rows2, statement) ->
            committer.commitView(
                table, rows2, "__lagoa_identity_", statement, sideProperties, written);
    tables.writeSideTables(resolution, rules, mode.rebuilds(), sideCommitter);
    Map<String, String> targetProperties = new LinkedHashMap<>(properties);
    targetProperties.putAll(resolution.summary().properties());
    boolean rebuild = mode.rebuilds();
    OptionalLong after;
    if (!rebuild && tables.exists() && resolution.records().isEmpty()) {
      after = emptyCommit(dataset.name(), targetProperties, written);
    } else {
      after =
          committer.commitView(
              dataset.name(),
              tables.recordRows(resolution),
              "__lagoa_identity_",
              // a create is CREATE TABLE, so a table another run created meanwhile is a conflict
              view ->
                  tables.recordsStatement(
                      view, rules, mode.phase() == WriteMode.ApplyChanges.Phase.FULL_REFRESH),
              targetProperties,
              written);
    }
    String summary = resolution.summary() + (dropped > 0 ? ", " + dropped + " without an id" : "");
    LOG.debug("{}: {}", dataset.name(), summary); // the flow's note carries it
    return new Outcome(after, rows.size(), resolution.records().size(), dropped, summary);
  }

  /**
   * A batch that changes no record (a replay) still moves the source positions on: an empty commit
   * carrying them, so the next run does not read the batch again.
   */
  private OptionalLong emptyCommit(
      String name, Map<String, String> properties, Map<String, List<Long>> written) {
    org.apache.iceberg.Table table = committer.catalog().loadTable(FlowExecutor.identifier(name));
    table.refresh();
    org.apache.iceberg.AppendFiles append = table.newAppend();
    properties.forEach(append::set);
    try {
      append.commit();
    } catch (org.apache.iceberg.exceptions.ValidationException
        | org.apache.iceberg.exceptions.CommitFailedException e) {
      java.util.Optional<String> conflict = ConcurrentRunConflict.describe(e);
      if (conflict.isPresent()) {
        throw new ConcurrentRunConflict(conflict.get(), e);
      }
      throw new FlowException(name + ": cannot write: " + e.getMessage(), e);
    }
    return committer.recordWrite(name, written);
  }

  /**
   * The graph's columns and the query's column each comes from (null when the query lacks an
   * optional one): source, record_id, name, then the MATCH ON keys in order.
   */
  private Map<String, String> columns(Dataset dataset, org.apache.spark.sql.Dataset<Row> rows) {
    Map<String, String> present = new LinkedHashMap<>();
    for (String column : rows.columns()) {
      present.put(column.toLowerCase(Locale.ROOT), column);
    }
    Map<String, String> columns = new LinkedHashMap<>();
    List<String> missing = new ArrayList<>();
    for (String required : List.of("source", "record_id")) {
      if (!present.containsKey(required)) {
        missing.add(required);
      }
      columns.put(required, present.get(required));
    }
    columns.put("name", present.get("name"));
    for (MatchKey key : mode.rules().keys()) {
      String column = key.kind().column();
      if (!present.containsKey(column)) {
        missing.add(column);
      }
      columns.put(column, present.get(column));
    }
    boolean namesNeeded = mode.rules().keys().stream().anyMatch(key -> !key.strong());
    if (namesNeeded && !present.containsKey("name")) {
      missing.add("name (IF NAME SIMILARITY compares names)");
    }
    if (!missing.isEmpty()) {
      throw new FlowException(
          dataset.position()
              + ": the query of identity graph "
              + dataset.name()
              + " has no column "
              + String.join(", ", missing)
              + "; it must deliver source, record_id, name and one column per MATCH ON key (e.g."
              + " SELECT 'crm' AS source, id AS record_id, nome AS name, email, celular AS phone,"
              + " cpf AS document FROM ...); its columns are "
              + String.join(", ", rows.columns()),
          null);
    }
    return columns;
  }
}
