package io.lagoa.config;

import io.lagoa.text.SecretPatterns;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The one rule for what must never be printed or logged, applied wherever Lagoa prints a value or
 * an error message, including messages from drivers, which may echo a URL with its password.
 *
 * <ul>
 *   <li>a setting whose name says it holds a secret ({@link SecretPatterns#isSecretKey}): password,
 *       passwd, pwd, secret, token, credential, private-key, access-key, session-token, api-key, in
 *       any case and with {@code .}, {@code -} or {@code _} (or nothing) between the words. Names
 *       of an id ({@code access-key-id}), a file ({@code password-file}) or a provider class
 *       ({@code credentials-provider}) are not secrets;
 *   <li>in any text, {@code name=value} where the name is such a name, as in a URL's query ({@code
 *       ?password=...}, {@code ;password=...}) or a printed property list;
 *   <li>in any text, the password of a URL's user info ({@code //user:password@host}).
 * </ul>
 *
 * <p>An instance also knows the configured secret values themselves ({@link #of}, {@link
 * #fromEnvironment}) and replaces them wherever they appear: the last line of defence for a message
 * that quotes a secret in a form no pattern foresaw.
 */
public final class Secrets {
  /**
   * Known values shorter than this, and flags such as {@code true}, are not replaced in free text
   * (every "true" in a message is not a leak); the key-pattern rule still masks them.
   */
  static final int MIN_KNOWN_LENGTH = 4;

  /** Values of settings such as {@code token-refresh-enabled}: not worth replacing everywhere. */
  private static final Pattern FLAGS = Pattern.compile("(?i)true|false|yes|no|none|null");

  /**
   * What the shell sets in every environment under a name that only looks like a password's: the
   * current and previous working directory. Masking them would hide every path in every message.
   */
  private static final Set<String> SHELL_DIRECTORIES = Set.of("PWD", "OLDPWD");

  private static final Secrets NONE = new Secrets(List.of());

  private final List<String> known;

  private Secrets(List<String> known) {
    this.known = known;
  }

  /** Masks by pattern only: no values are known. */
  public static Secrets none() {
    return NONE;
  }

  /** Every secret value of a configuration, to be replaced wherever it appears. */
  public static Secrets of(LagoaConfig config) {
    Set<String> values = new LinkedHashSet<>();
    CatalogConfig catalog = config.catalog();
    catalog.password().map(Secret::value).ifPresent(values::add);
    catalog.token().map(Secret::value).ifPresent(values::add);
    catalog.credential().map(Secret::value).ifPresent(values::add);
    values.addAll(SecretPatterns.valuesIn(catalog.uri()));
    values.addAll(SecretPatterns.valuesIn(config.warehouse()));
    config
        .storage()
        .s3()
        .ifPresent(
            s3 -> {
              s3.secretAccessKey().map(Secret::value).ifPresent(values::add);
              s3.sessionToken().map(Secret::value).ifPresent(values::add);
              s3.endpoint().ifPresent(endpoint -> values.addAll(SecretPatterns.valuesIn(endpoint)));
            });
    config.lineage().apiKey().map(Secret::value).ifPresent(values::add);
    config.lineage().url().ifPresent(url -> values.addAll(SecretPatterns.valuesIn(url.toString())));
    addMap(catalog.properties(), values);
    addMap(config.spark().conf(), values);
    return new Secrets(sorted(values));
  }

  /**
   * The secret values in an environment: variables whose names say they hold one ({@code
   * LAGOA_CATALOG_PASSWORD}, {@code AWS_SECRET_ACCESS_KEY}), and passwords written into the values
   * of {@code LAGOA_*} variables (a URL in {@code LAGOA_CATALOG_URI}). Known before the
   * configuration is loaded, so even an error while loading it is masked.
   */
  public static Secrets fromEnvironment(Map<String, String> env) {
    Set<String> values = new LinkedHashSet<>();
    env.forEach(
        (name, value) -> {
          if (value == null || SHELL_DIRECTORIES.contains(name)) {
            return;
          }
          if (SecretPatterns.isSecretKey(name)) {
            values.add(value.strip());
          } else if (name.startsWith("LAGOA_")) {
            values.addAll(SecretPatterns.valuesIn(value));
          }
        });
    return new Secrets(sorted(values));
  }

  /** The secrets of both. */
  public Secrets and(Secrets other) {
    Set<String> values = new LinkedHashSet<>(known);
    values.addAll(other.known);
    return new Secrets(sorted(values));
  }

  /** The text with every secret masked: by the patterns, then every known value. */
  public String mask(String text) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    String masked = SecretPatterns.maskText(text);
    for (String value : known) {
      masked = masked.replace(value, SecretPatterns.MASK);
    }
    return masked;
  }

  /** Whether the text is free of every known secret value. */
  public boolean hides(String text) {
    return known.stream().noneMatch(text::contains);
  }

  private static void addMap(Map<String, String> map, Set<String> values) {
    map.forEach(
        (name, value) -> {
          if (SecretPatterns.isSecretKey(name)) {
            values.add(value.strip());
          } else {
            values.addAll(SecretPatterns.valuesIn(value));
          }
        });
  }

  /** Longest first, so a value that contains another is replaced whole. */
  private static List<String> sorted(Set<String> values) {
    return values.stream()
        .filter(value -> value.length() >= MIN_KNOWN_LENGTH)
        .filter(value -> !value.equals(SecretPatterns.MASK))
        .filter(value -> !FLAGS.matcher(value).matches())
        .sorted(Comparator.comparingInt(String::length).reversed())
        .toList();
  }

  @Override
  public String toString() {
    return "Secrets[" + known.size() + " known values]";
  }
}
