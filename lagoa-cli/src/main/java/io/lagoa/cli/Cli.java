package io.lagoa.cli;

import io.lagoa.cli.logging.MaskingConverter;
import io.lagoa.cli.output.ResultPrinter;
import io.lagoa.cli.shell.ShellContext;
import io.lagoa.config.ConfigException;
import io.lagoa.config.ConfigLoader;
import io.lagoa.config.EffectiveConfig;
import io.lagoa.config.ExplicitConfigFileException;
import io.lagoa.config.LagoaConfig;
import io.lagoa.config.Secrets;
import io.lagoa.service.Lakehouse;
import io.lagoa.spark.SparkSql;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.Map;
import java.util.function.BiFunction;
import org.apache.iceberg.catalog.Catalog;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * What a command runs against: the environment, current folder and output streams of this
 * invocation, and (opened on first use) the configuration and the {@link Lakehouse} it names, which
 * owns the Iceberg catalog and Spark. Commands that only read metadata never pay for starting
 * Spark.
 */
public final class Cli implements ShellContext, AutoCloseable {
  static {
    // java.util.logging (the PostgreSQL driver's, among others) would print straight to stderr,
    // whatever log4j2.properties says. Route it to log4j, as Spark does once it starts, so that
    // file decides for commands that never start Spark and before Spark starts too.
    if (!SLF4JBridgeHandler.isInstalled()) {
      SLF4JBridgeHandler.removeHandlersForRootLogger();
      SLF4JBridgeHandler.install();
    }
  }

  private final Map<String, String> env;
  private final Path workingDir;
  private final PrintWriter out;
  private final PrintWriter err;
  private Path configFile;
  private LagoaConfig config;
  private Lakehouse lakehouse;

  public Cli(Map<String, String> env, Path workingDir, PrintWriter out, PrintWriter err) {
    this.env = Map.copyOf(env);
    this.workingDir = workingDir.toAbsolutePath().normalize();
    this.out = out;
    this.err = err;
  }

  void configFile(Path file) {
    this.configFile = file;
  }

  /** The --config file given on the command line, resolved; null when none was given. */
  public Path configFile() {
    return configFile == null ? null : resolve(configFile.toString());
  }

  public Map<String, String> env() {
    return env;
  }

  public Path workingDir() {
    return workingDir;
  }

  /** Results: the only stream scripts should parse. */
  public PrintWriter out() {
    return out;
  }

  /** Progress, timings and errors. */
  public PrintWriter err() {
    return err;
  }

  public Path resolve(String path) {
    return workingDir.resolve(path).normalize();
  }

  @Override
  public LagoaConfig config() {
    if (config == null) {
      config = readConfig(ConfigLoader::load);
      MaskingConverter.use(secrets());
    }
    return config;
  }

  /** The configuration with where each value came from, for {@code lagoa config}. */
  public EffectiveConfig explainConfig() {
    EffectiveConfig explained = readConfig(ConfigLoader::explain);
    config = explained.config();
    return explained;
  }

  /** Reads the configuration from --config's file, when given; an unreadable one names --config. */
  private <T> T readConfig(BiFunction<ConfigLoader, Path, T> read) {
    try {
      return read.apply(
          new ConfigLoader(env, workingDir),
          configFile == null ? null : resolve(configFile.toString()));
    } catch (ExplicitConfigFileException e) {
      throw new ConfigException("--config", e.getMessage());
    }
  }

  /** The lakehouse the configuration names; nothing of it is opened until used. */
  public Lakehouse lakehouse() {
    if (lakehouse == null) {
      lakehouse = Lakehouse.open(config());
    }
    return lakehouse;
  }

  @Override
  public Catalog catalog() {
    return lakehouse().catalog();
  }

  /** SQL on the lakehouse; starts Spark on first use. */
  @Override
  public SparkSql sql() {
    return lakehouse().sql();
  }

  /**
   * The secrets to mask in whatever this invocation prints: those the environment names, and, once
   * the configuration is loaded, every configured secret value.
   */
  @Override
  public Secrets secrets() {
    Secrets fromEnvironment = Secrets.fromEnvironment(env);
    return config == null ? fromEnvironment : fromEnvironment.and(Secrets.of(config));
  }

  @Override
  public ResultPrinter printer() {
    return new ResultPrinter(ZoneId.systemDefault());
  }

  @Override
  public void close() {
    if (lakehouse != null) {
      lakehouse.close();
    }
    out.flush();
    err.flush();
  }
}
