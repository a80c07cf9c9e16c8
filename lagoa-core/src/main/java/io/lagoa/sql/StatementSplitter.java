package io.lagoa.sql;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits SQL text into statements at semicolons that are outside string literals, quoted
 * identifiers and comments. Spark has no public splitter; this follows Spark SQL's lexical rules:
 * '...' and "..." strings with backslash escapes, `...` identifiers, -- line comments and nested
 * {@code /* *\/} comments.
 */
public final class StatementSplitter {
  private final List<Statement> statements = new ArrayList<>();
  private final String remainder;
  private final int tailStart;

  private StatementSplitter(String text) {
    int start = 0;
    int index = 0;
    int length = text.length();
    while (index < length) {
      char c = text.charAt(index);
      if (c == '\'' || c == '"' || c == '`') {
        index = skipQuoted(text, index, c);
      } else if (c == '-' && index + 1 < length && text.charAt(index + 1) == '-') {
        int newline = text.indexOf('\n', index);
        index = newline < 0 ? length : newline + 1;
      } else if (c == '/' && index + 1 < length && text.charAt(index + 1) == '*') {
        index = skipBlockComment(text, index);
      } else if (c == ';') {
        add(text, start, index);
        start = index + 1;
        index++;
      } else {
        index++;
      }
    }
    String tail = text.substring(start);
    this.remainder = isBlank(tail) ? "" : tail;
    this.tailStart = start;
  }

  /** The complete statements (each ended by a semicolon) and whatever follows the last one. */
  public static StatementSplitter split(String text) {
    return new StatementSplitter(text);
  }

  /**
   * Every statement in a file: the text after the last semicolon counts as a statement too, so a
   * file need not end with one.
   */
  public static List<Statement> splitAll(String text) {
    StatementSplitter splitter = new StatementSplitter(text);
    splitter.add(text, splitter.tailStart, text.length()); // add() skips a blank tail
    return splitter.statements();
  }

  public List<Statement> statements() {
    return List.copyOf(statements);
  }

  /** Text after the last complete statement, empty if it holds only blanks and comments. */
  public String remainder() {
    return remainder;
  }

  private void add(String text, int start, int end) {
    String raw = text.substring(start, end);
    if (isBlank(raw)) {
      return;
    }
    int leading = 0;
    while (leading < raw.length() && Character.isWhitespace(raw.charAt(leading))) {
      leading++;
    }
    int offset = start + leading;
    int line = 1;
    int lineStart = 0;
    for (int i = 0; i < offset; i++) {
      if (text.charAt(i) == '\n') {
        line++;
        lineStart = i + 1;
      }
    }
    statements.add(new Statement(raw.strip(), line, offset - lineStart + 1));
  }

  private static int skipQuoted(String text, int index, char quote) {
    int i = index + 1;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == '\\' && quote != '`') {
        i += 2;
        continue;
      }
      if (c == quote) {
        return i + 1;
      }
      i++;
    }
    return text.length();
  }

  private static int skipBlockComment(String text, int index) {
    int depth = 0;
    int i = index;
    while (i < text.length()) {
      if (text.startsWith("/*", i)) {
        depth++;
        i += 2;
      } else if (text.startsWith("*/", i)) {
        depth--;
        i += 2;
        if (depth == 0) {
          return i;
        }
      } else {
        i++;
      }
    }
    return text.length();
  }

  /** True when the text holds only white space and comments. */
  public static boolean isBlank(String text) {
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
      } else if (text.startsWith("--", i)) {
        int newline = text.indexOf('\n', i);
        i = newline < 0 ? text.length() : newline + 1;
      } else if (text.startsWith("/*", i)) {
        i = skipBlockComment(text, i);
      } else {
        return false;
      }
    }
    return true;
  }
}
