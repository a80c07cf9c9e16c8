package io.lagoa.service;

import io.lagoa.catalog.CatalogProperties;
import io.lagoa.catalog.LagoaCatalogs;
import io.lagoa.config.LagoaConfig;
import io.lagoa.spark.JobProgress;
import io.lagoa.spark.LagoaSpark;
import io.lagoa.spark.SparkSql;
import io.lagoa.spark.pipeline.source.SourceReaders;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.io.FileIO;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One warehouse: its configuration, its Iceberg catalog, its storage and (started on first use) its
 * Spark session, with what hangs off them. Services take a Lakehouse; nothing of it lives in a
 * static, so two lakehouses on two warehouses work side by side in one JVM.
 *
 * <p>Everything is opened lazily: commands that only read metadata never start Spark. {@link
 * #close()} closes what this lakehouse opened. The SparkContext under the session is the JVM's,
 * shared by every lakehouse in it, and is left running; its session is let go. Safe to use from
 * several threads.
 */
public final class Lakehouse implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Lakehouse.class);
  private static final Set<String> OBJECT_STORE_SCHEMES = Set.of("s3", "s3a");
  private static final String HADOOP_FILE_IO = "org.apache.iceberg.hadoop.HadoopFileIO";

  private final LagoaConfig config;
  private Catalog catalog;
  private SparkSession session;
  private JobProgress progress;
  private SparkSql sql;
  private final Map<String, FileIO> fileIos = new LinkedHashMap<>();
  private SourceReaders sources;
  private boolean closed;

  private Lakehouse(LagoaConfig config) {
    this.config = config;
  }

  /** A lakehouse on the configured warehouse; nothing is opened until used. */
  public static Lakehouse open(LagoaConfig config) {
    return new Lakehouse(config);
  }

  public LagoaConfig config() {
    return config;
  }

  /** The Iceberg catalog through the Iceberg API (no engine), opened on first use. */
  public synchronized Catalog catalog() {
    checkOpen();
    if (catalog == null) {
      catalog = LagoaCatalogs.open(config);
    }
    return catalog;
  }

  /** Whether the engine session was started (by {@link #sql()} or {@link #session()}). */
  public synchronized boolean engineStarted() {
    return session != null;
  }

  /** The Spark session on this warehouse, started on first use. */
  public synchronized SparkSession session() {
    checkOpen();
    if (session == null) {
      SparkSession started = LagoaSpark.session(config);
      progress = JobProgress.attach(started.sparkContext());
      session = started;
    }
    return session;
  }

  /** SQL on this warehouse's session, starting it on first use. */
  public synchronized SparkSql sql() {
    if (sql == null) {
      SparkSession started = session();
      sql = new SparkSql(started, progress);
    }
    return sql;
  }

  /** Task progress of the engine, for progress bars; starts the session on first use. */
  public synchronized JobProgress progress() {
    session();
    return progress;
  }

  /**
   * The FileIO for files at a location: Iceberg's S3FileIO for {@code s3://} and {@code s3a://},
   * Hadoop's file systems for other locations (or the io-impl configured for the catalog, unless
   * that is S3FileIO). Built from the catalog's properties once per kind and closed with the
   * lakehouse.
   */
  public synchronized FileIO fileIO(String location) {
    checkOpen();
    Map<String, String> properties = CatalogProperties.of(config);
    String configured = properties.getOrDefault("io-impl", HADOOP_FILE_IO);
    String impl =
        objectStore(location)
            ? CatalogProperties.S3_FILE_IO
            // a local folder beside a warehouse on S3 (a backup location, say) is not S3's
            : configured.equals(CatalogProperties.S3_FILE_IO) ? HADOOP_FILE_IO : configured;
    FileIO io = fileIos.get(impl);
    if (io == null) {
      io =
          LagoaCatalogs.openFileIO(
              config, impl, "the file client " + impl + " for " + location, "");
      fileIos.put(impl, io);
    }
    return io;
  }

  /**
   * The pipeline source readers of this warehouse: they keep Kafka admin clients, file clients and
   * loaded logs of ingested files from one run to the next; closed with the lakehouse.
   */
  public synchronized SourceReaders sources() {
    checkOpen();
    if (sources == null) {
      sources = new SourceReaders();
    }
    return sources;
  }

  private static boolean objectStore(String location) {
    try {
      String scheme = URI.create(location).getScheme();
      return scheme != null && OBJECT_STORE_SCHEMES.contains(scheme.toLowerCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException(
          "Cannot use lakehouse on " + config.warehouse() + ": it is closed");
    }
  }

  /**
   * Closes the catalog and file clients, stops tracking the engine's progress and lets the session
   * go. Closing twice does nothing.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    List<AutoCloseable> opened = new ArrayList<>(fileIos.values());
    fileIos.clear();
    if (catalog instanceof AutoCloseable closeable) {
      opened.add(closeable);
    }
    if (progress != null) {
      opened.add(progress);
    }
    if (sources != null) {
      opened.add(sources);
    }
    for (AutoCloseable closeable : opened) {
      try {
        closeable.close();
      } catch (Exception e) {
        // closing a catalog's connection pool or a file client cannot lose data
        LOG.debug("closing {} failed", closeable, e);
      }
    }
    if (session != null
        && SparkSession.getActiveSession().isDefined()
        && SparkSession.getActiveSession().get() == session) {
      SparkSession.clearActiveSession();
    }
    catalog = null;
    progress = null;
    sources = null;
    sql = null;
    session = null;
  }
}
