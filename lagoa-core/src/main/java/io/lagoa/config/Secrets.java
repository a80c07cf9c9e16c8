package io.lagoa.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one rule for what must never be printed or logged, applied wherever Lagoa prints a value or
 * an error message, including messages from drivers, which may echo a URL with its password.
 *
 * <ul>
 *   <li>a setting whose name says it holds a secret ({@link #isSecretKey}): password, passwd, pwd,
 *       secret, token, credential, private-key, access-key, session-token, api-key, in any case and
 *       with {@code .}, {@code -} or {@code _} (or nothing) between the words. Names of an id
 *       ({@code access-key-id}), a file ({@code password-file}) or a provider class ({@code
 *       credentials-provider}) are not secrets;
 *   <li>in any text, {@code name=value} where the name is such a name, as in a URL's query
 *       ({@code ?password=...}, {@code ;password=...}) or a printed property list;
 *   <li>in any text, the password of a URL's user info ({@code //user:password@host}).
 * </ul>
 *
 * <p>An instance also knows the configured secret values themselves ({@link #of}, {@link
 * #fromEnvironment}) and replaces them wherever they appear: the last line of defence for a
 * message that quotes a secret in a form no pattern foresaw.
 */
public final class Secrets {
  /** What every secret is replaced with. */
  public static final String MASK = "******";

  /**
   * Known values shorter than this, and flags such as {@code true}, are not replaced in free text
   * (every "true" in a message is not a leak); the key-pattern rule still masks them.
   */
  static final int MIN_KNOWN_LENGTH = 4;

  private static final String SEPARATOR = "[._-]?";

  /**
   * The words that make a name a secret's, as a regular expression that finds them anywhere in a
   * name; also given to Spark as {@code spark.redaction.regex}, so {@code SET} hides the same.
   */
  public static final String SECRET_NAME_REGEX =
      "(?i)(password|passwd|pwd|secret|token|credential|private"
          + SEPARATOR
          + "key|access"
          + SEPARATOR
          + "key|session"
          + SEPARATOR
          + "token|api"
          + SEPARATOR
          + "key)";

  private static final Pattern SECRET_NAME = Pattern.compile(SECRET_NAME_REGEX);
  /** Names of something that points at or identifies a secret, not the secret itself. */
  private static final Pattern NOT_SECRET_NAME =
      Pattern.compile("(?i).*(" + SEPARATOR + "id|" + SEPARATOR + "file|provider)$");

  /** {@code name=value} after the start, white space or a URL/list delimiter. */
  private static final Pattern ASSIGNMENT =
      Pattern.compile("(?<=^|[?&;,\\s{(\\[])([A-Za-z0-9._-]+)=([^&;,\\s)}\\]'\"]*)");

  /** {@code //user:password@}: the password of a URL's user info. */
  private static final Pattern USER_INFO =
      Pattern.compile("(//[^/@:?#\\s'\"]*:)([^/@?#\\s'\"]+)@");

  /** Values of settings such as {@code token-refresh-enabled}: not worth replacing everywhere. */
  private static final Pattern FLAGS = Pattern.compile("(?i)true|false|yes|no|none|null");

  private static final Secrets NONE = new Secrets(List.of());

  private final List<String> known;

  private Secrets(List<String> known) {
    this.known = known;
  }

  /** Masks by pattern only: no values are known. */
  public static Secrets none() {
    return NONE;
  }

  /** Whether a setting with this name holds a secret, e.g. {@code jdbc.password}. */
  public static boolean isSecretKey(String name) {
    return name != null
        && SECRET_NAME.matcher(name).find()
        && !NOT_SECRET_NAME.matcher(name).matches();
  }

  /** The value as it may be shown under its name: masked when the name says it is a secret. */
  public static String maskValue(String name, String value) {
    if (value == null) {
      return null;
    }
    return isSecretKey(name) ? MASK : maskText(value);
  }

  /** Masks secret {@code name=value} pairs and URL user-info passwords anywhere in the text. */
  public static String maskText(String text) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    Matcher assignment = ASSIGNMENT.matcher(text);
    StringBuilder masked = new StringBuilder();
    while (assignment.find()) {
      String replacement =
          isSecretKey(assignment.group(1)) && !assignment.group(2).isEmpty()
              ? assignment.group(1) + "=" + MASK
              : assignment.group();
      assignment.appendReplacement(masked, Matcher.quoteReplacement(replacement));
    }
    assignment.appendTail(masked);
    return USER_INFO.matcher(masked).replaceAll("$1" + Matcher.quoteReplacement(MASK) + "@");
  }

  /** The secret values the patterns of {@link #maskText} find in a text (e.g. a URL). */
  static List<String> valuesIn(String text) {
    List<String> values = new ArrayList<>();
    if (text == null) {
      return values;
    }
    Matcher assignment = ASSIGNMENT.matcher(text);
    while (assignment.find()) {
      if (isSecretKey(assignment.group(1)) && !assignment.group(2).isEmpty()) {
        values.add(assignment.group(2));
      }
    }
    Matcher userInfo = USER_INFO.matcher(text);
    while (userInfo.find()) {
      values.add(userInfo.group(2));
    }
    return values;
  }

  /** Every secret value of a configuration, to be replaced wherever it appears. */
  public static Secrets of(LagoaConfig config) {
    Set<String> values = new LinkedHashSet<>();
    CatalogConfig catalog = config.catalog();
    catalog.password().map(Secret::value).ifPresent(values::add);
    catalog.token().map(Secret::value).ifPresent(values::add);
    catalog.credential().map(Secret::value).ifPresent(values::add);
    values.addAll(valuesIn(catalog.uri()));
    values.addAll(valuesIn(config.warehouse()));
    config
        .storage()
        .s3()
        .ifPresent(
            s3 -> {
              s3.secretAccessKey().map(Secret::value).ifPresent(values::add);
              s3.sessionToken().map(Secret::value).ifPresent(values::add);
              s3.endpoint().ifPresent(endpoint -> values.addAll(valuesIn(endpoint)));
            });
    config.lineage().apiKey().map(Secret::value).ifPresent(values::add);
    config.lineage().url().ifPresent(url -> values.addAll(valuesIn(url.toString())));
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
          if (value == null) {
            return;
          }
          if (isSecretKey(name)) {
            values.add(value.strip());
          } else if (name.startsWith("LAGOA_")) {
            values.addAll(valuesIn(value));
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
    String masked = maskText(text);
    for (String value : known) {
      masked = masked.replace(value, MASK);
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
          if (isSecretKey(name)) {
            values.add(value.strip());
          } else {
            values.addAll(valuesIn(value));
          }
        });
  }

  /** Longest first, so a value that contains another is replaced whole. */
  private static List<String> sorted(Set<String> values) {
    return values.stream()
        .filter(value -> value.length() >= MIN_KNOWN_LENGTH)
        .filter(value -> !value.equals(MASK))
        .filter(value -> !FLAGS.matcher(value).matches())
        .sorted(Comparator.comparingInt(String::length).reversed())
        .toList();
  }

  @Override
  public String toString() {
    return "Secrets[" + known.size() + " known values]";
  }
}
