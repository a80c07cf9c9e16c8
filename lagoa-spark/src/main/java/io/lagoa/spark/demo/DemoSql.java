package io.lagoa.spark.demo;

import io.lagoa.catalog.CatalogProperties;
import java.util.ArrayList;
import java.util.List;

/**
 * The SQL the demo runs. The data is generated inside Spark from {@code range(n)} with hash
 * expressions, so every run produces the same rows for the same row count and nothing is
 * downloaded. Row {@code k} of the generator becomes sale {@code id = k + 1}; the kinds of bad data
 * bronze gets are chosen by {@code k} as well, so tests know exactly which ids carry which problem.
 */
final class DemoSql {
  static final String TYPED_VIEW = "lagoa_demo_tipado";
  static final String BATCH_VIEW = "lagoa_demo_lote";
  static final String CHANGES_VIEW = "lagoa_demo_mudancas";

  /** Ten products with unit prices; names without accents so every terminal aligns them. */
  static final List<String> PRODUCTS =
      List.of(
          "coxinha",
          "pastel",
          "brigadeiro",
          "tapioca",
          "empada",
          "quindim",
          "esfiha",
          "pamonha",
          "cuscuz",
          "canjica");

  static final List<String> PRICES =
      List.of("6.50", "8.00", "3.00", "12.00", "7.50", "5.00", "4.50", "9.00", "10.00", "8.50");

  /** Every 100th row repeats the one before: a file delivered twice. */
  static final int DUPLICATE_EVERY = 100;

  /** Every n-th generator row of the MERGE month gets corrected by the MERGE batch. */
  static final int UPDATE_EVERY = 10;

  /** The month the MERGE batch corrects and adds sales to. */
  static final String MERGE_MONTH = "2025-12-01";

  /** The MERGE batch brings one new sale per this many rows. */
  static final int NEW_EVERY = 100;

  private static final String OWNER = "'" + DemoTables.OWNER_PROPERTY + "' = 'true'";

  private final DemoTables tables;
  private final long rows;

  DemoSql(DemoTables tables, long rows) {
    this.tables = tables;
    this.rows = rows;
  }

  static String quote(String name) {
    StringBuilder quoted = new StringBuilder();
    for (String part : name.split("\\.")) {
      if (quoted.length() > 0) {
        quoted.append('.');
      }
      quoted.append('`').append(part.replace("`", "``")).append('`');
    }
    return quoted.toString();
  }

  String createNamespace(String namespace) {
    return "CREATE NAMESPACE IF NOT EXISTS " + quote(namespace);
  }

  String dropTable(String table) {
    return "DROP TABLE " + quote(table) + " PURGE";
  }

  /**
   * Clean sales for the generator rows {@code keys} yields (one BIGINT column {@code k}): id,
   * produto, quantidade, data, and the unit price and price factor that make valor. Dates spread
   * over {@code days} days from {@code firstDay}.
   */
  private static String generated(String keys, String firstDay, int days) {
    String products = String.join(", ", PRODUCTS.stream().map(p -> "'" + p + "'").toList());
    String prices = String.join(", ", PRICES);
    return "SELECT k, k + 1 AS id,\n"
        + "    element_at(array("
        + products
        + "), pmod(hash(k, 1), 10) + 1) AS produto,\n"
        + "    element_at(array("
        + prices
        + "), pmod(hash(k, 1), 10) + 1) AS preco,\n"
        + "    1 + pmod(hash(k, 3), 12) AS quantidade,\n"
        + "    0.90 + pmod(hash(k, 4), 21) / 100.0 AS fator,\n"
        + "    date_add(DATE'"
        + firstDay
        + "', pmod(hash(k, 5), "
        + days
        + ")) AS data\n"
        + "  FROM ("
        + keys
        + ")";
  }

  private static String generated(String keys) {
    return generated(keys, "2025-01-01", 365);
  }

  private static String valor(String quantidade) {
    return "CAST(round(preco * " + quantidade + " * fator, 2) AS DECIMAL(10,2))";
  }

  /**
   * Bronze: every column a string, as a landing CSV gives them, with the problems real exports
   * have: duplicates (k % 100 = 99 repeats k - 1), no id (k % 500 = 17), valor 'N/A' (k % 600 =
   * 101), quantidade 'dois' (k % 700 = 42), the date 2025-02-30 (k % 800 = 5), and fixable formats:
   * decimal commas (k % 10 = 3), dd/MM/yyyy dates (k % 10 = 7), product names in odd case or with
   * spaces.
   */
  String createBronze() {
    String keys =
        "SELECT CASE WHEN id % "
            + DUPLICATE_EVERY
            + " = "
            + (DUPLICATE_EVERY - 1)
            + " THEN id - 1 ELSE id END AS k FROM range(0, "
            + rows
            + ")";
    return "CREATE TABLE "
        + quote(tables.bronze())
        + "\n"
        + "USING iceberg\n"
        + "TBLPROPERTIES ("
        + OWNER
        + ")\n"
        + "AS SELECT\n"
        + "  CASE WHEN k % 500 = 17 THEN NULL ELSE CAST(id AS STRING) END AS id,\n"
        + "  CASE pmod(hash(k, 2), 20) WHEN 0 THEN upper(produto)"
        + " WHEN 1 THEN concat(' ', produto, ' ') ELSE produto END AS produto,\n"
        + "  CASE WHEN k % 600 = 101 THEN 'N/A'\n"
        + "       WHEN k % 10 = 3 THEN replace(CAST("
        + valor("quantidade")
        + " AS STRING), '.', ',')\n"
        + "       ELSE CAST("
        + valor("quantidade")
        + " AS STRING) END AS valor,\n"
        + "  CASE WHEN k % 700 = 42 THEN 'dois' ELSE CAST(quantidade AS STRING) END AS quantidade,\n"
        + "  CASE WHEN k % 800 = 5 THEN '2025-02-30'\n"
        + "       WHEN k % 10 = 7 THEN date_format(data, 'dd/MM/yyyy')\n"
        + "       ELSE CAST(data AS STRING) END AS data\n"
        + "FROM ("
        + generated(keys)
        + ")";
  }

  /** Bronze ids that show one of each problem, and id 1 as a clean row. */
  static final List<Long> SHOWCASE_IDS = List.of(1L, 4L, 6L, 8L, 43L, 99L, 102L);

  String bronzeSample() {
    return "SELECT id, produto, valor, quantidade, data FROM "
        + tables.bronze()
        + "\n"
        + "WHERE id IN ("
        + showcaseList(true)
        + ") OR id IS NULL\n"
        + "ORDER BY try_cast(id AS BIGINT) NULLS LAST LIMIT "
        + (SHOWCASE_IDS.size() + 2);
  }

  private static String showcaseList(boolean asText) {
    return String.join(
        ", ", SHOWCASE_IDS.stream().map(id -> asText ? "'" + id + "'" : id.toString()).toList());
  }

  /** Bronze parsed with try_cast: a value that does not parse becomes NULL instead of an error. */
  String typedView() {
    return "CREATE OR REPLACE TEMPORARY VIEW "
        + TYPED_VIEW
        + " AS\n"
        + "SELECT *, id IS NOT NULL AND valor IS NOT NULL AND quantidade IS NOT NULL"
        + " AND data IS NOT NULL AS valida\n"
        + "FROM (\n"
        + "  SELECT try_cast(trim(b.id) AS BIGINT) AS id,\n"
        + "    lower(trim(b.produto)) AS produto,\n"
        + "    try_cast(replace(trim(b.valor), ',', '.') AS DECIMAL(10,2)) AS valor,\n"
        + "    try_cast(trim(b.quantidade) AS INT) AS quantidade,\n"
        + "    coalesce(try_cast(trim(b.data) AS DATE), try_to_date(trim(b.data), 'dd/MM/yyyy'))"
        + " AS data,\n"
        + "    coalesce(b.produto <> lower(trim(b.produto)) OR b.valor LIKE '%,%'"
        + " OR b.data LIKE '%/%', false) AS reparada\n"
        + "  FROM "
        + quote(tables.bronze())
        + " AS b)";
  }

  /** Why bronze rows cannot go to silver; each row counts once, for its first problem. */
  String bronzeQuality() {
    return "SELECT count(*) AS lidas,\n"
        + "  count_if(id IS NULL) AS sem_id,\n"
        + "  count_if(id IS NOT NULL AND valor IS NULL) AS valor_invalido,\n"
        + "  count_if(id IS NOT NULL AND valor IS NOT NULL AND quantidade IS NULL)"
        + " AS quantidade_invalida,\n"
        + "  count_if(id IS NOT NULL AND valor IS NOT NULL AND quantidade IS NOT NULL"
        + " AND data IS NULL) AS data_invalida,\n"
        + "  count_if(valida AND reparada) AS reparadas,\n"
        + "  count_if(valida) AS validas\n"
        + "FROM "
        + TYPED_VIEW;
  }

  String createSilver() {
    return "CREATE TABLE "
        + quote(tables.silver())
        + " (\n"
        + "  id BIGINT NOT NULL,\n"
        + "  produto STRING,\n"
        + "  valor DECIMAL(10,2),\n"
        + "  quantidade INT,\n"
        + "  data DATE)\n"
        + "USING iceberg\n"
        + "PARTITIONED BY (months(data))\n"
        + "TBLPROPERTIES ("
        + OWNER
        + ")";
  }

  /** Valid rows, one per id: the duplicates bronze holds are exact copies. */
  String insertSilver() {
    return "INSERT INTO "
        + quote(tables.silver())
        + "\n"
        + "SELECT id, produto, valor, quantidade, data FROM (\n"
        + "  SELECT *, row_number() OVER (PARTITION BY id"
        + " ORDER BY data, valor, quantidade, produto) AS copia\n"
        + "  FROM "
        + TYPED_VIEW
        + " WHERE valida)\n"
        + "WHERE copia = 1";
  }

  String silverSample() {
    return "SELECT id, produto, valor, quantidade, data FROM "
        + tables.silver()
        + "\n"
        + "WHERE id IN ("
        + showcaseList(false)
        + ") ORDER BY id";
  }

  String createGoldByProduct() {
    return "CREATE TABLE "
        + quote(tables.goldByProduct())
        + "\n"
        + "USING iceberg\n"
        + "TBLPROPERTIES ("
        + OWNER
        + ")\n"
        + "AS SELECT produto, count(*) AS vendas, sum(quantidade) AS itens, sum(valor) AS receita,\n"
        + "  CAST(avg(valor) AS DECIMAL(10,2)) AS ticket_medio\n"
        + "FROM "
        + quote(tables.silver())
        + "\n"
        + "GROUP BY produto";
  }

  String createGoldByMonth() {
    return "CREATE TABLE "
        + quote(tables.goldByMonth())
        + "\n"
        + "USING iceberg\n"
        + "TBLPROPERTIES ("
        + OWNER
        + ")\n"
        + "AS SELECT date_format(data, 'yyyy-MM') AS mes, count(*) AS vendas,"
        + " sum(quantidade) AS itens, sum(valor) AS receita\n"
        + "FROM "
        + quote(tables.silver())
        + "\n"
        + "GROUP BY date_format(data, 'yyyy-MM')";
  }

  String goldByProductSample() {
    return "SELECT * FROM " + tables.goldByProduct() + " ORDER BY receita DESC LIMIT 5";
  }

  String goldByMonthSample() {
    return "SELECT * FROM " + tables.goldByMonth() + " ORDER BY mes LIMIT 4";
  }

  /** Sales the MERGE batch adds, with ids after every bronze id. */
  long newRows() {
    return rows / NEW_EVERY;
  }

  /**
   * The batch the MERGE applies, all of it in December, as late corrections for one month arrive:
   * one more item (valor recomputed) for every 10th December sale, none of which bronze spoiled,
   * and new December sales with ids past the end of bronze.
   */
  String batchView() {
    String updates =
        "SELECT id, produto, "
            + valor("(quantidade + 1)")
            + " AS valor,"
            + " quantidade + 1 AS quantidade, data\n"
            + "FROM ("
            + generated(
                "SELECT id AS k FROM range(0, " + rows + ") WHERE id % " + UPDATE_EVERY + " = 0")
            + ")\n"
            + "WHERE data >= DATE'"
            + MERGE_MONTH
            + "'";
    String inserts =
        "SELECT id, produto, "
            + valor("quantidade")
            + " AS valor, quantidade, data\n"
            + "FROM ("
            + generated(
                "SELECT id AS k FROM range(" + rows + ", " + (rows + newRows()) + ")",
                MERGE_MONTH,
                31)
            + ")";
    return "CREATE OR REPLACE TEMPORARY VIEW "
        + BATCH_VIEW
        + " AS\n"
        + updates
        + "\nUNION ALL\n"
        + inserts;
  }

  /**
   * The ON condition names the month the batch touches, so Iceberg reads and rewrites only that
   * partition's files; a batch with other months would need them in the condition too.
   */
  String merge() {
    return "MERGE INTO "
        + quote(tables.silver())
        + " AS t\n"
        + "USING "
        + BATCH_VIEW
        + " AS s\n"
        + "ON t.id = s.id AND t.data >= DATE'"
        + MERGE_MONTH
        + "'\n"
        + "WHEN MATCHED THEN UPDATE SET t.valor = s.valor, t.quantidade = s.quantidade\n"
        + "WHEN NOT MATCHED THEN INSERT (id, produto, valor, quantidade, data)\n"
        + "  VALUES (s.id, s.produto, s.valor, s.quantidade, s.data)";
  }

  /** Both versions of silver side by side: rows before, rows now, rows the MERGE changed. */
  String timeTravelCounts(long before) {
    return "SELECT count(antes.id) AS linhas_antes, count(agora.id) AS linhas_agora,\n"
        + "  count_if(antes.id IS NOT NULL AND agora.id IS NOT NULL"
        + " AND (antes.valor <> agora.valor OR antes.quantidade <> agora.quantidade))"
        + " AS linhas_alteradas\n"
        + "FROM "
        + tables.silver()
        + " VERSION AS OF "
        + before
        + " AS antes\n"
        + "FULL OUTER JOIN "
        + tables.silver()
        + " AS agora ON antes.id = agora.id";
  }

  String timeTravelSample(long before) {
    return "SELECT agora.id, agora.produto, antes.quantidade AS quantidade_antes,"
        + " agora.quantidade AS quantidade_agora,\n"
        + "  antes.valor AS valor_antes, agora.valor AS valor_agora\n"
        + "FROM "
        + tables.silver()
        + " VERSION AS OF "
        + before
        + " AS antes\n"
        + "JOIN "
        + tables.silver()
        + " AS agora ON antes.id = agora.id\n"
        + "WHERE antes.valor <> agora.valor OR antes.quantidade <> agora.quantidade\n"
        + "ORDER BY agora.id LIMIT 3";
  }

  String addColumn() {
    return "ALTER TABLE "
        + quote(tables.silver())
        + " ADD COLUMN desconto DECIMAL(10,2)"
        + " COMMENT 'discount given; NULL for sales recorded before the column existed'";
  }

  String widenColumn() {
    return "ALTER TABLE " + quote(tables.silver()) + " ALTER COLUMN quantidade TYPE BIGINT";
  }

  String schemaSample() {
    return "SELECT id, produto, valor, quantidade, desconto, data FROM "
        + tables.silver()
        + " ORDER BY id LIMIT 3";
  }

  String selectAllAsOf(long snapshot) {
    return "SELECT * FROM " + tables.silver() + " VERSION AS OF " + snapshot;
  }

  /**
   * Iceberg's changelog between two snapshots. Copy-on-write rewrote whole files, so the raw
   * changelog lists every unchanged row of those files as deleted and inserted again; the procedure
   * removes those carry-overs and, with the identifier column, pairs a delete and an insert of the
   * same id into UPDATE_BEFORE / UPDATE_AFTER.
   */
  String changelogView(long from, long to) {
    // The table name carries the catalog: a bare silver.vendas makes Iceberg first try a
    // catalog named silver and log a warning with a stack trace.
    return "CALL "
        + CatalogProperties.CATALOG_NAME
        + ".system.create_changelog_view(\n"
        + "  table => '"
        + CatalogProperties.CATALOG_NAME
        + "."
        + tables.silver()
        + "',\n"
        + "  changelog_view => '"
        + CHANGES_VIEW
        + "',\n"
        + "  options => map('start-snapshot-id', '"
        + from
        + "', 'end-snapshot-id', '"
        + to
        + "'),\n"
        + "  compute_updates => true,\n"
        + "  identifier_columns => array('id'))";
  }

  String changeCounts() {
    return "SELECT _change_type, count(*) AS linhas FROM "
        + CHANGES_VIEW
        + " GROUP BY _change_type ORDER BY _change_type";
  }

  /** Two corrected sales and the first two new ones. */
  String changeSample(List<Long> updatedIds) {
    long firstNew = rows + 1;
    List<String> ids = new ArrayList<>();
    updatedIds.forEach(id -> ids.add(id.toString()));
    ids.add(Long.toString(firstNew));
    ids.add(Long.toString(firstNew + 1));
    return "SELECT _change_type, id, produto, valor, quantidade, data FROM "
        + CHANGES_VIEW
        + "\n"
        + "WHERE id IN ("
        + String.join(", ", ids)
        + ")\n"
        + "ORDER BY id, _change_type DESC";
  }
}
