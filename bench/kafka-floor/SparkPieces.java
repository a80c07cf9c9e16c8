// Spark alone, piece by piece: Kafka source, from_json, and the Iceberg write of parsed rows (README.md).
import org.apache.spark.sql.*;
import org.apache.spark.sql.types.*;
import org.apache.spark.storage.StorageLevel;
import static org.apache.spark.sql.functions.*;
import java.util.*;

public class SparkPieces {
  static long t0;
  static void start() { t0 = System.nanoTime(); }
  static void stop(String what, long rows) { double s = (System.nanoTime() - t0) / 1e9; System.out.printf("%-40s %6.2f s  %8.0f rows/s%n", what, s, rows / s); }
  public static void main(String[] a) throws Exception {
    String servers = a[0], topic = a[1], mode = a.length > 2 ? a[2] : "all";
    SparkSession spark = SparkSession.builder().master("local[2]").config("spark.ui.enabled", "false")
      .config("spark.sql.shuffle.partitions", "2")
      .config("spark.sql.catalog.h", "org.apache.iceberg.spark.SparkCatalog")
      .config("spark.sql.catalog.h.type", "hadoop").config("spark.sql.catalog.h.warehouse", System.getProperty("java.io.tmpdir") + "/kafka-floor-wh")
      .getOrCreate();
    StructType schema = StructType.fromDDL("event_id BIGINT, user_id BIGINT, first_name STRING, last_name STRING, song STRING, artist STRING, duration_ms BIGINT, played_at STRING, note STRING");
    for (int round = 0; round < 2; round++) {
      System.out.println("round " + round);
      Dataset<Row> raw = spark.read().format("kafka").option("kafka.bootstrap.servers", servers).option("subscribe", topic)
        .option("startingOffsets", "earliest").option("endingOffsets", "latest").load();
      long n;
      start(); raw.select(col("value")).write().format("noop").mode("overwrite").save(); stop("kafka value -> noop", 200000);
      start(); raw.select(col("value"), col("key"), col("topic"), col("partition"), col("offset"), col("timestamp")).write().format("noop").mode("overwrite").save(); stop("kafka all cols -> noop", 200000);
      Dataset<Row> parsed = raw.select(from_json(col("value").cast("string"), schema).as("p")).select("p.*");
      start(); parsed.write().format("noop").mode("overwrite").save(); stop("kafka + from_json -> noop", 200000);
      Dataset<Row> cached = parsed.persist(StorageLevel.MEMORY_ONLY()); n = cached.count();
      spark.sql("DROP TABLE IF EXISTS h.db.t" + round);
      spark.sql("CREATE TABLE h.db.t" + round + " (" + schema.toDDL() + ") USING iceberg");
      start(); cached.writeTo("h.db.t" + round).append(); stop("cached rows -> iceberg", n);
      start(); cached.write().format("noop").mode("overwrite").save(); stop("cached rows -> noop", n);
      start(); cached.write().mode("overwrite").parquet(System.getProperty("java.io.tmpdir") + "/kafka-floor-pq" + round); stop("cached rows -> spark parquet", n);
      cached.unpersist();
    }
  }
}
