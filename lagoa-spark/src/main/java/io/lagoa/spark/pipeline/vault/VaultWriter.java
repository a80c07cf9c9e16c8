package io.lagoa.spark.pipeline.vault;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lag;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.when;

import io.lagoa.pipeline.PipelineException;
import io.lagoa.pipeline.SourcePosition;
import io.lagoa.pipeline.VaultKind;
import io.lagoa.pipeline.VaultTable;
import io.lagoa.vault.HashEncoding;
import io.lagoa.vault.HashStandard;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.sql.types.DataTypes;

/**
 * Loads one batch of staged rows into a hub, link, satellite or effectivity satellite, insert-only,
 * in one commit:
 *
 * <ul>
 *   <li>a hub or link inserts the hash keys it does not hold yet (the first row of a key in the
 *       batch, in flow order, wins);
 *   <li>a satellite inserts a row when its hash diff differs from the key's previous row (the
 *       latest in the table, then the batch's own rows in SEQUENCE BY order), and skips changes at
 *       or before the key's latest {@code applied_at}, so a replayed batch inserts nothing;
 *   <li>an effectivity satellite, per driving key, ends the open relationship and starts the new
 *       one when the driving key's link changes.
 * </ul>
 *
 * <p>The rows of one key in one batch get load dates one microsecond apart, in their order, so
 * {@code (hash key, load_date)} stays unique and ordered. Hashes come from {@link HashStandard},
 * the same code as the SQL functions.
 */
public final class VaultWriter {
  /** Commits the rows by the statement built from a temporary view's name, in one commit. */
  @FunctionalInterface
  public interface Commit {
    OptionalLong commit(Dataset<Row> rows, java.util.function.Function<String, String> statement);
  }

  /**
   * @param read the staged rows the batch held
   * @param withoutKey of which rows without a business key (every part null or empty, or for a link
   *     one hub's), which are not loaded
   * @param snapshot the table's snapshot after the commit, whose summary counts the rows inserted
   *     (the rows are computed once, by the commit)
   */
  public record Outcome(long read, long withoutKey, OptionalLong snapshot) {}

  private static final String HASH = "__hash";
  private static final String DRIVING = "__driving";
  private static final String DIFF = "__diff";
  private static final String PRIOR = "__prior";
  private static final String ORDER = "__order";

  private final VaultTable vault;
  private final Instant loadDate;

  /**
   * @param loadDate the load date of the batch's rows (the flow's start)
   */
  public VaultWriter(VaultTable vault, Instant loadDate) {
    this.vault = vault;
    this.loadDate = loadDate;
  }

  /**
   * Refuses a table that records another hash standard than the pipeline's, before anything is
   * written.
   *
   * @param properties the table's properties, as it is now
   */
  public static void checkStandard(
      String table, SourcePosition position, VaultTable vault, Map<String, String> properties) {
    try {
      vault.standard().checkTable(table, properties);
    } catch (io.lagoa.error.LagoaException e) {
      throw PipelineException.at(
          position,
          e.getMessage()
              + "; its hash keys were made with that standard, and new keys made with another"
              + " would never match them: set hash-standard in pipeline.yaml to the recorded one,"
              + " or load a new vault");
    }
  }

  /**
   * Loads the batch.
   *
   * @param target the table as Spark names it, e.g. lagoa.`silver`.`hub_pessoa`
   * @param existing the table's rows now; null when the table is created (or replaced) from this
   *     batch alone
   * @param replace whether an existing table is replaced (a full refresh) rather than added to
   */
  public Outcome write(
      String target, Dataset<Row> staged, Dataset<Row> existing, boolean replace, Commit commit) {
    Dataset<Row> batch = staged.localCheckpoint();
    long read = batch.count();
    long withoutKey = read == 0 ? 0 : batch.where(not(keyed())).count();
    Dataset<Row> rows =
        switch (vault.kind()) {
          case HUB, LINK -> keys(batch, existing);
          case SATELLITE -> satellite(batch, existing);
          case EFFECTIVITY_SATELLITE -> effectivity(batch, existing);
          case PIT, BRIDGE -> throw new IllegalStateException("not loaded: " + vault.kind());
        };
    OptionalLong snapshot =
        commit.commit(
            rows,
            view ->
                existing == null
                    ? createAsSelect(target, view, replace)
                    : "INSERT INTO " + target + " BY NAME SELECT * FROM " + view);
    return new Outcome(read, withoutKey, snapshot);
  }

  /** Whether a staged row has the keys it needs to be loaded: its hash key, and each hub's. */
  private Column keyed() {
    Column keyed = hashKey(0, vault.keyParts()).isNotNull();
    if (vault.kind() == VaultKind.LINK) {
      for (int i = 0; i < vault.hubs().size(); i++) {
        keyed = keyed.and(hashKey(vault.firstPart(i), vault.hubs().get(i).keys()).isNotNull());
      }
    } else if (vault.kind() == VaultKind.EFFECTIVITY_SATELLITE) {
      int driving = vault.drivingHub();
      keyed =
          keyed.and(
              hashKey(vault.firstPart(driving), vault.hubs().get(driving).keys()).isNotNull());
    }
    return keyed;
  }

  private String createAsSelect(String target, String view, boolean replace) {
    List<String> properties = new ArrayList<>();
    vault
        .standard()
        .tableProperties()
        .forEach((key, value) -> properties.add(literal(key) + " = " + literal(value)));
    properties.add(literal("lagoa.vault.kind") + " = " + literal(vault.kind().keyword()));
    return (replace ? "CREATE OR REPLACE TABLE " : "CREATE TABLE ")
        + target
        + " USING iceberg TBLPROPERTIES ("
        + String.join(", ", properties)
        + ") AS SELECT * FROM "
        + view;
  }

  /** A hub's or link's new keys. */
  private Dataset<Row> keys(Dataset<Row> batch, Dataset<Row> existing) {
    List<Column> columns = new ArrayList<>();
    columns.add(col(vault.hashKey()));
    Dataset<Row> hashed = batch.withColumn(vault.hashKey(), hashKey(0, vault.keyParts()));
    if (vault.kind() == VaultKind.HUB) {
      for (int i = 0; i < vault.businessKey().size(); i++) {
        hashed = hashed.withColumn(vault.businessKey().get(i), part(i));
        columns.add(col(vault.businessKey().get(i)));
      }
    } else {
      for (int i = 0; i < vault.hubs().size(); i++) {
        VaultTable.HubPart hub = vault.hubs().get(i);
        hashed = hashed.withColumn(hub.column(), hashKey(vault.firstPart(i), hub.keys()));
        columns.add(col(hub.column()));
      }
    }
    Column complete = col(vault.hashKey()).isNotNull();
    for (VaultTable.HubPart hub :
        vault.kind() == VaultKind.LINK ? vault.hubs() : List.<VaultTable.HubPart>of()) {
      complete = complete.and(col(hub.column()).isNotNull());
    }
    WindowSpec first =
        Window.partitionBy(vault.hashKey())
            .orderBy(col(VaultTable.STAGED_FLOW), col(VaultTable.STAGED_RECORD_SOURCE));
    Dataset<Row> fresh =
        hashed
            .where(complete)
            .withColumn(ORDER, row_number().over(first))
            .where(col(ORDER).equalTo(1));
    if (existing != null) {
      fresh =
          fresh.join(
              existing.select(col(vault.hashKey()).as("__known")).distinct(),
              col(vault.hashKey()).equalTo(col("__known")),
              "left_anti");
    }
    columns.add(loadDate(lit(0L)).as(VaultTable.LOAD_DATE));
    columns.add(col(VaultTable.STAGED_RECORD_SOURCE).as(VaultTable.RECORD_SOURCE));
    return fresh.select(columns.toArray(Column[]::new));
  }

  /** A satellite's changed rows. */
  private Dataset<Row> satellite(Dataset<Row> batch, Dataset<Row> existing) {
    String hk = vault.hashKey();
    List<Column> attributes = new ArrayList<>();
    for (String attribute : vault.attributes()) {
      attributes.add(col(attribute).cast(DataTypes.StringType));
    }
    Dataset<Row> staged =
        batch
            .withColumn(HASH, hashKey(0, vault.keyParts()))
            .where(col(HASH).isNotNull())
            .withColumn(DIFF, hashDiff(attributes))
            .withColumn(PRIOR, lit(false));
    Dataset<Row> events = staged;
    if (existing != null) {
      Dataset<Row> latest = latest(existing, hk);
      staged =
          staged
              .join(
                  latest.select(
                      col(hk).as("__latest_hk"), col(VaultTable.APPLIED_AT).as("__latest")),
                  col(HASH).equalTo(col("__latest_hk")),
                  "left")
              .where(
                  col("__latest").isNull().or(col(VaultTable.STAGED_SEQUENCE).gt(col("__latest"))))
              .drop("__latest_hk", "__latest");
      Dataset<Row> prior =
          latest.select(
              col(hk).as(HASH),
              col(VaultTable.HASH_DIFF).as(DIFF),
              col(VaultTable.APPLIED_AT).as(VaultTable.STAGED_SEQUENCE),
              lit(true).as(PRIOR),
              lit(-1).as(VaultTable.STAGED_FLOW));
      events = staged.unionByName(prior, true);
    }
    WindowSpec order =
        Window.partitionBy(HASH)
            .orderBy(
                col(VaultTable.STAGED_SEQUENCE),
                col(PRIOR).desc(),
                col(VaultTable.STAGED_FLOW),
                col(DIFF));
    Dataset<Row> changed =
        events
            .withColumn("__previous", lag(col(DIFF), 1).over(order))
            .where(
                col(PRIOR)
                    .equalTo(false)
                    .and(col("__previous").isNull().or(col("__previous").notEqual(col(DIFF)))));
    WindowSpec rank =
        Window.partitionBy(HASH)
            .orderBy(col(VaultTable.STAGED_SEQUENCE), col(VaultTable.STAGED_FLOW), col(DIFF));
    List<Column> columns = new ArrayList<>();
    columns.add(col(HASH).as(hk));
    columns.add(loadDate(row_number().over(rank).minus(1)).as(VaultTable.LOAD_DATE));
    columns.add(col(VaultTable.STAGED_SEQUENCE).as(VaultTable.APPLIED_AT));
    columns.add(col(DIFF).as(VaultTable.HASH_DIFF));
    columns.add(col(VaultTable.STAGED_RECORD_SOURCE).as(VaultTable.RECORD_SOURCE));
    for (String attribute : vault.attributes()) {
      columns.add(col(attribute));
    }
    return changed.select(columns.toArray(Column[]::new));
  }

  /**
   * An effectivity satellite's new rows: per driving key, when its link changes, a row ending the
   * open relationship ({@code end_date} set) and one starting the new one ({@code end_date} null).
   */
  private Dataset<Row> effectivity(Dataset<Row> batch, Dataset<Row> existing) {
    String link = vault.hashKey();
    VaultTable.HubPart driving = vault.hubs().get(vault.drivingHub());
    String seq = VaultTable.STAGED_SEQUENCE;
    Dataset<Row> staged =
        batch
            .withColumn(HASH, hashKey(0, vault.keyParts()))
            .withColumn(DRIVING, hashKey(vault.firstPart(vault.drivingHub()), driving.keys()))
            .where(col(HASH).isNotNull().and(col(DRIVING).isNotNull()))
            .select(
                col(DRIVING),
                col(HASH),
                col(seq),
                col(seq).as("__start"),
                lit(false).as(PRIOR),
                col(VaultTable.STAGED_FLOW),
                col(VaultTable.STAGED_RECORD_SOURCE));
    Dataset<Row> events = staged;
    if (existing != null) {
      Dataset<Row> latest = latest(existing, driving.column());
      staged =
          staged
              .join(
                  latest.select(
                      col(driving.column()).as("__latest_key"),
                      col(VaultTable.APPLIED_AT).as("__latest")),
                  col(DRIVING).equalTo(col("__latest_key")),
                  "left")
              .where(col("__latest").isNull().or(col(seq).gt(col("__latest"))))
              .drop("__latest_key", "__latest");
      Dataset<Row> prior =
          latest.select(
              col(driving.column()).as(DRIVING),
              when(col(VaultTable.END_DATE).isNull(), col(link)).as(HASH),
              col(VaultTable.APPLIED_AT).as(seq),
              col(VaultTable.START_DATE).as("__start"),
              lit(true).as(PRIOR),
              lit(-1).as(VaultTable.STAGED_FLOW),
              col(VaultTable.RECORD_SOURCE).as(VaultTable.STAGED_RECORD_SOURCE));
      events = staged.unionByName(prior, false);
    }
    WindowSpec order =
        Window.partitionBy(DRIVING)
            .orderBy(col(seq), col(PRIOR).desc(), col(VaultTable.STAGED_FLOW), col(HASH));
    Dataset<Row> kept =
        events
            .withColumn("__previous", lag(col(HASH), 1).over(order))
            .where(
                col(PRIOR)
                    .equalTo(true)
                    .or(col("__previous").isNull())
                    .or(col("__previous").notEqual(col(HASH))))
            .withColumn("__open_link", lag(col(HASH), 1).over(order))
            .withColumn("__open_start", lag(col("__start"), 1).over(order))
            .where(col(PRIOR).equalTo(false))
            .withColumn(
                ORDER,
                row_number()
                    .over(
                        Window.partitionBy(DRIVING)
                            .orderBy(col(seq), col(VaultTable.STAGED_FLOW), col(HASH)))
                    .minus(1));
    Column typedNull = lit(null).cast(batch.schema().apply(seq).dataType());
    Dataset<Row> opened =
        kept.select(
            col(HASH).as(link),
            col(DRIVING).as(driving.column()),
            col(seq).as(VaultTable.START_DATE),
            typedNull.as(VaultTable.END_DATE),
            loadDate(col(ORDER).multiply(2).plus(1)).as(VaultTable.LOAD_DATE),
            col(seq).as(VaultTable.APPLIED_AT),
            col(VaultTable.STAGED_RECORD_SOURCE).as(VaultTable.RECORD_SOURCE));
    Dataset<Row> ended =
        kept.where(col("__open_link").isNotNull())
            .select(
                col("__open_link").as(link),
                col(DRIVING).as(driving.column()),
                col("__open_start").as(VaultTable.START_DATE),
                col(seq).as(VaultTable.END_DATE),
                loadDate(col(ORDER).multiply(2)).as(VaultTable.LOAD_DATE),
                col(seq).as(VaultTable.APPLIED_AT),
                col(VaultTable.STAGED_RECORD_SOURCE).as(VaultTable.RECORD_SOURCE));
    return ended.unionByName(opened);
  }

  /** The latest row of each key of an existing table, by load date. */
  private static Dataset<Row> latest(Dataset<Row> existing, String key) {
    return existing
        .withColumn(
            ORDER,
            row_number().over(Window.partitionBy(key).orderBy(col(VaultTable.LOAD_DATE).desc())))
        .where(col(ORDER).equalTo(1))
        .drop(ORDER);
  }

  /** The batch's load date plus {@code micros} microseconds. */
  private Column loadDate(Column micros) {
    long base = loadDate.getEpochSecond() * 1_000_000L + loadDate.getNano() / 1_000;
    return org.apache.spark.sql.functions.timestamp_micros(lit(base).plus(micros));
  }

  private static Column part(int index) {
    return col(VaultTable.STAGED_KEY_PREFIX + (index + 1));
  }

  /** The hash key of the staged parts {@code first .. first + count - 1}. */
  private Column hashKey(int first, int count) {
    List<Column> parts = new ArrayList<>();
    for (int i = first; i < first + count; i++) {
      parts.add(part(i));
    }
    return keyFunction().apply(array(parts.toArray(Column[]::new)));
  }

  private Column hashDiff(List<Column> attributes) {
    Column values =
        attributes.isEmpty()
            ? array().cast(DataTypes.createArrayType(DataTypes.StringType))
            : array(attributes.toArray(Column[]::new));
    return diffFunction().apply(values);
  }

  /*
   * The functions capture the standard's name, not the standard: a task's closure is serialized,
   * and the name is all a task needs to find the same standard.
   */
  private UserDefinedFunction keyFunction() {
    String name = vault.standard().name();
    if (vault.standard().encoding() == HashEncoding.BINARY) {
      return org.apache.spark.sql.functions.udf(
          (org.apache.spark.sql.api.java.UDF1<scala.collection.Seq<String>, byte[]>)
              parts -> HashStandard.named(name).hashKeyBytes(list(parts)),
          DataTypes.BinaryType);
    }
    return org.apache.spark.sql.functions.udf(
        (org.apache.spark.sql.api.java.UDF1<scala.collection.Seq<String>, String>)
            parts -> HashStandard.named(name).hashKey(list(parts)),
        DataTypes.StringType);
  }

  private UserDefinedFunction diffFunction() {
    String name = vault.standard().name();
    return org.apache.spark.sql.functions.udf(
        (org.apache.spark.sql.api.java.UDF1<scala.collection.Seq<String>, String>)
            values -> HashStandard.named(name).hashDiff(list(values)),
        DataTypes.StringType);
  }

  private static List<String> list(scala.collection.Seq<String> values) {
    return new ArrayList<>(scala.jdk.javaapi.CollectionConverters.asJava(values));
  }

  private static String literal(String value) {
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }
}
