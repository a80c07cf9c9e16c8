package io.lagoa.spark.pipeline.source;

import io.lagoa.cdc.PostgresCdcConfig;
import io.lagoa.cdc.PostgresCdcEngine;
import io.lagoa.pipeline.SourceCall;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.io.FileIO;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The source readers of one warehouse, and the state they keep across runs: Kafka admin clients
 * (one per cluster and client settings), FileIOs (per catalog properties), the file logs loaded
 * last (per source) and the running PostgreSQL change capture engines (per server and slot).
 * Whoever runs pipelines creates one and closes it when done; closing closes the admin clients,
 * FileIOs and engines (which acknowledge nothing more to their slots). Nothing here is static, so
 * two warehouses in one JVM share nothing.
 */
public final class SourceReaders implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SourceReaders.class);

  private final Map<String, Admin> admins = new ConcurrentHashMap<>();
  private final Map<Map<String, String>, FileIO> fileIos = new ConcurrentHashMap<>();
  private final Map<String, PostgresCdcEngine> postgresEngines = new ConcurrentHashMap<>();
  private final FileLog fileLog = new FileLog();
  private volatile boolean closed;

  /** The reader of a call in a dataset's query. */
  public SourceReader reader(
      SparkSession spark, Catalog catalog, SourceCall call, Path pipelineFolder, String target) {
    return switch (call.kind()) {
      case KAFKA -> kafka(spark, call);
      case FILES -> files(spark, catalog, call, pipelineFolder, target);
      case POSTGRES_CDC -> postgres(spark, catalog, call, target);
    };
  }

  public KafkaSourceReader kafka(SparkSession spark, SourceCall call) {
    checkOpen();
    return new KafkaSourceReader(spark, call, this);
  }

  /**
   * @param pipelineFolder the folder a relative path is relative to
   * @param target the streaming table the files go to, whose file logs keep track of them
   */
  public FilesSourceReader files(
      SparkSession spark, Catalog catalog, SourceCall call, Path pipelineFolder, String target) {
    checkOpen();
    return new FilesSourceReader(spark, catalog, call, pipelineFolder, target, this);
  }

  /**
   * @param catalog where a dry run finds the target's stored position
   * @param target the streaming table the changes go to, whose name gives the default slot
   */
  public PostgresCdcSourceReader postgres(
      SparkSession spark, Catalog catalog, SourceCall call, String target) {
    checkOpen();
    return new PostgresCdcSourceReader(spark, catalog, call, target, this);
  }

  /**
   * The running engine of a slot, started from {@code stored} when there is none, or when the one
   * running is not where the table's data ends (a batch of another process was committed, the table
   * was refreshed or rolled back), has other settings, or stopped.
   */
  synchronized PostgresCdcEngine postgresEngine(PostgresCdcConfig config, String stored) {
    checkOpen();
    PostgresCdcEngine engine = postgresEngines.get(config.engineKey());
    if (engine != null
        && (engine.stopped()
            || !engine.config().equals(config)
            || !java.util.Objects.equals(
                blankToNull(engine.acknowledged()), blankToNull(stored)))) {
      LOG.debug("postgres-cdc {}: restarting the engine from {}", config.slot(), stored);
      postgresEngines.remove(config.engineKey());
      engine.close();
      engine = null;
    }
    if (engine == null) {
      engine = PostgresCdcEngine.start(config, stored);
      postgresEngines.put(config.engineKey(), engine);
    }
    return engine;
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }

  /** Forgets the loaded file logs, as a new process would (tests). */
  public void forgetFileLogs() {
    fileLog.forget();
  }

  FileLog fileLog() {
    return fileLog;
  }

  /** The admin client of a Kafka cluster with the given client settings. */
  Admin admin(String servers, Map<String, String> kafkaOptions) {
    checkOpen();
    return admins.computeIfAbsent(
        adminKey(servers, kafkaOptions),
        key -> {
          Properties properties = new Properties();
          properties.putAll(kafkaOptions);
          properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
          properties.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
          properties.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
          properties.put(AdminClientConfig.CLIENT_ID_CONFIG, "lagoa-offsets");
          return Admin.create(properties);
        });
  }

  /** Drops (and closes) an admin client that failed, so the next use connects anew. */
  void dropAdmin(String servers, Map<String, String> kafkaOptions) {
    Admin admin = admins.remove(adminKey(servers, kafkaOptions));
    if (admin != null) {
      closeQuietly(admin);
    }
  }

  /** The FileIO for the given properties, created once. */
  FileIO fileIo(Map<String, String> properties, Supplier<FileIO> create) {
    checkOpen();
    return fileIos.computeIfAbsent(properties, p -> create.get());
  }

  private static String adminKey(String servers, Map<String, String> kafkaOptions) {
    return servers + " " + new java.util.TreeMap<>(kafkaOptions);
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("Cannot read sources: the source readers are closed");
    }
  }

  @Override
  public void close() {
    closed = true;
    List<AutoCloseable> open = new ArrayList<>(admins.values());
    open.addAll(fileIos.values());
    synchronized (this) {
      open.addAll(postgresEngines.values());
      postgresEngines.clear();
    }
    admins.clear();
    fileIos.clear();
    fileLog.forget();
    for (AutoCloseable resource : open) {
      closeQuietly(resource);
    }
  }

  private static void closeQuietly(AutoCloseable resource) {
    try {
      if (resource instanceof Admin admin) {
        admin.close(Duration.ofSeconds(2));
      } else {
        resource.close();
      }
    } catch (Exception e) {
      LOG.debug("cannot close {}: {}", resource, e.toString());
    }
  }
}
