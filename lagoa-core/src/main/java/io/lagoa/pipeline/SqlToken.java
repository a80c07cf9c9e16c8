package io.lagoa.pipeline;

import java.util.Locale;

/**
 * One lexical token of Spark SQL text.
 *
 * @param value identifiers without their backquotes, strings without quotes and escapes, else the
 *     text itself
 * @param start offset of the first character in the text
 * @param end offset just past the last character
 */
public record SqlToken(Type type, String value, int start, int end) {
  public enum Type {
    IDENTIFIER,
    QUOTED_IDENTIFIER,
    STRING,
    NUMBER,
    SYMBOL
  }

  /** An unquoted word equal to the keyword, ignoring case. */
  public boolean isKeyword(String keyword) {
    return type == Type.IDENTIFIER && value.equalsIgnoreCase(keyword);
  }

  public boolean isSymbol(char symbol) {
    return type == Type.SYMBOL && value.length() == 1 && value.charAt(0) == symbol;
  }

  public boolean isIdentifier() {
    return type == Type.IDENTIFIER || type == Type.QUOTED_IDENTIFIER;
  }

  public String upper() {
    return value.toUpperCase(Locale.ROOT);
  }
}
