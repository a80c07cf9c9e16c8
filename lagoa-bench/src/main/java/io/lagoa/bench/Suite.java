package io.lagoa.bench;

import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** The query suites: the sales queries over vendas and estoque, and TPC-H's 22 queries. */
public enum Suite {
  SALES,
  TPCH;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Suite parse(String text) {
    for (Suite suite : values()) {
      if (suite.label().equalsIgnoreCase(text.strip())) {
        return suite;
      }
    }
    throw new LagoaException(
        ErrorCode.INVALID_ARGUMENT, "cannot use suite '" + text + "': expected sales or tpch");
  }

  /** Every query of the suite, in run order. */
  public List<BenchQuery> queries() {
    return this == SALES ? salesQueries() : tpchQueries();
  }

  /**
   * The queries named in a comma-separated list, in the suite's order; all for null or blank. An
   * unknown name is an error that lists the valid ones.
   */
  public List<BenchQuery> select(String names) {
    List<BenchQuery> all = queries();
    if (names == null || names.isBlank()) {
      return all;
    }
    Set<String> wanted = new LinkedHashSet<>();
    for (String name : names.split(",")) {
      if (!name.isBlank()) {
        wanted.add(name.strip().toLowerCase(Locale.ROOT));
      }
    }
    List<String> known = all.stream().map(BenchQuery::name).toList();
    List<String> unknown = new ArrayList<>();
    for (String name : wanted) {
      if (!known.contains(name)) {
        unknown.add(name);
      }
    }
    if (!unknown.isEmpty()) {
      throw new LagoaException(
          ErrorCode.INVALID_ARGUMENT,
          "cannot run "
              + (unknown.size() == 1 ? "query " : "queries ")
              + String.join(", ", unknown)
              + ": the "
              + label()
              + " suite has "
              + String.join(", ", known));
    }
    return all.stream().filter(query -> wanted.contains(query.name())).toList();
  }

  private static List<BenchQuery> salesQueries() {
    return List.of(
        new BenchQuery(
            "full_scan",
            "COUNT(*) of every sale (Iceberg answers it from metadata)",
            "SELECT COUNT(*) AS vendas FROM ${vendas}"),
        new BenchQuery(
            "full_scan_sum",
            "SUM over every row: reads the valor column of every file",
            "SELECT SUM(valor) AS receita, SUM(quantidade) AS unidades FROM ${vendas}"),
        new BenchQuery(
            "partition_filter",
            "one month: ano = 2023 AND mes = 1",
            "SELECT COUNT(*) AS vendas, SUM(valor) AS receita FROM ${vendas}"
                + " WHERE ano = 2023 AND mes = 1"),
        new BenchQuery(
            "aggregation",
            "sales, units and revenue per produto (1,000 groups)",
            "SELECT produto, COUNT(*) AS vendas, SUM(quantidade) AS unidades, SUM(valor) AS receita"
                + " FROM ${vendas} GROUP BY produto ORDER BY receita DESC"),
        new BenchQuery(
            "join",
            "vendas JOIN estoque on produto, revenue per armazem",
            "SELECT e.armazem, COUNT(*) AS vendas, SUM(v.valor) AS receita,"
                + " SUM(v.quantidade * e.preco) AS valor_tabela"
                + " FROM ${vendas} v JOIN ${estoque} e ON v.produto = e.produto"
                + " GROUP BY e.armazem ORDER BY receita DESC"),
        new BenchQuery(
            "needle", "one sale by id", "SELECT * FROM ${vendas} WHERE id = ${needle_id}"),
        new BenchQuery(
            "range_filter",
            "valor BETWEEN 100 AND 110",
            "SELECT COUNT(*) AS vendas, SUM(quantidade) AS unidades FROM ${vendas}"
                + " WHERE valor BETWEEN 100 AND 110"));
  }

  /**
   * TPC-H's 22 queries with the specification's validation parameters, as the tpch library ships
   * them. They are written for Trino; Spark SQL takes them with two changes: q6's {@code decimal
   * '0.06'} literals become plain decimals, and q15's view is a temporary one. DuckDB takes Spark's
   * text but for q20's {@code date('1994-01-01')}, which becomes a {@code DATE} literal.
   */
  private static List<BenchQuery> tpchQueries() {
    List<BenchQuery> queries = new ArrayList<>();
    for (int number = 1; number <= 22; number++) {
      String text = resource("io/trino/tpch/queries/q" + number + ".sql");
      StringBuilder sql = new StringBuilder();
      for (String line : text.split("\n")) {
        if (!line.strip().startsWith("--")) {
          sql.append(line).append('\n');
        }
      }
      List<String> statements =
          new ArrayList<>(
              Arrays.stream(sql.toString().split(";"))
                  .map(String::strip)
                  .filter(statement -> !statement.isEmpty())
                  .map(
                      statement ->
                          statement
                              .replace("CREATE OR REPLACE VIEW", "CREATE OR REPLACE TEMPORARY VIEW")
                              .replaceAll("(?i)decimal\\s*'([0-9.]+)'", "$1"))
                  .toList());
      String query = statements.remove(statements.size() - 1);
      BenchQuery tpch = new BenchQuery("q" + number, "TPC-H Q" + number, statements, query);
      // DuckDB has no date('...') function (Spark and Trino do): q20 gets a DATE literal.
      String duckDb = query.replaceAll("(?i)\\bdate\\('([0-9-]+)'\\)", "DATE '$1'");
      queries.add(duckDb.equals(query) ? tpch : tpch.withDuckDb(duckDb));
    }
    return queries;
  }

  private static String resource(String name) {
    try (InputStream in = Suite.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new LagoaException(
            ErrorCode.INTERNAL_ERROR,
            "cannot find " + name + " in the tpch library on the class path");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
