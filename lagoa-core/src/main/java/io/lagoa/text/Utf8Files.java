package io.lagoa.text;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Reads the text files users write (SQL, YAML). They must be UTF-8; when one is not, the error says
 * where the first bad byte is and how to fix the file, instead of the JDK's "Input length = 1".
 */
public final class Utf8Files {
  private static final char BYTE_ORDER_MARK = '\uFEFF';

  private Utf8Files() {}

  /**
   * The file's text. A UTF-8 byte order mark at the start (Windows editors write one) is dropped.
   *
   * @throws NotUtf8Exception when the file is not valid UTF-8
   */
  public static String read(Path file) throws IOException {
    return decode(Files.readAllBytes(file));
  }

  /**
   * Decodes UTF-8 bytes strictly.
   *
   * @throws NotUtf8Exception at the first byte that is not valid UTF-8
   */
  public static String decode(byte[] bytes) throws NotUtf8Exception {
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(bytes.length + 1);
    CoderResult result = decoder.decode(in, out, true);
    if (!result.isError()) {
      result = decoder.flush(out);
    }
    if (result.isError()) {
      throw notUtf8(bytes, in.position(), out.flip().toString());
    }
    String text = out.flip().toString();
    return !text.isEmpty() && text.charAt(0) == BYTE_ORDER_MARK ? text.substring(1) : text;
  }

  private static NotUtf8Exception notUtf8(byte[] bytes, int offset, String before) {
    int line = 1;
    int lineStart = 0;
    for (int i = 0; i < before.length(); i++) {
      if (before.charAt(i) == '\n') {
        line++;
        lineStart = i + 1;
      }
    }
    int column = before.length() - lineStart + 1;
    if (line == 1 && before.startsWith(String.valueOf(BYTE_ORDER_MARK))) {
      column--;
    }
    int value = bytes[offset] & 0xff;
    StringBuilder problem =
        new StringBuilder("the file is not valid UTF-8: byte ")
            .append(String.format(Locale.ROOT, "0x%02X", value));
    // Most such files were saved as Windows-1252 (Latin-1), where every byte is one character.
    String windows = windows1252(value);
    if (!windows.isEmpty()) {
      problem.append(" ('").append(windows).append("' in Windows-1252/Latin-1)");
    }
    problem.append(
        " is not UTF-8 text; save the file as UTF-8 (your editor's \"save with encoding\", or"
            + " iconv -f windows-1252 -t utf-8)");
    return new NotUtf8Exception(line, column, problem.toString());
  }

  private static String windows1252(int value) {
    if (!Charset.isSupported("windows-1252")) {
      return "";
    }
    String text = new String(new byte[] {(byte) value}, Charset.forName("windows-1252"));
    int c = text.codePointAt(0);
    return Character.isISOControl(c) || Character.isWhitespace(c) || c == 0xA0 || c == 0xFFFD
        ? ""
        : text;
  }

  /** A file that is not valid UTF-8, with the 1-based line and column of its first bad byte. */
  public static final class NotUtf8Exception extends CharacterCodingException {
    private static final long serialVersionUID = 1L;
    private final int line;
    private final int column;
    private final String problem;

    NotUtf8Exception(int line, int column, String problem) {
      this.line = line;
      this.column = column;
      this.problem = problem;
    }

    public int line() {
      return line;
    }

    public int column() {
      return column;
    }

    /** What is wrong and what to do, without the place. */
    public String problem() {
      return problem;
    }

    /** {@code line:column: problem}. */
    @Override
    public String getMessage() {
      return line + ":" + column + ": " + problem;
    }
  }
}
