package io.lagoa.pipeline;

import io.lagoa.sql.StatementSplitter;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits Spark SQL text into tokens with their offsets, following Spark's lexer: '...' and "..."
 * strings with backslash escapes (and R'...' raw strings), `...` identifiers with doubled
 * backquotes, -- line comments and nested bracketed comments. Only the clauses Lagoa adds to
 * Spark's grammar are parsed with it; everything else goes to Spark's own parser.
 */
public final class SqlTokenizer {
  private final String text;
  private final List<SqlToken> tokens = new ArrayList<>();

  private SqlTokenizer(String text) {
    this.text = text;
  }

  /**
   * The tokens of the text.
   *
   * @throws IllegalArgumentException with the offset when a string, identifier or comment is not
   *     closed; the message reads "unclosed ... starting at offset N"
   */
  public static List<SqlToken> tokenize(String text) {
    SqlTokenizer tokenizer = new SqlTokenizer(text);
    tokenizer.run();
    return List.copyOf(tokenizer.tokens);
  }

  private void run() {
    int i = 0;
    int length = text.length();
    while (i < length) {
      char c = text.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
      } else if (c == '-' && i + 1 < length && text.charAt(i + 1) == '-') {
        int newline = text.indexOf('\n', i);
        i = newline < 0 ? length : newline + 1;
      } else if (c == '/' && i + 1 < length && text.charAt(i + 1) == '*') {
        i = skipComment(i);
      } else if (c == '\'' || c == '"') {
        i = string(i, i, false);
      } else if ((c == 'r' || c == 'R')
          && i + 1 < length
          && (text.charAt(i + 1) == '\'' || text.charAt(i + 1) == '"')) {
        i = string(i, i + 1, true);
      } else if (c == '`') {
        i = quotedIdentifier(i);
      } else if (Character.isDigit(c)) {
        int end = i;
        while (end < length && (isWordPart(text.charAt(end)) || text.charAt(end) == '.')) {
          end++;
        }
        tokens.add(new SqlToken(SqlToken.Type.NUMBER, text.substring(i, end), i, end));
        i = end;
      } else if (isWordStart(c)) {
        int end = i;
        while (end < length && isWordPart(text.charAt(end))) {
          end++;
        }
        tokens.add(new SqlToken(SqlToken.Type.IDENTIFIER, text.substring(i, end), i, end));
        i = end;
      } else {
        tokens.add(new SqlToken(SqlToken.Type.SYMBOL, String.valueOf(c), i, i + 1));
        i++;
      }
    }
  }

  private static boolean isWordStart(char c) {
    return Character.isLetter(c) || c == '_';
  }

  private static boolean isWordPart(char c) {
    return Character.isLetterOrDigit(c) || c == '_';
  }

  private int skipComment(int start) {
    int end = StatementSplitter.skipBlockComment(text, start);
    if (end < 0) {
      throw new IllegalArgumentException("unclosed comment starting at offset " + start);
    }
    return end;
  }

  private int string(int start, int quoteAt, boolean raw) {
    char quote = text.charAt(quoteAt);
    StringBuilder value = new StringBuilder();
    int i = quoteAt + 1;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == '\\' && !raw && i + 1 < text.length()) {
        value.append(unescape(text.charAt(i + 1)));
        i += 2;
      } else if (c == quote) {
        if (!raw && i + 1 < text.length() && text.charAt(i + 1) == quote) {
          value.append(quote);
          i += 2;
          continue;
        }
        tokens.add(new SqlToken(SqlToken.Type.STRING, value.toString(), start, i + 1));
        return i + 1;
      } else {
        value.append(c);
        i++;
      }
    }
    throw new IllegalArgumentException("unclosed string starting at offset " + start);
  }

  private static char unescape(char c) {
    return switch (c) {
      case 'n' -> '\n';
      case 't' -> '\t';
      case 'r' -> '\r';
      case '0' -> '\0';
      default -> c;
    };
  }

  private int quotedIdentifier(int start) {
    StringBuilder value = new StringBuilder();
    int i = start + 1;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == '`') {
        if (i + 1 < text.length() && text.charAt(i + 1) == '`') {
          value.append('`');
          i += 2;
          continue;
        }
        tokens.add(new SqlToken(SqlToken.Type.QUOTED_IDENTIFIER, value.toString(), start, i + 1));
        return i + 1;
      }
      value.append(c);
      i++;
    }
    throw new IllegalArgumentException("unclosed quoted identifier starting at offset " + start);
  }
}
