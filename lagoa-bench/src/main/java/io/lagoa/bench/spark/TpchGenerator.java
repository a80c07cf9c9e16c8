package io.lagoa.bench.spark;

import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import io.trino.tpch.TpchColumn;
import io.trino.tpch.TpchEntity;
import io.trino.tpch.TpchTable;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.apache.iceberg.catalog.Catalog;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Generates the eight TPC-H tables at a scale factor with the tpch library (a port of TPC's dbgen),
 * in parallel: each Spark task generates one part of a table, as dbgen's -C/-S options do. Money
 * columns are DECIMAL(15,2) as the specification defines them.
 */
public final class TpchGenerator {
  private static final double LINEITEM_ROWS_PER_SCALE = 6_000_000;

  private final SparkSession spark;
  private final Catalog catalog;

  public TpchGenerator(SparkSession spark, Catalog catalog) {
    this.spark = spark;
    this.catalog = catalog;
  }

  /** Table names in the order they are generated, smallest first. */
  public static List<String> tableNames() {
    return List.of(
        "region", "nation", "supplier", "customer", "part", "partsupp", "orders", "lineitem");
  }

  /**
   * Replaces the benchmark's own TPC-H tables in {@code namespace}.
   *
   * @param progress told each table's name before it is generated
   */
  public long generate(double scaleFactor, String namespace, Consumer<String> progress) {
    if (!(scaleFactor > 0) || scaleFactor > 10_000) {
      throw new LagoaException(
          ErrorCode.INVALID_ARGUMENT,
          "cannot generate TPC-H at scale factor "
              + scaleFactor
              + ": choose a scale factor above 0 and at most 10000, e.g. 0.1 or 1");
    }
    for (String table : tableNames()) {
      BenchTables.checkOwnership(catalog, namespace + "." + table, "generate TPC-H tables");
    }
    spark.sql("CREATE NAMESPACE IF NOT EXISTS " + namespace);
    long rows = 0;
    for (String name : tableNames()) {
      progress.accept(name);
      TpchTable<?> table = TpchTable.getTable(name);
      String target = namespace + "." + name;
      spark.sql("DROP TABLE IF EXISTS " + target + " PURGE");
      int parts = parts(name, scaleFactor);
      StructType schema = schema(table);
      JavaSparkContext context = JavaSparkContext.fromSparkContext(spark.sparkContext());
      JavaRDD<Row> data =
          context
              .parallelize(IntStream.rangeClosed(1, parts).boxed().toList(), parts)
              .flatMap(part -> generate(name, scaleFactor, part, parts));
      spark
          .createDataFrame(data, schema)
          .writeTo(target)
          .using("iceberg")
          .tableProperty(BenchTables.OWNER_PROPERTY, "true")
          .tableProperty("lagoa.bench.scale-factor", Double.toString(scaleFactor))
          .createOrReplace();
      rows += BenchTables.rows(catalog.loadTable(BenchTables.identifier(target)));
    }
    return rows;
  }

  /** One task per million rows or so; nation and region are one part. */
  private int parts(String table, double scaleFactor) {
    if (table.equals("nation") || table.equals("region")) {
      return 1;
    }
    double rows =
        switch (table) {
          case "lineitem" -> LINEITEM_ROWS_PER_SCALE * scaleFactor;
          case "orders" -> 1_500_000 * scaleFactor;
          case "partsupp" -> 800_000 * scaleFactor;
          default -> 200_000 * scaleFactor;
        };
    int cores = spark.sparkContext().defaultParallelism();
    return (int)
        Math.max(1, Math.min(10_000, Math.max(Math.min(cores, rows / 1000), rows / 1_000_000)));
  }

  static StructType schema(TpchTable<?> table) {
    StructType schema = new StructType();
    for (TpchColumn<?> column : table.getColumns()) {
      schema = schema.add(column.getColumnName(), type(column), false);
    }
    return schema;
  }

  private static DataType type(TpchColumn<?> column) {
    return switch (column.getType().getBase()) {
      case INTEGER -> DataTypes.IntegerType;
      case IDENTIFIER -> DataTypes.LongType;
      case DATE -> DataTypes.DateType;
      case DOUBLE -> DataTypes.createDecimalType(15, 2);
      case VARCHAR -> DataTypes.StringType;
    };
  }

  @SuppressWarnings("unchecked")
  private static Iterator<Row> generate(String name, double scaleFactor, int part, int parts) {
    TpchTable<TpchEntity> table = (TpchTable<TpchEntity>) TpchTable.getTable(name);
    List<TpchColumn<TpchEntity>> columns = table.getColumns();
    Iterator<TpchEntity> entities = table.createGenerator(scaleFactor, part, parts).iterator();
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return entities.hasNext();
      }

      @Override
      public Row next() {
        TpchEntity entity = entities.next();
        Object[] values = new Object[columns.size()];
        for (int i = 0; i < values.length; i++) {
          values[i] = value(columns.get(i), entity);
        }
        return RowFactory.create(values);
      }
    };
  }

  private static Object value(TpchColumn<TpchEntity> column, TpchEntity entity) {
    return switch (column.getType().getBase()) {
      case INTEGER -> column.getInteger(entity);
      case IDENTIFIER -> column.getIdentifier(entity);
      case DATE -> LocalDate.ofEpochDay(column.getDate(entity));
      case DOUBLE -> BigDecimal.valueOf(column.getDouble(entity)).setScale(2, RoundingMode.HALF_UP);
      case VARCHAR -> column.getString(entity);
    };
  }
}
