package io.lagoa.identity.normalize;

import java.text.Normalizer;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * E-mail addresses as typed into forms and CRMs, reduced to one comparable form: {@code "
 * JOAO@Email.com "}, {@code "<joao@email.com>"}, {@code "mailto:joao@email.com;"} and {@code
 * "joao @email.com"} all become {@code joao@email.com}. Anything that is not then a plausible
 * address (one {@code @}, an ASCII local part, a domain with a letters-only top-level label) is
 * empty: garbage never becomes a key, and nothing here throws.
 *
 * <p>Provider rules that change the mailbox ({@link #canonicalMailbox}) are separate, since they
 * hold only for the providers that define them.
 */
public final class EmailNormalizer {
  private static final Pattern LOCAL = Pattern.compile("[a-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}");
  private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
  private static final Pattern TOP_LEVEL = Pattern.compile("[a-z]{2,63}");
  private static final Pattern WHITE_SPACE = Pattern.compile("\\s+");

  /** Characters pasted around an address from lists and signatures. */
  private static final String SURROUNDING = ".,;:'\"()[]<>";

  private EmailNormalizer() {}

  /**
   * Lower-case, white space removed (around and inside), a {@code mailto:} prefix, a display name
   * and surrounding punctuation dropped, then checked; empty when it is not an address.
   */
  public static Optional<String> normalize(String raw) {
    if (raw == null || raw.length() > 512) {
      return Optional.empty();
    }
    // NFKC folds full-width characters ("＠") and no-break spaces into their plain forms.
    String text = Normalizer.normalize(raw, Normalizer.Form.NFKC).strip();
    int open = text.lastIndexOf('<');
    int close = text.lastIndexOf('>');
    if (open >= 0 && close > open) {
      text = text.substring(open + 1, close); // "João Silva <joao@email.com>"
    }
    text = WHITE_SPACE.matcher(text).replaceAll("").toLowerCase(Locale.ROOT);
    if (text.startsWith("mailto:")) {
      text = text.substring("mailto:".length());
    }
    text = stripSurrounding(text);
    int at = text.indexOf('@');
    if (at <= 0 || at != text.lastIndexOf('@') || text.length() > 254) {
      return Optional.empty();
    }
    String local = text.substring(0, at);
    String domain = text.substring(at + 1);
    if (!validLocal(local) || !validDomain(domain)) {
      return Optional.empty();
    }
    return Optional.of(text);
  }

  /**
   * {@link #normalize} plus the rules of the providers that define them, so that two spellings of
   * one mailbox compare equal: for Gmail ({@code gmail.com}, {@code googlemail.com}) dots in the
   * local part are ignored, a {@code +tag} is dropped and the domain is {@code gmail.com}. Other
   * providers' addresses are returned as {@link #normalize} gives them.
   */
  public static Optional<String> canonicalMailbox(String raw) {
    return normalize(raw)
        .map(
            address -> {
              int at = address.indexOf('@');
              String local = address.substring(0, at);
              String domain = address.substring(at + 1);
              if (!domain.equals("gmail.com") && !domain.equals("googlemail.com")) {
                return address;
              }
              int plus = local.indexOf('+');
              if (plus >= 0) {
                local = local.substring(0, plus);
              }
              local = local.replace(".", "");
              return local.isEmpty() ? null : local + "@gmail.com";
            });
  }

  private static String stripSurrounding(String text) {
    int start = 0;
    int end = text.length();
    while (start < end && SURROUNDING.indexOf(text.charAt(start)) >= 0) {
      start++;
    }
    while (end > start && SURROUNDING.indexOf(text.charAt(end - 1)) >= 0) {
      end--;
    }
    return text.substring(start, end);
  }

  private static boolean validLocal(String local) {
    return LOCAL.matcher(local).matches()
        && !local.startsWith(".")
        && !local.endsWith(".")
        && !local.contains("..");
  }

  private static boolean validDomain(String domain) {
    if (domain.length() > 253) {
      return false;
    }
    String[] labels = domain.split("\\.", -1);
    if (labels.length < 2) {
      return false;
    }
    for (String label : labels) {
      if (!LABEL.matcher(label).matches()) {
        return false;
      }
    }
    return TOP_LEVEL.matcher(labels[labels.length - 1]).matches();
  }
}
