package io.lagoa.config;

import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

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

  private static final Pattern SECRET_PARAMETER =
      Pattern.compile("(?i)([?&;](?:password|sslpassword|token|credential)=)[^&;]*");
  private static final Pattern USER_INFO = Pattern.compile("(//[^/@:?#]*:)[^/@?#]*@");

  public CatalogConfig {
    properties = Map.copyOf(properties);
  }

  /** The URI as it may be printed: a password written into it is masked. */
  public String displayUri() {
    return redact(uri);
  }

  /** Masks passwords in a URL's query ({@code ?password=}) or user info ({@code //u:p@host}). */
  public static String redact(String uri) {
    if (uri == null) {
      return null;
    }
    String masked = SECRET_PARAMETER.matcher(uri).replaceAll("$1******");
    return USER_INFO.matcher(masked).replaceAll("$1******@");
  }
}
