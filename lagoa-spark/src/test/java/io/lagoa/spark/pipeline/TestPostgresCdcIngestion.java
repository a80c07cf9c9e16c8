package io.lagoa.spark.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagoa.cdc.CdcOffsets;
import io.lagoa.pipeline.PipelineCommits;
import io.lagoa.pipeline.RunJournal;
import io.lagoa.spark.LagoaSpark;
import io.lagoa.spark.pipeline.source.SourceReaders;
import io.lagoa.testing.TestingPostgres;
import io.lagoa.testing.TestingWarehouse;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * read_postgres_cdc against a real PostgreSQL with logical decoding and the Debezium embedded
 * engine: each phase of changes lands in the bronze change log exactly once, the slot is never
 * acknowledged past the position the table stores, and a restart resumes from that position.
 */
class TestPostgresCdcIngestion {
  private static TestingPostgres postgres;
  private static TestingWarehouse warehouse;
  private static SparkSession spark;
  private static PipelineFixture fixture;

  @BeforeAll
  static void start() throws SQLException {
    postgres = TestingPostgres.startWithLogicalDecoding();
    postgres.createDatabase("shop");
    warehouse = TestingWarehouse.create();
    spark = LagoaSpark.session(warehouse.config());
    fixture =
        new PipelineFixture(
            spark,
            warehouse,
            "pg",
            namespace ->
                "variables:\n  pg_url: "
                    + postgres.jdbcUrl("shop")
                    + "\n  pg_password: "
                    + postgres.password()
                    + "\n");
  }

  @AfterAll
  static void stop() {
    if (warehouse != null) {
      warehouse.close();
    }
    if (postgres != null) {
      postgres.close();
    }
  }

  private static Path bronze(String namespace, String table, String extra) {
    return fixture.pipeline(
        namespace,
        "bronze.sql",
        "CREATE STREAMING TABLE changes AS\n"
            + "SELECT * FROM STREAM read_postgres_cdc(url => '${pg_url}', user => 'lagoa',\n"
            + "  password => '${pg_password}', table => '"
            + table
            + "'"
            + extra
            + ")");
  }

  private static RunResult run(Path folder, SourceReaders sources, RunOptions options) {
    return new PipelineRunner(
            spark, PipelineListener.NONE, Clock.systemUTC(), RunJournal.NONE, sources)
        .run(fixture.compile(folder), options);
  }

  private static RunResult run(Path folder, SourceReaders sources) {
    RunResult result = run(folder, sources, RunOptions.defaults());
    assertThat(result.error()).isEmpty();
    return result;
  }

  private static void execute(String... statements) {
    try (Connection connection = postgres.connect("shop");
        Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        statement.execute(sql);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The change log's rows after {@code after} rows, in sequence order: op and id. */
  private static List<List<Object>> changes(String table, long skip) {
    List<List<Object>> all =
        fixture.rows(
            "SELECT _op, id FROM "
                + table
                + " ORDER BY _sequence.commit_lsn NULLS FIRST, _sequence.lsn, _op DESC");
    return new ArrayList<>(all.subList((int) Math.min(skip, all.size()), all.size()));
  }

  private static long count(String table) {
    return (Long) fixture.rows("SELECT count(*) FROM " + table).get(0).get(0);
  }

  private static String storedPosition(String table, String slot) {
    Table iceberg = PipelineRunner.icebergCatalog(spark).loadTable(TableIdentifier.parse(table));
    iceberg.refresh();
    return iceberg.currentSnapshot().summary().get(PipelineCommits.postgresPositionKey(slot));
  }

  private static Long confirmedFlushLsn(String slot) {
    try (Connection connection = postgres.connect("shop");
        PreparedStatement statement =
            connection.prepareStatement(
                "SELECT (confirmed_flush_lsn - '0/0'::pg_lsn)::bigint FROM pg_replication_slots"
                    + " WHERE slot_name = ?")) {
      statement.setString(1, slot);
      try (ResultSet result = statement.executeQuery()) {
        return result.next() ? result.getLong(1) : null;
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void assertSlotNotAhead(String table, String slot) {
    long stored = CdcOffsets.lsn(storedPosition(table, slot)).orElseThrow();
    Long confirmed = confirmedFlushLsn(slot);
    assertThat(confirmed).isNotNull();
    assertThat(confirmed).isLessThanOrEqualTo(stored);
  }

  @Test
  void capturesEachPhaseOfChangesExactlyOnce() throws Exception {
    execute(
        "CREATE TABLE customers (id INT PRIMARY KEY, name TEXT NOT NULL, balance NUMERIC(10,2),"
            + " born DATE, seen TIMESTAMP)",
        "INSERT INTO customers VALUES (1, 'ana', 10.50, '1990-01-02', '2024-05-06 07:08:09.123456'),"
            + " (2, 'rui', 0, NULL, NULL), (3, 'eva', -3.25, '2001-12-31', NULL)");
    Path folder = bronze("pc", "public.customers", "");
    String table = "pc.changes";
    String slot = "lagoa_pc_changes";
    try (SourceReaders sources = new SourceReaders()) {
      // initial snapshot
      RunResult first = run(folder, sources);
      assertThat(PipelineFixture.flow(first, table).rowsWritten()).isEqualTo(3);
      assertThat(
              fixture.rows(
                  "SELECT _op, id, name, balance, CAST(born AS STRING), CAST(seen AS STRING),"
                      + " _source.table, _before IS NULL FROM pc.changes ORDER BY id"))
          .containsExactly(
              List.of(
                  "r",
                  1,
                  "ana",
                  new BigDecimal("10.50"),
                  "1990-01-02",
                  "2024-05-06 07:08:09.123456",
                  "customers",
                  true),
              java.util.Arrays.asList(
                  "r", 2, "rui", new BigDecimal("0.00"), null, null, "customers", true),
              java.util.Arrays.asList(
                  "r", 3, "eva", new BigDecimal("-3.25"), "2001-12-31", null, "customers", true));
      long seen = 3;

      // inserts
      execute("INSERT INTO customers VALUES (4, 'ivo', 1, NULL, NULL), (5, 'lia', 2, NULL, NULL)");
      run(folder, sources);
      assertThat(changes(table, seen)).containsExactly(List.of("c", 4), List.of("c", 5));
      seen += 2;

      // updates, in two transactions
      execute("UPDATE customers SET name = 'ana maria' WHERE id = 1");
      execute("UPDATE customers SET balance = balance + 1 WHERE id IN (4, 5)");
      run(folder, sources);
      assertThat(changes(table, seen))
          .containsExactly(List.of("u", 1), List.of("u", 4), List.of("u", 5));
      assertThat(fixture.rows("SELECT name FROM pc.changes WHERE _op = 'u' AND id = 1"))
          .containsExactly(List.of("ana maria"));
      seen += 3;

      // deletes carry the key
      execute("DELETE FROM customers WHERE id = 2");
      run(folder, sources);
      assertThat(changes(table, seen)).containsExactly(List.of("d", 2));
      assertThat(fixture.rows("SELECT _before.id FROM pc.changes WHERE _op = 'd'"))
          .containsExactly(List.of(2));
      seen += 1;

      // an update of the primary key: a delete of the old key, a create of the new one
      execute("UPDATE customers SET id = 33 WHERE id = 3");
      run(folder, sources);
      assertThat(changes(table, seen)).containsExactly(List.of("d", 3), List.of("c", 33));
      seen += 2;

      // a truncate
      execute("TRUNCATE customers");
      run(folder, sources);
      assertThat(fixture.rows("SELECT _op, id, _source.table FROM pc.changes WHERE _op = 't'"))
          .containsExactly(java.util.Arrays.asList("t", null, "customers"));
      seen += 1;

      // a new column, then inserts with it
      execute(
          "ALTER TABLE customers ADD COLUMN email TEXT",
          "INSERT INTO customers (id, name, email) VALUES (6, 'rita', 'rita@x')");
      run(folder, sources);
      assertThat(changes(table, seen)).containsExactly(List.of("c", 6));
      assertThat(fixture.rows("SELECT email FROM pc.changes WHERE id = 6"))
          .containsExactly(List.of("rita@x"));
      seen += 1;
      assertThat(count(table)).isEqualTo(seen);

      // every streamed change has its own, increasing sequence
      List<List<Object>> sequences =
          fixture.rows(
              "SELECT _sequence.commit_lsn, _sequence.lsn, _transaction.id, _op FROM pc.changes"
                  + " WHERE _op <> 'r' ORDER BY _sequence.commit_lsn, _sequence.lsn");
      assertThat(sequences).hasSize((int) seen - 3);
      // (a key update is a delete and a create at one position)
      assertThat(
              sequences.stream().map(row -> List.of(row.get(0), row.get(1), row.get(3))).distinct())
          .hasSize((int) seen - 3);
      assertThat(sequences).allSatisfy(row -> assertThat(row.get(2)).isNotNull());

      // nothing new: nothing is written, and the slot is not acknowledged past the table
      long snapshots = snapshotCount(table);
      RunResult idle = run(folder, sources);
      assertThat(idle.flows()).extracting(FlowResult::status).containsOnly(FlowStatus.UP_TO_DATE);
      assertThat(snapshotCount(table)).isEqualTo(snapshots);
      assertThat(count(table)).isEqualTo(seen);
      assertSlotNotAhead(table, slot);
    }
    // closed: what was acknowledged is flushed to the slot, and still not past the table
    assertSlotNotAhead(table, slot);
    assertThat(confirmedFlushLsn(slot)).isGreaterThan(0L);
  }

  private static long snapshotCount(String table) {
    Table iceberg = PipelineRunner.icebergCatalog(spark).loadTable(TableIdentifier.parse(table));
    iceberg.refresh();
    long count = 0;
    for (var snapshot : iceberg.snapshots()) {
      count++;
    }
    return count;
  }

  @Test
  void resumesFromTheStoredPositionWithoutLossOrDoubles() {
    execute(
        "CREATE TABLE orders (id BIGINT PRIMARY KEY, amount NUMERIC(12,2))",
        "INSERT INTO orders SELECT g, g * 1.5 FROM generate_series(1, 20) g");
    Path folder = bronze("po", "orders", ", max_records_per_batch => 15");
    String table = "po.changes";
    try (SourceReaders sources = new SourceReaders()) {
      run(folder, sources); // 15 of the snapshot's 20 rows
      assertThat(count(table)).isEqualTo(15);
      run(folder, sources);
      assertThat(count(table)).isEqualTo(20);
      execute("INSERT INTO orders SELECT g, g FROM generate_series(21, 30) g");
      // read but never committed: a dry run, then the process "dies"
      RunResult dry = run(folder, sources, new RunOptions(List.of(), false, true, 2));
      assertThat(dry.error()).isEmpty();
    }
    assertThat(count(table)).isEqualTo(20);
    // the engine closed with ten changes read and not committed: the slot was not told of them
    assertSlotNotAhead(table, "lagoa_po_changes");
    execute("INSERT INTO orders VALUES (31, 31), (32, 32)");
    try (SourceReaders restarted = new SourceReaders()) {
      run(folder, restarted);
      assertThat(count(table)).isEqualTo(32);
      RunResult idle = run(folder, restarted);
      assertThat(idle.flows()).extracting(FlowResult::status).containsOnly(FlowStatus.UP_TO_DATE);
    }
    assertSlotNotAhead(table, "lagoa_po_changes");
    assertThat(
            fixture.rows("SELECT count(*), count(DISTINCT id), min(id), max(id) FROM po.changes"))
        .containsExactly(List.of(32L, 32L, 1L, 32L));
    assertThat(fixture.rows("SELECT count(*) FROM po.changes WHERE _op = 'c'"))
        .containsExactly(List.of(12L));
  }

  private static Path call(String namespace, String arguments) {
    return fixture.pipeline(
        namespace,
        "bronze.sql",
        "CREATE STREAMING TABLE changes AS\n"
            + "SELECT * FROM STREAM read_postgres_cdc(url => '${pg_url}',\n  "
            + arguments
            + ")");
  }

  private static String failure(Path folder, String namespace) {
    try (SourceReaders sources = new SourceReaders()) {
      RunResult result = run(folder, sources, RunOptions.defaults());
      assertThat(result.error()).isPresent();
      assertThat(
              PipelineRunner.icebergCatalog(spark)
                  .tableExists(TableIdentifier.parse(namespace + ".changes")))
          .as("nothing is written")
          .isFalse();
      return result.error().get();
    }
  }

  @Test
  void badSetupIsReportedAtTheCallAndNothingIsWritten() {
    execute(
        "CREATE TABLE products (id INT PRIMARY KEY, name TEXT)",
        "CREATE ROLE reader LOGIN PASSWORD 'reader-pw'",
        "GRANT SELECT ON products TO reader");
    assertThat(
            failure(
                call("pe1", "user => 'lagoa', password => 'wrong', table => 'products'"), "pe1"))
        .contains("bronze.sql:3:")
        .contains("refused user lagoa: wrong user or password")
        .doesNotContain("wrong'");
    assertThat(
            failure(
                call("pe2", "user => 'lagoa', password => '${pg_password}', table => 'prodcuts'"),
                "pe2"))
        .contains("bronze.sql:3:")
        .contains("table public.prodcuts does not exist in shop (did you mean public.products?)");
    assertThat(
            failure(
                call("pe3", "user => 'reader', password => 'reader-pw', table => 'products'"),
                "pe3"))
        .contains("bronze.sql:3:")
        .contains("user reader may not read PostgreSQL's change stream")
        .contains("ALTER ROLE reader WITH REPLICATION");
    assertThat(
            failure(
                fixture.pipeline(
                    "pe4",
                    "bronze.sql",
                    "CREATE STREAMING TABLE changes AS\n"
                        + "SELECT * FROM STREAM read_postgres_cdc(\n"
                        + "  url => 'jdbc:postgresql://127.0.0.1:1/shop',\n"
                        + "  user => 'lagoa', password => 'x', table => 'products')"),
                "pe4"))
        .contains("bronze.sql:3:10")
        .contains("cannot connect to PostgreSQL at 127.0.0.1:1");
  }

  /**
   * The versions an SCD type 2 target must hold, tracked as the test changes the source: per key,
   * each version's values and whether it is the current one.
   */
  private static final class History {
    private final Map<Integer, List<List<Object>>> versions = new TreeMap<>();

    /** An insert or update: the key's current version ends, this one starts. */
    void upsert(Object... values) {
      List<List<Object>> key =
          versions.computeIfAbsent((Integer) values[0], k -> new ArrayList<>());
      delete((Integer) values[0]);
      List<Object> version = new ArrayList<>(Arrays.asList(values));
      version.add(true);
      key.add(version);
    }

    /** A delete: the key's current version ends, none starts. */
    void delete(int id) {
      for (List<Object> version : versions.getOrDefault(id, List.of())) {
        version.set(version.size() - 1, false);
      }
    }

    /** The versions as rows of {@code width} columns (missing ones null) and "is current". */
    List<String> expected(int width) {
      List<String> rows = new ArrayList<>();
      for (List<List<Object>> key : versions.values()) {
        for (List<Object> version : key) {
          List<Object> values = new ArrayList<>(version.subList(0, version.size() - 1));
          while (values.size() < width) {
            values.add(null);
          }
          values.add(version.get(version.size() - 1));
          rows.add(render(values));
        }
      }
      return rows;
    }
  }

  private static String render(List<Object> values) {
    return values.stream().map(String::valueOf).collect(Collectors.joining("|"));
  }

  /** Runs the statements in one transaction. */
  private static void transaction(String... statements) {
    try (Connection connection = postgres.connect("shop")) {
      connection.setAutoCommit(false);
      try (Statement statement = connection.createStatement()) {
        for (String sql : statements) {
          statement.execute(sql);
        }
      }
      connection.commit();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The source table's rows over JDBC, ordered by id. */
  private static List<String> sourceRows(String table) {
    List<String> rows = new ArrayList<>();
    try (Connection connection = postgres.connect("shop");
        Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("SELECT * FROM " + table + " ORDER BY id")) {
      int width = result.getMetaData().getColumnCount();
      while (result.next()) {
        List<Object> values = new ArrayList<>();
        for (int i = 1; i <= width; i++) {
          values.add(result.getObject(i));
        }
        rows.add(render(values));
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return rows;
  }

  private static void assertTargets(String phase, History history) {
    assertThat(
            fixture.rows("SELECT * FROM silver.current_accounts ORDER BY id").stream()
                .map(TestPostgresCdcIngestion::render)
                .toList())
        .as("SCD type 1 after %s", phase)
        .containsExactlyElementsOf(sourceRows("public.accounts"));
    List<String> columns = new ArrayList<>();
    for (String name : spark.table("silver.history").columns()) {
      if (!name.equals("__START_AT") && !name.equals("__END_AT")) {
        columns.add(name);
      }
    }
    assertThat(
            fixture
                .rows(
                    "SELECT "
                        + String.join(", ", columns)
                        + ", __END_AT IS NULL FROM silver.history ORDER BY id, __START_AT")
                .stream()
                .map(TestPostgresCdcIngestion::render)
                .toList())
        .as("SCD type 2 after %s", phase)
        .containsExactlyElementsOf(history.expected(columns.size()));
  }

  @Test
  void autoCdcTargetsFollowTheSourceTablePhaseByPhase() {
    execute(
        "CREATE TABLE accounts (id INT PRIMARY KEY, name TEXT NOT NULL, balance INT)",
        "INSERT INTO accounts VALUES (1, 'ana', 10), (2, 'rui', 20), (3, 'eva', 30),"
            + " (4, 'ivo', 40)");
    String except = "COLUMNS * EXCEPT (_op, _before, _ts_ms, _sequence, _source, _transaction)\n";
    Path folder =
        fixture.pipeline(
            "pf",
            "bronze.sql",
            "CREATE STREAMING TABLE bronze.x AS\n"
                + "SELECT * FROM STREAM read_postgres_cdc(url => '${pg_url}', user => 'lagoa',\n"
                + "  password => '${pg_password}', table => 'public.accounts')",
            "current.sql",
            "CREATE FLOW accounts_current AS AUTO CDC INTO silver.current_accounts\n"
                + "FROM STREAM(bronze.x)\n"
                + "KEYS (id)\n"
                + "APPLY AS DELETE WHEN _op = 'd'\n"
                + "APPLY AS TRUNCATE WHEN _op = 't'\n"
                + "SEQUENCE BY _sequence\n"
                + except
                + "STORED AS SCD TYPE 1",
            // a truncate row has null keys and is no change of a key: left out of the history
            "history.sql",
            "CREATE FLOW accounts_history AS AUTO CDC INTO silver.history\n"
                + "FROM (SELECT * FROM STREAM(bronze.x) WHERE _op <> 't')\n"
                + "KEYS (id)\n"
                + "APPLY AS DELETE WHEN _op = 'd'\n"
                + "SEQUENCE BY _sequence\n"
                + except
                + "STORED AS SCD TYPE 2");
    History history = new History();
    try (SourceReaders sources = new SourceReaders()) {
      // the initial snapshot
      history.upsert(1, "ana", 10);
      history.upsert(2, "rui", 20);
      history.upsert(3, "eva", 30);
      history.upsert(4, "ivo", 40);
      run(folder, sources);
      assertTargets("the snapshot", history);

      // inserts
      execute("INSERT INTO accounts VALUES (5, 'lia', 50), (6, 'rita', 60)");
      history.upsert(5, "lia", 50);
      history.upsert(6, "rita", 60);
      run(folder, sources);
      assertTargets("inserts", history);

      // updates: three of one key in one transaction, two of another in two transactions
      transaction(
          "UPDATE accounts SET balance = 11 WHERE id = 1",
          "UPDATE accounts SET balance = 12 WHERE id = 1",
          "UPDATE accounts SET name = 'ana maria' WHERE id = 1");
      history.upsert(1, "ana", 11);
      history.upsert(1, "ana", 12);
      history.upsert(1, "ana maria", 12);
      execute("UPDATE accounts SET balance = 21 WHERE id = 2");
      execute("UPDATE accounts SET balance = 22 WHERE id = 2");
      history.upsert(2, "rui", 21);
      history.upsert(2, "rui", 22);
      run(folder, sources);
      assertTargets("updates", history);

      // deletes
      execute("DELETE FROM accounts WHERE id IN (3, 6)");
      history.delete(3);
      history.delete(6);
      run(folder, sources);
      assertTargets("deletes", history);

      // an update of the primary key: a delete of 4 and an insert of 40
      execute("UPDATE accounts SET id = 40 WHERE id = 4");
      history.delete(4);
      history.upsert(40, "ivo", 40);
      run(folder, sources);
      assertTargets("a key update", history);

      // a truncate empties the SCD type 1 table; the history keeps its versions as they are
      execute("TRUNCATE accounts");
      run(folder, sources);
      assertThat(fixture.rows("SELECT count(*) FROM bronze.x WHERE _op = 't'"))
          .containsExactly(List.of(1L));
      assertTargets("a truncate", history);

      // a new column, then inserts (one of a key the truncate removed)
      execute(
          "ALTER TABLE accounts ADD COLUMN email TEXT",
          "INSERT INTO accounts VALUES (1, 'ana', 5, 'ana@x'), (7, 'zoe', 70, 'zoe@x'),"
              + " (8, 'leo', 80, NULL)");
      history.upsert(1, "ana", 5, "ana@x");
      history.upsert(7, "zoe", 70, "zoe@x");
      history.upsert(8, "leo", 80, null);
      run(folder, sources);
      assertTargets("a new column", history);
    }
  }
}
