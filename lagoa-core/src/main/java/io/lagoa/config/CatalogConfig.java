package io.lagoa.config;

import io.lagoa.text.SecretPatterns;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Where the Iceberg catalog lives.
 *
 * @param uri a JDBC URL (sqlite, postgres) or an HTTP URL (rest); always set after loading
 */
public record CatalogConfig(
    CatalogType type,
    String uri,
    Optional<String> user,
    Optional<Secret> password,
    Optional<Secret> token,
    Optional<Secret> credential,
    int connectTimeoutSeconds,
    Map<String, String> properties) {

  public CatalogConfig {
    properties = Map.copyOf(properties);
  }

  /** A copy with these extra Iceberg catalog properties instead of its own. */
  public CatalogConfig withProperties(Map<String, String> properties) {
    return new CatalogConfig(
        type, uri, user, password, token, credential, connectTimeoutSeconds, properties);
  }

  /** The URI as it may be printed: a password written into it is masked. */
  public String displayUri() {
    return redact(uri);
  }

  /**
   * Masks secrets in a URL's query ({@code ?password=}) or user info ({@code //u:p@host}), by the
   * rule of {@link io.lagoa.text.SecretPatterns#maskText}.
   */
  public static String redact(String uri) {
    return SecretPatterns.maskText(uri);
  }

  /** Never shows a password in the URI, the password, token or credential, or secret properties. */
  @Override
  public String toString() {
    Map<String, String> shown = new LinkedHashMap<>();
    properties.forEach((key, value) -> shown.put(key, SecretPatterns.maskValue(key, value)));
    return "CatalogConfig[type="
        + type
        + ", uri="
        + displayUri()
        + ", user="
        + user
        + ", password="
        + password
        + ", token="
        + token
        + ", credential="
        + credential
        + ", connectTimeoutSeconds="
        + connectTimeoutSeconds
        + ", properties="
        + shown
        + "]";
  }
}
