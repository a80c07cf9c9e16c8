package io.lagoa.cli.shell;

import io.lagoa.sql.StatementSplitter;
import org.jline.reader.EOFError;
import org.jline.reader.ParsedLine;
import org.jline.reader.impl.DefaultParser;

/**
 * Decides when the shell's input is finished: on Enter, the input runs when every statement in it
 * ends with a semicolon outside quotes and comments (or it is a shell command); otherwise JLine
 * asks for another line. Also splits the line into words for completion, at white space and SQL
 * punctuation.
 */
final class SqlLineParser extends DefaultParser {
  SqlLineParser() {
    // SQL quoting is the splitter's business; for completion, words are plain.
    setEscapeChars(new char[0]);
    setQuoteChars(new char[0]);
  }

  @Override
  public ParsedLine parse(String line, int cursor, ParseContext context) {
    if (context == ParseContext.ACCEPT_LINE && !isComplete(line)) {
      StatementSplitter splitter = StatementSplitter.split(line);
      throw new EOFError(
          -1,
          cursor,
          splitter.unterminated() ? "unclosed quote or comment" : "statement not ended with ;",
          "");
    }
    return super.parse(line, cursor, context);
  }

  /** True when the input can run as it is: blank, a shell command, or statements ending in ;. */
  static boolean isComplete(String input) {
    return Builtin.parse(input) != null || StatementSplitter.split(input).complete();
  }

  @Override
  public boolean isDelimiterChar(CharSequence buffer, int pos) {
    char c = buffer.charAt(pos);
    return Character.isWhitespace(c) || c == ',' || c == '(' || c == ')' || c == ';' || c == '=';
  }
}
