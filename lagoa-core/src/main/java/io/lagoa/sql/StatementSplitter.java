package io.lagoa.sql;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits SQL text into statements at semicolons that are outside string literals, quoted
 * identifiers and comments. Spark has no public splitter; this follows Spark SQL's lexical rules:
 * '...' and "..." strings with backslash escapes, raw strings r'...' without them, `...`
 * identifiers, -- line comments (a backslash at the end of the line continues them) and nested
 * {@code /* *\/} comments.
 */
public final class StatementSplitter {
  private final List<Statement> statements = new ArrayList<>();
  private final String remainder;
  private final int tailStart;
  private final boolean unterminated;

  private StatementSplitter(String text) {
    int start = 0;
    int index = 0;
    int length = text.length();
    boolean open = false;
    while (index < length) {
      char c = text.charAt(index);
      if (c == '\'' || c == '"' || c == '`') {
        int end = skipQuoted(text, index, c, c != '`' && isRawPrefix(text, index));
        open = end < 0;
        index = open ? length : end;
      } else if (c == '-' && index + 1 < length && text.charAt(index + 1) == '-') {
        index = skipLineComment(text, index);
      } else if (c == '/' && index + 1 < length && text.charAt(index + 1) == '*') {
        int end = skipBlockComment(text, index);
        open = end < 0;
        index = open ? length : end;
      } else if (c == ';') {
        add(text, start, index);
        start = index + 1;
        index++;
      } else {
        index++;
      }
    }
    String tail = text.substring(start);
    this.unterminated = open;
    this.remainder = !open && isBlank(tail) ? "" : tail;
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

  /**
   * Text after the last complete statement; empty if it holds only blanks and finished comments. An
   * unclosed string, quoted identifier or comment is never empty.
   */
  public String remainder() {
    return remainder;
  }

  /**
   * True when nothing but blanks and comments follows the last semicolon: an interactive shell can
   * run what it has instead of waiting for more lines.
   */
  public boolean complete() {
    return remainder.isEmpty();
  }

  /** True when the text ends inside a string, quoted identifier or block comment. */
  public boolean unterminated() {
    return unterminated;
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

  /** An r or R right before the quote, not part of a longer word, makes a raw string. */
  private static boolean isRawPrefix(String text, int quote) {
    if (quote == 0 || (text.charAt(quote - 1) != 'r' && text.charAt(quote - 1) != 'R')) {
      return false;
    }
    return quote == 1 || !isIdentifierPart(text.charAt(quote - 2));
  }

  private static boolean isIdentifierPart(char c) {
    return Character.isLetterOrDigit(c) || c == '_';
  }

  /** Index after the closing quote, or -1 when the text ends first. */
  private static int skipQuoted(String text, int index, char quote, boolean raw) {
    int i = index + 1;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == '\\' && quote != '`' && !raw) {
        i += 2;
        continue;
      }
      if (c == quote) {
        return i + 1;
      }
      i++;
    }
    return -1;
  }

  /** Index after the comment's line end; a backslash right before the newline continues it. */
  private static int skipLineComment(String text, int index) {
    int i = index + 2;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == '\\' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
        i += 2;
      } else if (c == '\n') {
        return i + 1;
      } else {
        i++;
      }
    }
    return text.length();
  }

  /**
   * Index after the block comment starting at {@code index}, counting nested comments as Spark
   * does, or -1 when it never closes.
   */
  public static int skipBlockComment(String text, int index) {
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
    return -1;
  }

  /** True when the text holds only white space and comments (an unclosed comment included). */
  public static boolean isBlank(String text) {
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
      } else if (text.startsWith("--", i)) {
        i = skipLineComment(text, i);
      } else if (text.startsWith("/*", i)) {
        int end = skipBlockComment(text, i);
        i = end < 0 ? text.length() : end;
      } else {
        return false;
      }
    }
    return true;
  }
}
