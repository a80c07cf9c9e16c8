package io.lagoa.bench.catalog;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What {@code lagoa bench catalog} measures.
 *
 * @param uri a running server to measure; empty: a server started in this JVM on the configured
 *     catalog
 * @param clients the numbers of concurrent clients, one run each
 * @param duration how long each run measures, after {@code warmup}
 * @param tables how many tables the clients load and commit to (plus one shared hot table)
 * @param reference whether to measure the same operations on the catalog directly (no HTTP)
 */
public record CatalogBenchOptions(
    Optional<URI> uri,
    List<Integer> clients,
    Duration duration,
    Duration warmup,
    int tables,
    List<CatalogOperation> operations,
    boolean reference,
    String namespace) {
  public static final int MAX_CLIENTS = 1024;
  public static final int MAX_TABLES = 10_000;

  public CatalogBenchOptions {
    clients = List.copyOf(clients);
    operations = List.copyOf(operations);
    if (clients.isEmpty()) {
      throw new IllegalArgumentException("Cannot run the catalog bench: no client count given");
    }
    for (int count : clients) {
      if (count < 1 || count > MAX_CLIENTS) {
        throw new IllegalArgumentException(
            "Cannot run " + count + " clients: choose 1 to " + MAX_CLIENTS);
      }
    }
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException(
          "Cannot measure for " + duration.toMillis() + " ms: give a positive duration");
    }
    if (warmup.isNegative()) {
      throw new IllegalArgumentException(
          "Cannot warm up for " + warmup.toMillis() + " ms: give 0 or more");
    }
    if (tables < 1 || tables > MAX_TABLES) {
      throw new IllegalArgumentException(
          "Cannot use " + tables + " tables: choose 1 to " + MAX_TABLES);
    }
    if (operations.isEmpty()) {
      throw new IllegalArgumentException("Cannot run the catalog bench: no operation given");
    }
  }

  public static CatalogBenchOptions defaults() {
    return new CatalogBenchOptions(
        Optional.empty(),
        List.of(1, 8, 32),
        Duration.ofSeconds(20),
        Duration.ofSeconds(3),
        32,
        List.of(CatalogOperation.values()),
        true,
        "lagoa_bench_catalog");
  }

  /**
   * Parses a list of client counts such as {@code 1,8,32}; a message naming the bad value
   * otherwise.
   */
  public static List<Integer> parseClients(String text) {
    List<Integer> counts = new java.util.ArrayList<>();
    for (String part : text.split(",", -1)) {
      String trimmed = part.strip();
      int count;
      try {
        count = Integer.parseInt(trimmed);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "Cannot read the client counts '"
                + text
                + "': '"
                + trimmed
                + "' is not a whole number (e.g. 1,8,32)");
      }
      if (count < 1 || count > MAX_CLIENTS) {
        throw new IllegalArgumentException(
            "Cannot run " + count + " clients: choose 1 to " + MAX_CLIENTS);
      }
      if (!counts.contains(count)) {
        counts.add(count);
      }
    }
    return List.copyOf(counts);
  }
}
