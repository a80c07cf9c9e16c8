package io.lagoa.testing;

import io.lagoa.config.ConfigLoader;
import io.lagoa.config.LagoaConfig;
import io.lagoa.io.Folders;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A temporary lakehouse folder with the embedded SQLite catalog, removed on close. Each instance is
 * independent, so tests can run side by side.
 */
public final class TestingWarehouse implements AutoCloseable {
  /** The system property that sets the accelerator of every test warehouse, e.g. comet. */
  public static final String ACCELERATOR_PROPERTY = "lagoa.test.accelerator";

  private final Path root;

  private TestingWarehouse(Path root) {
    this.root = root;
  }

  public static TestingWarehouse create() {
    try {
      Path base = Path.of(System.getProperty("java.io.tmpdir"));
      Files.createDirectories(base);
      return new TestingWarehouse(Files.createTempDirectory(base, "lagoa-test-"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The folder tests may use as the current directory of a CLI run. */
  public Path root() {
    return root;
  }

  public Path warehouse() {
    return root.resolve("warehouse");
  }

  /** The default configuration: SQLite catalog inside this warehouse. */
  public LagoaConfig config() {
    return config(Map.of());
  }

  /** The configuration with extra environment variables (e.g. LAGOA_CATALOG_TYPE). */
  public LagoaConfig config(Map<String, String> env) {
    return new ConfigLoader(environment(env), root).load(null);
  }

  /**
   * The environment a CLI run in this warehouse sees: the warehouse and a small Spark. The
   * accelerator follows the system property {@value #ACCELERATOR_PROPERTY} or the variable
   * LAGOA_SPARK_ACCELERATOR of the test JVM, so a whole module can run with and without it.
   */
  public Map<String, String> environment(Map<String, String> extra) {
    Map<String, String> env = new HashMap<>();
    env.put("LAGOA_WAREHOUSE", warehouse().toString());
    env.put("LAGOA_SPARK_SHUFFLE_PARTITIONS", "2");
    String accelerator =
        System.getProperty(ACCELERATOR_PROPERTY, System.getenv("LAGOA_SPARK_ACCELERATOR"));
    if (accelerator != null && !accelerator.isBlank()) {
      env.put("LAGOA_SPARK_ACCELERATOR", accelerator);
    }
    env.putAll(extra);
    return env;
  }

  /** Writes a file under the root and returns its path. */
  public Path writeFile(String name, String content) {
    try {
      Path file = root.resolve(name);
      Files.createDirectories(file.getParent());
      Files.writeString(file, content);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    deleteRecursively(root);
  }

  /**
   * Deletes a test's folder and everything in it, as far as it can: what cannot be deleted (a file
   * a stopped server still writes) stays in the temporary folder for the OS to clean.
   */
  public static void deleteRecursively(Path path) {
    try {
      Folders.deleteRecursively(path);
    } catch (IOException e) {
      // left behind in the temporary folder; not the test's failure
    }
  }
}
