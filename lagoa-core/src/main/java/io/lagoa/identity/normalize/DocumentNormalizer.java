package io.lagoa.identity.normalize;

import java.util.Locale;
import java.util.Optional;

/**
 * Brazilian document numbers, checked by their check digits: a CPF (people, 11 digits) and a CNPJ
 * (companies, 14 characters, alphanumeric since July 2026). Punctuation and spaces are ignored;
 * what comes out is the bare number. A number with wrong check digits, the wrong length, letters
 * where there can be none, or one digit repeated (000.000.000-00 passes the check digits but is not
 * issued) is empty; nothing here throws.
 */
public final class DocumentNormalizer {
  private static final String SEPARATORS = ".-/ \t";

  private DocumentNormalizer() {}

  /**
   * The CPF's 11 digits. A number of 9 or 10 digits written without punctuation is taken to have
   * lost its leading zeros in a numeric column (spreadsheets do that) and padded.
   */
  public static Optional<String> cpf(String raw) {
    String digits = withoutSeparators(raw, 11);
    if (digits == null || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return Optional.empty();
    }
    if ((digits.length() == 9 || digits.length() == 10) && digits.equals(raw.strip())) {
      digits = "0".repeat(11 - digits.length()) + digits;
    }
    if (digits.length() != 11 || repeated(digits)) {
      return Optional.empty();
    }
    boolean valid =
        checkDigit(digits, 9, 10) == digits.charAt(9) - '0'
            && checkDigit(digits, 10, 11) == digits.charAt(10) - '0';
    return valid ? Optional.of(digits) : Optional.empty();
  }

  /**
   * The CNPJ's 14 characters, upper case: 12 letters or digits (the alphanumeric CNPJ of 2026) and
   * two check digits, computed as for the numeric CNPJ with each character worth its code minus 48
   * ({@code A} is 17). A numeric CNPJ of 12 or 13 digits without punctuation is padded with leading
   * zeros, as for {@link #cpf}.
   */
  public static Optional<String> cnpj(String raw) {
    String text = withoutSeparators(raw, 14);
    if (text == null) {
      return Optional.empty();
    }
    text = text.toUpperCase(Locale.ROOT);
    boolean numeric = text.chars().allMatch(c -> c >= '0' && c <= '9');
    if (numeric && (text.length() == 12 || text.length() == 13) && text.equals(raw.strip())) {
      text = "0".repeat(14 - text.length()) + text;
    }
    if (text.length() != 14 || repeated(text)) {
      return Optional.empty();
    }
    for (int i = 0; i < 14; i++) {
      char c = text.charAt(i);
      boolean digit = c >= '0' && c <= '9';
      if (!digit && (i >= 12 || c < 'A' || c > 'Z')) {
        return Optional.empty();
      }
    }
    boolean valid =
        cnpjCheckDigit(text, 12) == text.charAt(12) - '0'
            && cnpjCheckDigit(text, 13) == text.charAt(13) - '0';
    return valid ? Optional.of(text) : Optional.empty();
  }

  /** The text without separators, or null when it is null or too long to be the document. */
  private static String withoutSeparators(String raw, int length) {
    if (raw == null || raw.length() > 4 * length) {
      return null;
    }
    StringBuilder out = new StringBuilder(length);
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (SEPARATORS.indexOf(c) < 0) {
        out.append(c);
      }
    }
    return out.length() > length ? null : out.toString();
  }

  private static boolean repeated(String text) {
    return text.chars().allMatch(c -> c == text.charAt(0));
  }

  /** CPF: the first {@code count} digits weighted {@code firstWeight} down to 2, modulo 11. */
  private static int checkDigit(String digits, int count, int firstWeight) {
    int sum = 0;
    for (int i = 0; i < count; i++) {
      sum += (digits.charAt(i) - '0') * (firstWeight - i);
    }
    int rest = sum * 10 % 11;
    return rest == 10 ? 0 : rest;
  }

  /** CNPJ: the first {@code count} characters weighted 2..9 from the right, repeating. */
  private static int cnpjCheckDigit(String text, int count) {
    int sum = 0;
    int weight = 2;
    for (int i = count - 1; i >= 0; i--) {
      sum += (text.charAt(i) - '0') * weight;
      weight = weight == 9 ? 2 : weight + 1;
    }
    int rest = sum % 11;
    return rest < 2 ? 0 : 11 - rest;
  }
}
