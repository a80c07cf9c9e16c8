package io.lagoa.identity.normalize;

import io.lagoa.text.TextFolding;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Person names reduced to one comparable form: accents removed (Unicode NFKD, combining marks
 * dropped; "ß", "æ", "ø", "œ", "đ", "ł", "þ" spelled out), upper case, apostrophes dropped
 * ("D'Ávila" is DAVILA), every other character that is not a letter (digits, punctuation, hyphens)
 * a space, runs of spaces one space, no space at either end. {@code " joão da Silva"} and {@code
 * "JOAO DA SILVA"} are both {@code JOAO DA SILVA}. Empty when no letter is left, or when the text
 * is an e-mail address typed into a name field; nothing here throws.
 */
public final class NameNormalizer {
  private static final String APOSTROPHES = "'’‘`´ʼ";

  private NameNormalizer() {}

  public static Optional<String> normalize(String raw) {
    if (raw == null || raw.indexOf('@') >= 0 || raw.length() > 1024) {
      return Optional.empty();
    }
    StringBuilder dropped = new StringBuilder(raw.length());
    raw.codePoints()
        .filter(codePoint -> APOSTROPHES.indexOf(codePoint) < 0)
        .forEach(dropped::appendCodePoint);
    String folded = TextFolding.upperCase(TextFolding.stripAccents(dropped.toString()));
    StringBuilder out = new StringBuilder(folded.length());
    boolean space = false;
    for (int i = 0; i < folded.length(); ) {
      int codePoint = folded.codePointAt(i);
      i += Character.charCount(codePoint);
      if (Character.isLetter(codePoint)) {
        if (space && !out.isEmpty()) {
          out.append(' ');
        }
        space = false;
        out.append(spelledOut(codePoint));
      } else {
        space = true;
      }
    }
    return out.isEmpty() ? Optional.empty() : Optional.of(out.toString());
  }

  /**
   * {@link #normalize} with its words sorted, for comparing names whose parts come in another
   * order: {@code "Silva, João"} and {@code "João Silva"} are both {@code JOAO SILVA}.
   */
  public static Optional<String> normalizeTokensSorted(String raw) {
    return normalize(raw).map(name -> String.join(" ", tokens(name)));
  }

  /** The words of the normalized name, sorted; empty when there is no name. */
  public static List<String> tokensSorted(String raw) {
    return normalize(raw).map(NameNormalizer::tokens).orElse(List.of());
  }

  private static List<String> tokens(String normalized) {
    String[] words = normalized.split(" ");
    Arrays.sort(words);
    return List.of(words);
  }

  /** Upper-case letters NFKD leaves whole, in the letters a Portuguese keyboard has. */
  private static String spelledOut(int codePoint) {
    return switch (codePoint) {
      case 'ß', 'ẞ' -> "SS";
      case 'Æ' -> "AE";
      case 'Œ' -> "OE";
      case 'Ø' -> "O";
      case 'Đ', 'Ð' -> "D";
      case 'Ł' -> "L";
      case 'Þ' -> "TH";
      default -> Character.toString(codePoint);
    };
  }
}
