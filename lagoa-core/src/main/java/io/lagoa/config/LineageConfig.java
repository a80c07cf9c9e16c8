package io.lagoa.config;

import io.lagoa.text.SecretPatterns;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * Where pipeline runs send OpenLineage events, resolved from the {@code lineage.*} keys.
 *
 * @param file set exactly when the transport is {@link Transport#FILE}; absolute
 * @param url the full endpoint events are POSTed to, set exactly for {@link Transport#HTTP}
 * @param namespace the OpenLineage job namespace
 * @param timeout how long one HTTP call may take (connect, send, answer)
 */
public record LineageConfig(
    Transport transport,
    Optional<Path> file,
    Optional<URI> url,
    Optional<Secret> apiKey,
    String namespace,
    Duration timeout) {

  /** The path OpenLineage's HTTP API (and Marquez) takes events at, below a base URL. */
  public static final String DEFAULT_ENDPOINT = "/api/v1/lineage";

  public enum Transport {
    NONE,
    FILE,
    HTTP,
    CONSOLE;

    static Transport fromName(String name) {
      return valueOf(name.toUpperCase(Locale.ROOT));
    }

    public String configName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public static LineageConfig none() {
    return new LineageConfig(
        Transport.NONE,
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        "lagoa",
        Duration.ofSeconds(5));
  }

  public boolean enabled() {
    return transport != Transport.NONE;
  }

  /** Where events go, for messages: the file, the URL or stderr. */
  public String describeTarget() {
    return switch (transport) {
      case NONE -> "nowhere";
      case FILE -> file.map(Path::toString).orElse("");
      case HTTP -> url.map(URI::toString).orElse("");
      case CONSOLE -> "stderr";
    };
  }

  /** The URL without a key written into its query ({@code ?api_key=}) or user info. */
  @Override
  public String toString() {
    return "LineageConfig[transport="
        + transport
        + ", file="
        + file
        + ", url="
        + url.map(uri -> SecretPatterns.maskText(uri.toString()))
        + ", apiKey="
        + apiKey
        + ", namespace="
        + namespace
        + ", timeout="
        + timeout
        + "]";
  }
}
