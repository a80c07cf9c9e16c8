package io.lagoa.bench.spark;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagoa.bench.Answers;
import io.lagoa.bench.BenchQuery;
import io.lagoa.bench.Suite;
import io.lagoa.bench.duckdb.DuckDbEngine;
import io.lagoa.catalog.LagoaCatalogs;
import io.lagoa.error.LagoaException;
import io.lagoa.spark.LagoaSpark;
import io.lagoa.spark.duckdb.DuckDbDatabase;
import io.lagoa.spark.duckdb.ParquetTable;
import io.lagoa.spark.planning.DuckDbReads;
import io.lagoa.testing.TestingWarehouse;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.catalog.Catalog;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * TPC-H at scale factor 0.01: the generated tables have dbgen's row counts and all 22 queries give
 * the answers the tpch library ships for that scale (io/trino/tpch/queries/qN.result), and DuckDB,
 * over the same Parquet files with each query's DuckDB text, gives Spark's answers.
 */
class TestTpch {
  private static TestingWarehouse warehouse;
  private static SparkSession spark;
  private static Catalog catalog;

  @BeforeAll
  static void start() {
    warehouse = TestingWarehouse.create();
    spark = LagoaSpark.session(warehouse.config());
    catalog = LagoaCatalogs.open(warehouse.config());
  }

  @AfterAll
  static void stop() throws Exception {
    ((AutoCloseable) catalog).close();
    warehouse.close();
  }

  @Test
  void generatesTheTablesAndAll22QueriesGiveTheReferenceAnswers() throws IOException {
    List<String> generated = new ArrayList<>();
    long rows = new TpchGenerator(spark, catalog).generate(0.01, "tpch", generated::add);
    assertThat(generated).containsExactlyElementsOf(TpchGenerator.tableNames());
    assertThat(count("lineitem")).isEqualTo(60_175);
    assertThat(count("orders")).isEqualTo(15_000);
    assertThat(count("partsupp")).isEqualTo(8_000);
    assertThat(count("customer")).isEqualTo(1_500);
    assertThat(count("nation")).isEqualTo(25);
    assertThat(rows).isEqualTo(60_175 + 15_000 + 8_000 + 2_000 + 1_500 + 100 + 25 + 5);

    BenchRun run =
        new BenchRun(
            spark,
            catalog,
            new BenchRun.Request(Suite.TPCH, "tpch", Suite.TPCH.queries(), 0, 1, null));
    run.checkTables();
    List<ParquetTable> files = new ArrayList<>();
    for (String table : BenchRun.tables(run.request())) {
      files.add(
          ParquetTable.plan(
              catalog.loadTable(BenchTables.identifier(table)), BenchTables.identifier(table)));
    }
    List<String> mismatches = new ArrayList<>();
    List<String> duckDbMismatches = new ArrayList<>();
    List<String> sparkMismatches = new ArrayList<>();
    List<String> inDuckDb = new ArrayList<>();
    DuckDbEngine duckDb = DuckDbEngine.open(files, new DuckDbDatabase.Settings(2, 512L << 20));
    for (BenchQuery query : run.boundQueries()) {
      for (String statement : query.setup()) {
        spark.sql(statement);
      }
      Dataset<Row> frame = spark.sql(query.sql());
      if (frame.queryExecution().executedPlan().toString().contains("DuckDbQuery")) {
        inDuckDb.add(query.name());
      }
      List<Row> actual = frame.collectAsList();
      // DuckDB reads (on by default) give exactly Spark's own rows, in the same order
      spark.conf().set(DuckDbReads.ENABLED, "false");
      try {
        List<Row> plain = spark.sql(query.sql()).collectAsList();
        if (!plain.equals(actual)) {
          sparkMismatches.add(query.name() + ": " + actual + " but Spark alone " + plain);
        }
      } finally {
        spark.conf().set(DuckDbReads.ENABLED, "true");
      }
      List<List<Object>> sparkValues = new ArrayList<>();
      for (Row row : actual) {
        List<Object> values = new ArrayList<>();
        for (int i = 0; i < row.length(); i++) {
          values.add(row.get(i));
        }
        sparkValues.add(values);
      }
      try {
        Answers.difference(sparkValues, duckDb.execute(query).rows(), "Spark", "DuckDB")
            .ifPresent(difference -> duckDbMismatches.add(query.name() + ": " + difference));
      } catch (LagoaException e) {
        duckDbMismatches.add(e.getMessage());
      }
      List<String[]> expected = expected(query.name());
      if (actual.size() != expected.size()) {
        mismatches.add(query.name() + ": " + actual.size() + " rows, expected " + expected.size());
        continue;
      }
      for (int i = 0; i < actual.size(); i++) {
        String difference = difference(actual.get(i), expected.get(i));
        if (difference != null) {
          mismatches.add(query.name() + " row " + (i + 1) + ": " + difference);
          break;
        }
      }
    }
    duckDb.close();
    assertThat(mismatches).isEmpty();
    assertThat(duckDbMismatches).isEmpty();
    assertThat(sparkMismatches).isEmpty();
    // Every query runs (at least partly) in DuckDB; fewer means a translation stopped qualifying.
    assertThat(inDuckDb).as("TPC-H queries run in DuckDB").hasSize(22);
    assertThat(run.dataset())
        .containsEntry("scale_factor", "0.01")
        .containsEntry("lineitem.rows", "60175");
  }

  private static long count(String table) {
    return spark.sql("SELECT count(*) FROM tpch." + table).collectAsList().get(0).getLong(0);
  }

  /** The reference rows: '|'-separated values after a header comment line. */
  private static List<String[]> expected(String query) throws IOException {
    try (InputStream in =
        TestTpch.class
            .getClassLoader()
            .getResourceAsStream("io/trino/tpch/queries/" + query + ".result")) {
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      List<String[]> rows = new ArrayList<>();
      for (String line : text.split("\n")) {
        if (!line.isBlank() && !line.startsWith("--")) {
          rows.add(line.split("\\|", -1));
        }
      }
      return rows;
    }
  }

  /** Null when the row matches: numbers within 0.01 (the reference rounds), text exactly. */
  private static String difference(Row actual, String[] expected) {
    for (int i = 0; i < actual.length(); i++) {
      Object value = actual.get(i);
      String want = expected[i].strip();
      if (value instanceof Number number) {
        BigDecimal got = new BigDecimal(number.toString());
        BigDecimal reference = new BigDecimal(want);
        BigDecimal tolerance =
            reference.abs().multiply(new BigDecimal("1e-9")).max(new BigDecimal("0.01"));
        if (got.subtract(reference).abs().compareTo(tolerance) > 0) {
          return "column " + (i + 1) + " is " + got + ", expected " + want;
        }
      } else if (value instanceof LocalDate || value instanceof java.sql.Date) {
        if (!value.toString().equals(want)) {
          return "column " + (i + 1) + " is " + value + ", expected " + want;
        }
      } else if (!String.valueOf(value).strip().equals(want)) {
        return "column " + (i + 1) + " is '" + value + "', expected '" + want + "'";
      }
    }
    return null;
  }
}
