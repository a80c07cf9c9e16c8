package io.lagoa.text;

import java.text.Normalizer;

/**
 * The two text foldings the hash standard and the identity normalizers share, each defined so that
 * another engine (Trino's {@code normalize}, {@code regexp_replace} and {@code upper}) can repeat
 * it exactly.
 */
public final class TextFolding {
  private TextFolding() {}

  /**
   * Unicode NFKD (compatibility decomposition: "é" becomes "e" plus a combining accent, "Ａ" becomes
   * "A", a no-break space a space), then every combining mark (general category M) dropped. Letters
   * NFKD does not decompose ("ß", "ø", "æ") stay as they are.
   */
  public static String stripAccents(String text) {
    if (isAscii(text)) {
      return text; // NFKD leaves ASCII as it is and it has no marks: most keys take this path
    }
    String decomposed = Normalizer.normalize(text, Normalizer.Form.NFKD);
    StringBuilder out = new StringBuilder(decomposed.length());
    decomposed.codePoints().filter(codePoint -> !isMark(codePoint)).forEach(out::appendCodePoint);
    return out.toString();
  }

  /** Upper-cases code point by code point (no "ß" to "SS"), as SQL engines' upper() do. */
  public static String upperCase(String text) {
    StringBuilder out = new StringBuilder(text.length());
    text.codePoints().map(Character::toUpperCase).forEach(out::appendCodePoint);
    return out.toString();
  }

  private static boolean isAscii(String text) {
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) >= 0x80) {
        return false;
      }
    }
    return true;
  }

  private static boolean isMark(int codePoint) {
    int type = Character.getType(codePoint);
    return type == Character.NON_SPACING_MARK
        || type == Character.COMBINING_SPACING_MARK
        || type == Character.ENCLOSING_MARK;
  }
}
