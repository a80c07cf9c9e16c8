package io.lagoa.text;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Lagoa's rule for what looks like a secret in a name or a text, without knowing any configured
 * value: a setting named like a password, token or key, a {@code name=value} pair with such a name,
 * the password in a URL's user info. {@code io.lagoa.config.Secrets} adds the configured values
 * themselves. It lives here, below config and errors, because both mask with it.
 */
public final class SecretPatterns {
  /** What every secret is replaced with. */
  public static final String MASK = "******";

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
  private static final Pattern USER_INFO = Pattern.compile("(//[^/@:?#\\s'\"]*:)([^/@?#\\s'\"]+)@");

  private SecretPatterns() {}

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
  public static List<String> valuesIn(String text) {
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
}
