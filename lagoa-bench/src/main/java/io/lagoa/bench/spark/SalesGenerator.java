package io.lagoa.bench.spark;

import io.lagoa.bench.Layout;
import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Generates the sales benchmark's tables: {@code vendas} (one row per sale in 2023) and {@code
 * estoque} (price and warehouse of each of the 1,000 products).
 *
 * <p>Every value is a hash of the sale's id and the seed, so the same seed gives the same rows
 * whatever the number of cores or tasks. Sales follow a realistic shape: a few products sell far
 * more than the rest (the k-th product's share falls like a power law), November and December sell
 * the most, Saturdays more than Sundays, Black Friday three times a normal day. Ids grow with time,
 * as real order ids do, so each Spark task writes a contiguous run of days: the write needs no
 * shuffle and no sort, which keeps generating 1 GB to about a minute on two cores.
 */
public final class SalesGenerator {
  /**
   * Bytes a sale takes on disk (zstd Parquet, monthly partitions): 5.5 measured at 2M and 10M rows;
   * ids in order and dictionary-encoded products compress well.
   */
  public static final double BYTES_PER_ROW = 5.5;

  public static final int PRODUCTS = 1000;
  public static final int YEAR = 2023;
  public static final String VENDAS = "vendas";
  public static final String ESTOQUE = "estoque";

  /** The fewest sales rows generated. */
  public static final long MIN_ROWS = 1000;

  /** The most sales rows generated. */
  public static final long MAX_ROWS = 100_000_000_000L;

  /** What to generate. */
  public record Options(long rows, long seed, String namespace, Layout layout) {
    public Options {
      if (rows < MIN_ROWS || rows > MAX_ROWS) {
        throw new LagoaException(
            ErrorCode.INVALID_ARGUMENT,
            "cannot generate "
                + rows
                + " rows: the row count must be between "
                + MIN_ROWS
                + " and "
                + MAX_ROWS
                + " (or the data size large enough for "
                + MIN_ROWS
                + " rows, e.g. 1GB)");
      }
    }

    public String vendas() {
      return namespace + "." + VENDAS;
    }

    public String estoque() {
      return namespace + "." + ESTOQUE;
    }
  }

  /** What was written. */
  public record Generated(String vendas, String estoque, long rows, long bytes, long dataFiles) {}

  /** Rows for about this many bytes on disk. */
  public static long rowsForBytes(long bytes) {
    return Math.max(1000, Math.round(bytes / BYTES_PER_ROW));
  }

  private final SparkSession spark;
  private final Catalog catalog;

  public SalesGenerator(SparkSession spark, Catalog catalog) {
    this.spark = spark;
    this.catalog = catalog;
  }

  /** Replaces the benchmark's own vendas and estoque tables with freshly generated ones. */
  public Generated generate(Options options) {
    String command = "generate " + options.vendas();
    BenchTables.checkOwnership(catalog, options.vendas(), command);
    BenchTables.checkOwnership(catalog, options.estoque(), command);
    spark.sql("CREATE NAMESPACE IF NOT EXISTS " + options.namespace());
    spark.sql("DROP TABLE IF EXISTS " + options.vendas() + " PURGE");
    spark.sql("DROP TABLE IF EXISTS " + options.estoque() + " PURGE");

    spark.sql(
        "CREATE TABLE "
            + options.estoque()
            + " USING iceberg TBLPROPERTIES ("
            + properties(ownerProperties(options))
            + ") AS "
            + estoqueQuery(options.seed()));

    Map<String, String> vendasProperties = ownerProperties(options);
    vendasProperties.put("lagoa.bench.layout", options.layout().label());
    vendasProperties.putAll(options.layout().tableProperties());
    // Rows arrive clustered by date within each task: write them as they come, no shuffle.
    vendasProperties.put("write.distribution-mode", "none");
    vendasProperties.put("write.spark.fanout.enabled", "true");
    spark.sql(createVendas(options.vendas(), options.layout(), vendasProperties));
    if (!options.layout().sort().equals("none")) {
      spark.sql(
          "ALTER TABLE "
              + options.vendas()
              + " WRITE LOCALLY ORDERED BY "
              + options.layout().sort());
    }

    int tasks = tasks(options.rows());
    long bucket = bucketWidth(options.rows());
    String view = "lagoa_bench_days_" + Long.toHexString(System.nanoTime());
    dayBoundaries(dayCounts(options.rows()), bucket).createOrReplaceTempView(view);
    try {
      spark.sql(
          "INSERT INTO "
              + options.vendas()
              + " "
              + vendasQuery(view, options.rows(), tasks, bucket, options.seed()));
    } finally {
      spark.catalog().dropTempView(view);
    }
    Table vendas = catalog.loadTable(BenchTables.identifier(options.vendas()));
    Table estoque = catalog.loadTable(BenchTables.identifier(options.estoque()));
    return new Generated(
        options.vendas(),
        options.estoque(),
        BenchTables.rows(vendas),
        BenchTables.bytes(vendas) + BenchTables.bytes(estoque),
        Long.parseLong(vendas.currentSnapshot().summary().getOrDefault("total-data-files", "0")));
  }

  private static Map<String, String> ownerProperties(Options options) {
    Map<String, String> properties = new LinkedHashMap<>();
    properties.put(BenchTables.OWNER_PROPERTY, "true");
    properties.put("lagoa.bench.seed", Long.toString(options.seed()));
    properties.put("lagoa.bench.rows", Long.toString(options.rows()));
    return properties;
  }

  static String properties(Map<String, String> properties) {
    List<String> pairs = new ArrayList<>();
    properties.forEach((key, value) -> pairs.add("'" + key + "'='" + value + "'"));
    return String.join(", ", pairs);
  }

  static String createVendas(String table, Layout layout, Map<String, String> properties) {
    return "CREATE TABLE "
        + table
        + " (id BIGINT NOT NULL, produto STRING, valor DECIMAL(12,2), quantidade INT, data DATE,"
        + " ano INT, mes INT, dia INT) USING iceberg PARTITIONED BY ("
        + layout.partitioning().clause()
        + ") TBLPROPERTIES ("
        + properties(properties)
        + ")";
  }

  /** About 128 MB of output per task, and at least one task per core. */
  private int tasks(long rows) {
    long bytes = Math.round(rows * BYTES_PER_ROW);
    long wanted = (bytes + (128L << 20) - 1) / (128L << 20);
    int cores = spark.sparkContext().defaultParallelism();
    return (int) Math.max(cores, Math.min(wanted, 10_000));
  }

  /** A uniform number in [0, 1) from the id, the seed and a stream number. */
  private static String uniform(String id, long seed, int stream) {
    return "(CAST(pmod(xxhash64("
        + id
        + ", "
        + seed
        + "L, "
        + stream
        + "), 1000000007) AS DOUBLE) / 1000000007.0D)";
  }

  /** A product's list price: 2.00 to 499.99, fixed by the product number and the seed. */
  private static String listPrice(String product, long seed) {
    return "((200 + pmod(xxhash64(" + product + ", " + seed + "L, 7), 49800)) / 100.0D)";
  }

  static String estoqueQuery(long seed) {
    return "SELECT concat('PROD_', p) AS produto, "
        + "CAST("
        + listPrice("p", seed)
        + " AS DECIMAL(10,2)) AS preco, element_at(array('Sao Paulo', 'Rio de Janeiro', 'Belo Horizonte',"
        + " 'Curitiba', 'Recife'), CAST(pmod(xxhash64(p, "
        + seed
        + "L, 8), 5) AS INT) + 1) AS armazem"
        + " FROM (SELECT CAST(id AS INT) AS p FROM range(0, "
        + PRODUCTS
        + ", 1, 1))";
  }

  static String vendasQuery(String days, long rows, int tasks, long bucket, long seed) {
    return "SELECT id, produto, valor, quantidade, data, year(data) AS ano, month(data) AS mes,"
        + " day(data) AS dia FROM ("
        + " SELECT id, data, concat('PROD_', p) AS produto, q AS quantidade,"
        // cents as a long, then a decimal: far cheaper than rounding a double to a decimal
        + " CAST(CAST(floor("
        + listPrice("p", seed)
        + " * q * (0.85D + 0.3D * u3) * 100 + 0.5D) AS BIGINT) AS DECIMAL(14,0)) * 0.01BD"
        + " AS valor FROM ("
        + " SELECT id, data,"
        + " CAST(floor("
        + PRODUCTS
        + " * u1 * u1) AS INT) AS p,"
        + " least(50, 1 + CAST(floor(-ln(1.0D - u2) * 1.5D) AS INT)) AS q, u3 FROM ("
        + " SELECT /*+ BROADCAST(d) */ r.id, date_add(DATE'"
        + YEAR
        + "-01-01', d.day) AS data, "
        + uniform("r.id", seed, 1)
        + " AS u1, "
        + uniform("r.id", seed, 2)
        + " AS u2, "
        + uniform("r.id", seed, 3)
        + " AS u3 FROM range(1, "
        + (rows + 1)
        + ", 1, "
        + tasks
        + ") r JOIN "
        + days
        + " d ON r.id DIV "
        + bucket
        + " = d.bucket AND r.id BETWEEN d.first_id AND d.last_id)))";
  }

  /** Ids per bucket of the day-boundaries table: about 4,096 buckets in all. */
  static long bucketWidth(long rows) {
    return Math.max(1, (rows + 4095) / 4096);
  }

  /**
   * The ids of each day, keyed by every bucket of ids ({@code id DIV width}) they touch, so the
   * join on bucket finds the one or two days an id can belong to: (bucket, day, first, last).
   */
  private org.apache.spark.sql.Dataset<Row> dayBoundaries(long[] perDay, long width) {
    List<Row> rows = new ArrayList<>();
    for (long[] range : dayRanges(perDay, width)) {
      rows.add(RowFactory.create(range[0], (int) range[1], range[2], range[3]));
    }
    StructType schema =
        new StructType()
            .add("bucket", DataTypes.LongType)
            .add("day", DataTypes.IntegerType)
            .add("first_id", DataTypes.LongType)
            .add("last_id", DataTypes.LongType);
    return spark.createDataFrame(rows, schema);
  }

  /** (bucket, day, first id, last id) for every bucket each day's ids touch; ids start at 1. */
  static List<long[]> dayRanges(long[] perDay, long width) {
    List<long[]> ranges = new ArrayList<>();
    long first = 1;
    for (int day = 0; day < perDay.length; day++) {
      if (perDay[day] == 0) {
        continue;
      }
      long last = first + perDay[day] - 1;
      for (long bucket = first / width; bucket <= last / width; bucket++) {
        ranges.add(new long[] {bucket, day, first, last});
      }
      first = last + 1;
    }
    return ranges;
  }

  /** Sales per day of the year: seasonality by month and weekday, and a few special days. */
  static long[] dayCounts(long rows) {
    double[] monthFactor = {0.80, 0.78, 0.90, 0.88, 0.97, 0.92, 0.95, 0.98, 0.93, 1.00, 1.25, 1.60};
    LocalDate first = LocalDate.of(YEAR, 1, 1);
    int days = first.lengthOfYear();
    double[] weights = new double[days];
    double total = 0;
    for (int i = 0; i < days; i++) {
      LocalDate date = first.plusDays(i);
      double weight = monthFactor[date.getMonthValue() - 1] * weekdayFactor(date.getDayOfWeek());
      if (date.equals(LocalDate.of(YEAR, 11, 24))) {
        weight *= 3.0; // Black Friday
      } else if (date.getMonthValue() == 12
          && date.getDayOfMonth() >= 18
          && date.getDayOfMonth() <= 23) {
        weight *= 1.4;
      } else if (date.getMonthValue() == 12 && date.getDayOfMonth() == 25
          || date.getDayOfYear() == 1) {
        weight *= 0.35;
      }
      weights[i] = weight;
      total += weight;
    }
    long[] counts = new long[days];
    double[] fractions = new double[days];
    long assigned = 0;
    for (int i = 0; i < days; i++) {
      double exact = rows * weights[i] / total;
      counts[i] = (long) Math.floor(exact);
      fractions[i] = exact - counts[i];
      assigned += counts[i];
    }
    // Largest remainders get the rows rounding left over, so the total is exact.
    Integer[] order = IntStream.range(0, days).boxed().toArray(Integer[]::new);
    java.util.Arrays.sort(order, (a, b) -> Double.compare(fractions[b], fractions[a]));
    for (int i = 0; assigned < rows; i++, assigned++) {
      counts[order[i % days]]++;
    }
    return counts;
  }

  private static double weekdayFactor(DayOfWeek day) {
    return switch (day) {
      case MONDAY, TUESDAY -> 0.90;
      case WEDNESDAY -> 0.95;
      case THURSDAY -> 1.00;
      case FRIDAY -> 1.15;
      case SATURDAY -> 1.30;
      case SUNDAY -> 0.80;
    };
  }

  /** The id the needle query looks up: a sale in the autumn, present whatever the row count. */
  public static long needleId(long rows) {
    return Math.max(1, Math.round(rows * 0.61803));
  }
}
