package io.lagoa.bench.catalog;

import io.lagoa.config.LagoaConfig;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.iceberg.IcebergBuild;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.rest.RESTCatalog;
import org.apache.iceberg.types.Types;

/**
 * {@code lagoa bench catalog}: catalog throughput and latency under concurrent clients. Each client
 * is a thread with a catalog of its own, as separate processes would have: Iceberg's {@link
 * RESTCatalog} against a Lagoa server (one started in this JVM on the configured catalog, or one at
 * a URI), and as the reference, the same operations on the catalog the server serves, called
 * through the Iceberg Java API with no HTTP in between. Clients run closed loops (the next
 * operation starts when the last one ends), so latencies are those of a saturated server, not of a
 * fixed arrival rate.
 */
public final class CatalogBench {
  /** Marks tables this bench made; it refuses to touch any other table. */
  public static final String BENCH_PROPERTY = "lagoa.bench";

  static final String COUNTER_PROPERTY = "lagoa.bench.counter";
  static final String HOT_TABLE = "hot";

  /** A commit that loses this many races in a row counts as an error. */
  static final int MAX_ATTEMPTS = 100;

  private static final Schema SCHEMA =
      new Schema(
          Types.NestedField.required(1, "id", Types.LongType.get()),
          Types.NestedField.optional(2, "name", Types.StringType.get()));

  private static final long PROGRESS_NANOS = TimeUnit.SECONDS.toNanos(1);

  private CatalogBench() {}

  /** Runs every operation × client count × target, and drops the bench's tables at the end. */
  public static CatalogBenchResults run(
      LagoaConfig config, CatalogBenchOptions options, CatalogBenchListener listener) {
    Instant startedAt = Instant.now();
    Map<String, String> environment = new LinkedHashMap<>();
    environment.put("cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
    environment.put("load_average_start", loadAverage());
    environment.put("java", System.getProperty("java.version"));
    environment.put("iceberg", IcebergBuild.version());
    environment.put("catalog", config.catalog().type().configName());
    environment.put("catalog_uri", config.catalog().displayUri());

    InProcessServer local = null;
    List<Catalog> toClose = new ArrayList<>();
    try {
      URI uri;
      Catalog direct = null;
      if (options.uri().isPresent()) {
        uri = options.uri().get();
        environment.put("server", uri.toString());
        if (options.reference()) {
          direct = io.lagoa.catalog.LagoaCatalogs.open(config);
          toClose.add(direct);
        }
      } else {
        local = InProcessServer.start(config);
        uri = local.uri();
        environment.put("server", "in-process at " + uri);
        direct = options.reference() ? local.catalog() : null;
      }
      listener.serverReady(environment.get("server"));
      Clients rest =
          Clients.rest(uri, local != null ? local.clientProperties() : credentialsOf(config));

      long preparing = System.nanoTime();
      List<TableIdentifier> tables;
      Catalog setup = rest.open();
      try {
        tables = prepare(setup, options);
        if (options.uri().isPresent() && direct != null) {
          prepare(direct, options);
        }
      } finally {
        rest.close(setup);
      }
      listener.prepared(tables.size(), System.nanoTime() - preparing);

      List<CatalogTarget> targets = new ArrayList<>(List.of(CatalogTarget.REST));
      if (direct != null) {
        targets.add(CatalogTarget.DIRECT);
      }
      int total = options.operations().size() * options.clients().size() * targets.size();
      int index = 0;
      List<CatalogRunResult> runs = new ArrayList<>();
      for (CatalogOperation operation : options.operations()) {
        for (int clients : options.clients()) {
          for (CatalogTarget target : targets) {
            index++;
            listener.runStarting(index, total, target, operation, clients);
            Clients source = target == CatalogTarget.REST ? rest : Clients.shared(direct);
            CatalogRunResult result =
                measure(source, target, operation, clients, tables, options, listener);
            runs.add(result);
            listener.runFinished(index, total, result);
          }
        }
      }

      Catalog cleanup = rest.open();
      try {
        drop(cleanup, options.namespace(), tables);
        if (options.uri().isPresent() && direct != null) {
          drop(direct, options.namespace(), tables);
        }
      } finally {
        rest.close(cleanup);
      }
      environment.put("load_average_end", loadAverage());
      return new CatalogBenchResults(startedAt, environment, options, runs);
    } finally {
      for (Catalog catalog : toClose) {
        closeQuietly(catalog);
      }
      if (local != null) {
        local.close();
      }
    }
  }

  /** The tables of the namespace: {@code t0000}.. and the hot table; made when missing. */
  static List<TableIdentifier> prepare(Catalog catalog, CatalogBenchOptions options) {
    Namespace namespace = Namespace.of(options.namespace());
    if (catalog instanceof SupportsNamespaces namespaces
        && !namespaces.namespaceExists(namespace)) {
      // a mutable map: Iceberg's REST client asks it containsKey(null)
      namespaces.createNamespace(
          namespace, new java.util.HashMap<>(Map.of(BENCH_PROPERTY, "true")));
    }
    List<TableIdentifier> identifiers = new ArrayList<>();
    for (int i = 0; i < options.tables(); i++) {
      identifiers.add(TableIdentifier.of(namespace, String.format("t%04d", i)));
    }
    identifiers.add(TableIdentifier.of(namespace, HOT_TABLE));
    // Every lost race reaches the bench, which counts it and retries at once.
    Map<String, String> properties =
        Map.of(BENCH_PROPERTY, "true", "commit.retry.num-retries", "0");
    for (TableIdentifier identifier : identifiers) {
      Table table;
      try {
        table = catalog.loadTable(identifier);
      } catch (NoSuchTableException e) {
        catalog.createTable(identifier, SCHEMA, PartitionSpec.unpartitioned(), properties);
        continue;
      }
      if (!"true".equals(table.properties().get(BENCH_PROPERTY))) {
        throw new IllegalArgumentException(
            "Cannot use "
                + identifier
                + ": it exists and was not made by lagoa bench (no "
                + BENCH_PROPERTY
                + "=true property)");
      }
    }
    return List.copyOf(identifiers);
  }

  private static void drop(Catalog catalog, String namespace, List<TableIdentifier> tables) {
    for (TableIdentifier table : tables) {
      catalog.dropTable(table, true);
    }
    if (catalog instanceof SupportsNamespaces namespaces) {
      namespaces.dropNamespace(Namespace.of(namespace));
    }
  }

  /** One run: {@code clients} threads, a warm-up, then the measured window. */
  static CatalogRunResult measure(
      Clients source,
      CatalogTarget target,
      CatalogOperation operation,
      int clients,
      List<TableIdentifier> tables,
      CatalogBenchOptions options,
      CatalogBenchListener listener) {
    CountDownLatch ready = new CountDownLatch(clients);
    CountDownLatch go = new CountDownLatch(1);
    AtomicLong operations = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    long[] window = new long[2]; // measuring from, until (System.nanoTime), set before go
    List<Client> workers = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      Client client =
          new Client(source, operation, tables, i, ready, go, window, operations, errors, failure);
      workers.add(client);
      Thread thread = new Thread(client, "lagoa-bench-client-" + i);
      thread.setDaemon(true);
      threads.add(thread);
      thread.start();
    }
    try {
      ready.await();
      if (failure.get() != null) {
        go.countDown();
        throw new IllegalStateException(
            "Cannot start the " + target.label() + " clients: " + failure.get().getMessage(),
            failure.get());
      }
      long start = System.nanoTime();
      window[0] = start + options.warmup().toNanos();
      window[1] = window[0] + options.duration().toNanos();
      go.countDown();
      double totalSeconds = options.duration().toNanos() / 1e9;
      while (System.nanoTime() < window[1]) {
        Thread.sleep(
            Math.min(PROGRESS_NANOS, Math.max(1, window[1] - System.nanoTime())) / 1_000_000);
        listener.progress(
            (System.nanoTime() - window[0]) / 1e9, totalSeconds, operations.get(), errors.get());
      }
      for (Thread thread : threads) {
        thread.join();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Cannot finish the run: interrupted", e);
    }
    Latency latency = new Latency();
    long conflicts = 0;
    long failed = 0;
    long lastEnd = window[1];
    Optional<String> firstError = Optional.empty();
    for (Client client : workers) {
      latency.add(client.latency);
      conflicts += client.conflicts;
      failed += client.errors;
      lastEnd = Math.max(lastEnd, client.lastEnd);
      if (firstError.isEmpty() && client.firstError != null) {
        firstError = Optional.of(client.firstError);
      }
    }
    double seconds = (lastEnd - window[0]) / 1e9;
    return CatalogRunResult.of(
        target, operation, clients, seconds, latency, conflicts, failed, firstError);
  }

  /**
   * For a server at {@code --uri}: the configuration's catalog.credential (client id and secret) or
   * catalog.token, e.g. LAGOA_CATALOG_CREDENTIAL; none for a server with an anonymous role.
   */
  static Map<String, String> credentialsOf(LagoaConfig config) {
    Map<String, String> properties = new LinkedHashMap<>();
    config.catalog().credential().ifPresent(c -> properties.put("credential", c.value()));
    config.catalog().token().ifPresent(t -> properties.put("token", t.value()));
    return properties;
  }

  /** Where a client's catalog comes from and how it is let go. */
  interface Clients {
    Catalog open();

    void close(Catalog catalog);

    static Clients rest(URI uri, Map<String, String> authentication) {
      Map<String, String> properties = new LinkedHashMap<>(authentication);
      properties.put("uri", uri.toString());
      return new Clients() {
        @Override
        public Catalog open() {
          RESTCatalog catalog = new RESTCatalog();
          catalog.initialize("lagoa-bench", properties);
          return catalog;
        }

        @Override
        public void close(Catalog catalog) {
          closeQuietly(catalog);
        }
      };
    }

    /** One catalog for every client, as the server shares one; never closed here. */
    static Clients shared(Catalog catalog) {
      return new Clients() {
        @Override
        public Catalog open() {
          return catalog;
        }

        @Override
        public void close(Catalog ignored) {}
      };
    }
  }

  /** One client thread: opens its catalog, waits for the start, loops until the window ends. */
  private static final class Client implements Runnable {
    private final Clients source;
    private final CatalogOperation operation;
    private final List<TableIdentifier> tables;
    private final int index;
    private final CountDownLatch ready;
    private final CountDownLatch go;
    private final long[] window;
    private final AtomicLong operations;
    private final AtomicLong errorCount;
    private final AtomicReference<Throwable> failure;
    final Latency latency = new Latency();
    long conflicts;
    long errors;
    long lastEnd;
    String firstError;
    private long counter;

    Client(
        Clients source,
        CatalogOperation operation,
        List<TableIdentifier> tables,
        int index,
        CountDownLatch ready,
        CountDownLatch go,
        long[] window,
        AtomicLong operations,
        AtomicLong errorCount,
        AtomicReference<Throwable> failure) {
      this.source = source;
      this.operation = operation;
      this.tables = tables;
      this.index = index;
      this.ready = ready;
      this.go = go;
      this.window = window;
      this.operations = operations;
      this.errorCount = errorCount;
      this.failure = failure;
    }

    @Override
    public void run() {
      Catalog catalog;
      Table table = null;
      try {
        catalog = source.open();
        if (operation == CatalogOperation.COMMIT) {
          table = catalog.loadTable(tables.get(index % (tables.size() - 1)));
        } else if (operation == CatalogOperation.HOT_COMMIT) {
          table = catalog.loadTable(tables.get(tables.size() - 1));
        }
      } catch (RuntimeException e) {
        failure.compareAndSet(null, e);
        ready.countDown();
        return;
      }
      ready.countDown();
      try {
        go.await();
        if (failure.get() != null) {
          return;
        }
        loop(catalog, table);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        source.close(catalog);
      }
    }

    private void loop(Catalog catalog, Table table) {
      long measureFrom = window[0];
      long until = window[1];
      ThreadLocalRandom random = ThreadLocalRandom.current();
      int loadable = tables.size() - 1;
      for (long started = System.nanoTime(); started < until; started = System.nanoTime()) {
        boolean counted = started >= measureFrom;
        try {
          int lost =
              switch (operation) {
                case LOAD_TABLE -> {
                  catalog.loadTable(tables.get(random.nextInt(loadable)));
                  yield 0;
                }
                case COMMIT, HOT_COMMIT -> commit(table);
              };
          long ended = System.nanoTime();
          if (counted) {
            latency.record(ended - started);
            conflicts += lost;
            operations.incrementAndGet();
            lastEnd = ended;
          }
        } catch (RuntimeException e) {
          if (counted) {
            errors++;
            errorCount.incrementAndGet();
            lastEnd = System.nanoTime();
            if (firstError == null) {
              firstError = e.getClass().getSimpleName() + ": " + e.getMessage();
            }
          }
        }
      }
    }

    /** One property update, retried at once on the new metadata after a lost race. */
    private int commit(Table table) {
      for (int attempt = 1; ; attempt++) {
        try {
          table.updateProperties().set(COUNTER_PROPERTY, index + "-" + ++counter).commit();
          return attempt - 1;
        } catch (CommitFailedException e) {
          if (attempt >= MAX_ATTEMPTS) {
            throw e;
          }
          table.refresh();
        }
      }
    }
  }

  /** The 1, 5 and 15 minute load averages, as /proc/loadavg gives them, or the JVM's 1 minute. */
  public static String loadAverage() {
    try {
      String[] parts = Files.readString(Path.of("/proc/loadavg")).strip().split("\\s+");
      if (parts.length >= 3) {
        return parts[0] + " " + parts[1] + " " + parts[2];
      }
    } catch (IOException | RuntimeException e) {
      // not Linux: the JVM's figure below
    }
    double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    return load < 0 ? "unknown" : String.format(java.util.Locale.ROOT, "%.2f", load);
  }

  private static void closeQuietly(Catalog catalog) {
    if (catalog instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception e) {
        // closing a client at the end of a run; nothing to report
      }
    }
  }
}
