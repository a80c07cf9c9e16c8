package io.lagoa.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * How {@code lagoa server} serves the catalog, from the {@code server.*} keys.
 *
 * @param port 0 picks a free port
 * @param anonymousRole the role requests without a token act as; empty: a token is required
 * @param tls how to serve HTTPS; empty: plain HTTP
 */
public record ServerConfig(
    String host,
    int port,
    long maxBodyBytes,
    Duration shutdownGrace,
    Optional<String> anonymousRole,
    Duration tokenLifetime,
    Optional<Tls> tls) {

  public static ServerConfig defaults() {
    return new ServerConfig(
        "0.0.0.0",
        8181,
        16L * 1024 * 1024,
        Duration.ofSeconds(30),
        Optional.empty(),
        Duration.ofHours(1),
        Optional.empty());
  }

  /** A copy listening on {@code host} and {@code port}. */
  public ServerConfig listeningOn(String host, int port) {
    return new ServerConfig(
        host, port, maxBodyBytes, shutdownGrace, anonymousRole, tokenLifetime, tls);
  }

  /**
   * A copy only this machine reaches, on a free port, with plain HTTP, no anonymous role and a
   * short shutdown grace: a server that lives as long as a test or a catalog bench.
   */
  public ServerConfig onFreeLoopbackPort() {
    return new ServerConfig(
        "127.0.0.1",
        0,
        maxBodyBytes,
        Duration.ofSeconds(5),
        Optional.empty(),
        tokenLifetime,
        Optional.empty());
  }

  /** The server's certificate: a keystore, or a PEM certificate chain and private key. */
  public sealed interface Tls {
    record Keystore(Path file, Optional<Secret> password) implements Tls {}

    record Pem(Path certificate, Path privateKey) implements Tls {}
  }
}
