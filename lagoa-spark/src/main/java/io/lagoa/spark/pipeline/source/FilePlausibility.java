package io.lagoa.spark.pipeline.source;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
import org.apache.spark.sql.types.StructType;

/**
 * Whether a landing file looks like what its format says, judged from its first bytes before any of
 * its rows are read or its columns learned: a file that does not is quarantined whole and never
 * changes the table's schema.
 *
 * <p>Cheap by design: it reads the first {@link #SAMPLE_BYTES} bytes of each file (of what a
 * compressed file holds, decompressing only that much), and for Parquet the first and last bytes.
 * Files are never read twice in full; what only shows further in (a gzip stream cut off after the
 * sample) is found by Spark's read, which quarantines the file as unreadable.
 *
 * <ul>
 *   <li>json, csv, text: UTF-8 text, without NUL bytes and with few control characters.
 *   <li>json: at least one of the first {@link #JSON_LINES} lines is a JSON object.
 *   <li>csv with a header: the first line looks like column names (not empty, no control
 *       characters, none longer than {@link #MAX_NAME_CHARS}, at most half of them empty); and,
 *       compared with the table, not far more columns and at least one of its columns.
 *   <li>parquet: the magic bytes {@code PAR1} at both ends and a footer that fits.
 * </ul>
 */
public final class FilePlausibility {
  public static final int SAMPLE_BYTES = 64 * 1024;
  static final int JSON_LINES = 20;
  static final int MAX_NAME_CHARS = 256;
  private static final byte[] PARQUET_MAGIC = "PAR1".getBytes(StandardCharsets.US_ASCII);
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /**
   * What a look at a file found: why it is not what its format says (null when it looks right), and
   * for CSV the column names of its first line (null for an empty file, or when the file could not
   * be opened: Spark's read then says why).
   */
  record Look(String problem, List<String> columns) {
    static Look fine(List<String> columns) {
      return new Look(null, columns);
    }

    static Look implausible(String problem) {
      return new Look(problem, null);
    }
  }

  private final Configuration conf;
  private final CompressionCodecFactory codecs;
  private final String format;
  private final boolean header;
  private final String delimiter;

  FilePlausibility(Configuration conf, String format, boolean header, String delimiter) {
    this.conf = conf;
    this.codecs = new CompressionCodecFactory(conf);
    this.format = format;
    this.header = header;
    this.delimiter = delimiter;
  }

  /** Looks at the file at {@code path} (a local or Hadoop path, never an object store's). */
  Look look(String path) {
    Path file = new Path(path);
    try {
      FileSystem fs = file.getFileSystem(conf);
      if (format.equals("parquet")) {
        return parquet(fs, file);
      }
      return text(fs, file);
    } catch (IOException e) {
      return Look.fine(null); // gone or not readable: Spark's read fails on it and says why
    }
  }

  // ---- parquet

  private Look parquet(FileSystem fs, Path file) throws IOException {
    long size = fs.getFileStatus(file).getLen();
    if (size < 12) {
      return Look.implausible(
          "it has "
              + size
              + " bytes, too few for a Parquet file (at least"
              + " 12: the magic bytes PAR1, a footer and PAR1 again)");
    }
    byte[] head = new byte[4];
    byte[] tail = new byte[8];
    try (FSDataInputStream in = fs.open(file)) {
      in.readFully(0, head);
      in.readFully(size - 8, tail);
    }
    if (!java.util.Arrays.equals(head, PARQUET_MAGIC)) {
      return Look.implausible(
          "it does not start with the Parquet magic bytes PAR1 (it starts"
              + " with "
              + hex(head, 4)
              + ")"
              + kindHint(head));
    }
    byte[] end = java.util.Arrays.copyOfRange(tail, 4, 8);
    if (new String(end, StandardCharsets.US_ASCII).equals("PARE")) {
      return Look.implausible("it is an encrypted Parquet file, which cannot be read");
    }
    if (!java.util.Arrays.equals(end, PARQUET_MAGIC)) {
      return Look.implausible(
          "it does not end with the Parquet magic bytes PAR1: it is"
              + " truncated, or not Parquet");
    }
    long footer =
        ByteBuffer.wrap(tail, 0, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt() & 0xFFFFFFFFL;
    if (footer == 0 || footer > size - 12) {
      return Look.implausible(
          "its footer length ("
              + footer
              + " bytes) does not fit in its "
              + size
              + " bytes: it is corrupt");
    }
    return Look.fine(null);
  }

  // ---- text formats

  private Look text(FileSystem fs, Path file) throws IOException {
    CompressionCodec codec = codecs.getCodec(file);
    byte[] sample;
    boolean more;
    try (Marked raw = new Marked(fs.open(file))) {
      InputStream in;
      try {
        in = codec == null ? raw : codec.createInputStream(raw);
      } catch (IOException | RuntimeException e) {
        return Look.fine(null); // the codec itself cannot be used here: Spark says why
      }
      try (InputStream content = in) {
        sample = content.readNBytes(SAMPLE_BYTES);
        more = sample.length == SAMPLE_BYTES && content.read() >= 0;
      } catch (IOException | RuntimeException e) {
        if (codec == null || raw.failed) {
          return Look.fine(null);
        }
        String kind = codec.getDefaultExtension().replace(".", "");
        return Look.implausible(
            "cannot decompress it ("
                + kind
                + "): "
                + SourceText.firstLine(String.valueOf(e.getMessage()))
                + " (a truncated or corrupt "
                + kind
                + " file, or not "
                + kind
                + " at all)");
      }
    }
    String problem = notText(sample, more);
    if (problem != null) {
      return Look.implausible(problem);
    }
    int start = bom(sample) ? 3 : 0;
    String text = new String(sample, start, sample.length - start, StandardCharsets.UTF_8);
    List<String> lines = lines(text, more);
    if (format.equals("json") || format.equals("airbyte")) {
      return jsonLines(text, lines);
    }
    if (format.equals("csv")) {
      return csvFirstLine(text, lines, more);
    }
    return Look.fine(null);
  }

  /** Why sampled bytes are not UTF-8 text; null when they are. */
  String notText(byte[] sample, boolean more) {
    if (sample.length >= 2
        && ((sample[0] == (byte) 0xFF && sample[1] == (byte) 0xFE)
            || (sample[0] == (byte) 0xFE && sample[1] == (byte) 0xFF))) {
      return "it is UTF-16 text (it starts with a UTF-16 byte order mark); "
          + format
          + " files"
          + " must be UTF-8: convert it first";
    }
    for (int i = 0; i < sample.length; i++) {
      if (sample[i] == 0) {
        return "binary data, not text: a NUL byte at byte " + i + kindHint(sample);
      }
    }
    int start = bom(sample) ? 3 : 0;
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer bytes = ByteBuffer.wrap(sample, start, sample.length - start);
    CharBuffer chars = CharBuffer.allocate(sample.length);
    CoderResult result = decoder.decode(bytes, chars, !more);
    if (result.isError()) {
      int at = bytes.position();
      return "not UTF-8 text: byte 0x"
          + HexFormat.of().toHexDigits(sample[at]).toUpperCase(Locale.ROOT)
          + " at line "
          + lineAt(sample, at)
          + " is not UTF-8"
          + kindHint(sample)
          + " ("
          + format
          + " files must be UTF-8: convert a Latin-1 or Windows-1252 file first)";
    }
    chars.flip();
    int controls = 0;
    int first = -1;
    for (int i = 0; i < chars.length(); i++) {
      char c = chars.charAt(i);
      if ((c < 0x20 || c == 0x7F)
          && c != '\t'
          && c != '\n'
          && c != '\r'
          && c != '\f'
          && c != 0x1B
          && delimiter.indexOf(c) < 0) {
        controls++;
        first = first < 0 ? i : first;
      }
    }
    if (controls > 0 && controls * 100L > chars.length()) {
      String before = chars.subSequence(0, first).toString();
      long line = 1 + before.chars().filter(c -> c == '\n').count();
      return "binary data, not text: "
          + controls
          + " control characters in its first "
          + sample.length
          + " bytes, e.g. 0x"
          + HexFormat.of().toHexDigits((byte) chars.charAt(first)).toUpperCase(Locale.ROOT)
          + " at line "
          + line
          + kindHint(sample);
    }
    return null;
  }

  private Look jsonLines(String text, List<String> lines) {
    List<String> checked = new ArrayList<>();
    for (String line : lines) {
      if (!line.isBlank() && checked.size() < JSON_LINES) {
        checked.add(line);
      }
    }
    if (checked.isEmpty()) {
      String start = text.strip();
      return start.isEmpty() || start.startsWith("{")
          ? Look.fine(null)
          : Look.implausible(
              "it does not start with a JSON object ({), it starts with " + snippet(start));
    }
    for (String line : checked) {
      try {
        JsonNode node = JSON.readTree(line);
        if (node != null && node.isObject()) {
          return Look.fine(null);
        }
      } catch (IOException e) {
        // not JSON: the next line may be
      }
    }
    String first = checked.get(0).strip();
    String hint =
        first.startsWith("[")
            ? "; it looks like one JSON array, and "
                + format
                + " reads JSON Lines: one object per line"
            : first.equals("{")
                ? "; it looks like one JSON document"
                    + " over several lines, and "
                    + format
                    + " reads JSON Lines: one object per line"
                : "";
    return Look.implausible(
        (checked.size() == 1
                ? "its first line is not a JSON object"
                : "none of its first " + checked.size() + " lines is a JSON object")
            + " (line 1: "
            + snippet(first)
            + ")"
            + hint);
  }

  private Look csvFirstLine(String text, List<String> lines, boolean more) {
    if (text.isBlank()) {
      return Look.fine(null); // an empty file: nothing to read
    }
    if (lines.isEmpty()) {
      return Look.implausible(
          "its first line"
              + (header ? ", the header," : "")
              + " is longer"
              + " than "
              + SAMPLE_BYTES / 1024
              + " KB"
              + (header ? ": not a line of column names" : ""));
    }
    String first = lines.get(0);
    String[] values = parse(first);
    if (!header) {
      return Look.fine(columnNames(values));
    }
    if (first.isBlank()) {
      return Look.implausible(
          "its first line, the header, is empty (the header names the" + " columns)");
    }
    int empty = 0;
    for (int i = 0; i < values.length; i++) {
      String name = values[i] == null ? "" : values[i].strip();
      empty += name.isEmpty() ? 1 : 0;
      String why = notAName(name);
      if (why != null) {
        return Look.implausible(
            "its header does not look like column names: the name of column "
                + (i + 1)
                + " "
                + why);
      }
    }
    if (empty * 2 > values.length) {
      return Look.implausible(
          "its header does not look like column names: "
              + empty
              + " of its"
              + " "
              + values.length
              + " names are empty");
    }
    return Look.fine(columnNames(values));
  }

  private String notAName(String name) {
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c < 0x20 || c == 0x7F || c == '\uFFFD') {
        String what =
            c == '\t'
                ? "a tab"
                : c == '\uFFFD'
                    ? "the replacement character U+FFFD"
                    : "the control character 0x"
                        + HexFormat.of().toHexDigits((byte) c).toUpperCase(Locale.ROOT);
        return "("
            + snippet(name)
            + ") contains "
            + what
            + (c == '\t' && delimiter.equals(",")
                ? " (is the file tab-separated? then read it with delimiter => '\\t')"
                : "");
      }
    }
    if (name.length() > MAX_NAME_CHARS) {
      return "has "
          + name.length()
          + " characters, more than "
          + MAX_NAME_CHARS
          + " ("
          + snippet(name)
          + ")";
    }
    return null;
  }

  /**
   * Why a CSV file's columns cannot be the table's: far more of them than the table has (or, in a
   * first batch, than the batch's other files have), or none of the table's columns at all (by
   * header name). Null when they can.
   */
  String columnsProblem(List<String> names, StructType known, List<Integer> otherWidths) {
    int count = names.size();
    if (known != null && known.fields().length > 0) {
      int width = known.fields().length;
      if (count > 2 * width + 10) {
        return "it has "
            + count
            + " columns, far more than the "
            + width
            + " of the table ("
            + listed(List.of(known.fieldNames()))
            + ")";
      }
      if (header) {
        for (String name : names) {
          for (String column : known.fieldNames()) {
            if (column.equalsIgnoreCase(name)) {
              return null;
            }
          }
        }
        return "none of its column names ("
            + listed(names)
            + ") is a column of the table ("
            + listed(List.of(known.fieldNames()))
            + ")";
      }
      return null;
    }
    if (otherWidths.isEmpty()) {
      return null;
    }
    List<Integer> sorted = new ArrayList<>(otherWidths);
    sorted.sort(null);
    int median = sorted.get(sorted.size() / 2);
    if (count > 2 * median + 10) {
      return "it has "
          + count
          + " columns, far more than the "
          + median
          + " of the batch's other"
          + " files";
    }
    return null;
  }

  /** A CSV header's names as the reader uses them: blank ones {@code _c<i>}, repeats numbered. */
  static List<String> columnNames(String[] values) {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < values.length; i++) {
      String name = values[i] == null || values[i].isBlank() ? "_c" + i : values[i].strip();
      String unique = name;
      for (int n = 1; names.contains(unique); n++) {
        unique = name + "_" + n;
      }
      names.add(unique);
    }
    return names;
  }

  String[] parse(String line) {
    com.univocity.parsers.csv.CsvParserSettings settings =
        new com.univocity.parsers.csv.CsvParserSettings();
    settings.getFormat().setDelimiter(delimiter);
    settings.setMaxCharsPerColumn(-1);
    settings.setMaxColumns(Math.max(512, line.length() + 1));
    String[] values = new com.univocity.parsers.csv.CsvParser(settings).parseLine(line);
    return values == null ? new String[] {""} : values;
  }

  // ---- helpers

  /** The complete lines of a sample (the last one only when the sample is the whole file). */
  private static List<String> lines(String text, boolean more) {
    List<String> lines = new ArrayList<>();
    int start = 0;
    while (start <= text.length()) {
      int end = text.indexOf('\n', start);
      if (end < 0) {
        if (!more && start < text.length()) {
          lines.add(text.substring(start));
        }
        break;
      }
      String line = text.substring(start, end);
      lines.add(line.endsWith("\r") ? line.substring(0, line.length() - 1) : line);
      start = end + 1;
    }
    return lines;
  }

  private static boolean bom(byte[] sample) {
    return sample.length >= 3
        && sample[0] == (byte) 0xEF
        && sample[1] == (byte) 0xBB
        && sample[2] == (byte) 0xBF;
  }

  private static long lineAt(byte[] sample, int offset) {
    long line = 1;
    for (int i = 0; i < offset; i++) {
      line += sample[i] == '\n' ? 1 : 0;
    }
    return line;
  }

  /** What well-known binary formats the first bytes are, as a hint; empty when none. */
  static String kindHint(byte[] start) {
    String ascii = new String(start, 0, Math.min(start.length, 8), StandardCharsets.ISO_8859_1);
    String kind;
    if (ascii.startsWith("PAR1")) {
      kind = "a Parquet file (read it with format => 'parquet')";
    } else if (ascii.startsWith("PK\u0003\u0004")) {
      kind = "a ZIP archive (or an Excel .xlsx file)";
    } else if (ascii.startsWith("\u001F\u008B")) {
      kind = "gzip-compressed data (name it *.gz to have it decompressed)";
    } else if (ascii.startsWith("%PDF")) {
      kind = "a PDF document";
    } else if (ascii.startsWith("\u0089PNG")) {
      kind = "a PNG image";
    } else if (ascii.startsWith("\u00FF\u00D8\u00FF")) {
      kind = "a JPEG image";
    } else if (ascii.startsWith("Obj\u0001")) {
      kind = "an Avro file";
    } else if (ascii.startsWith("ORC")) {
      kind = "an ORC file";
    } else if (ascii.startsWith("\u0028\u00B5\u002F\u00FD")) {
      kind = "zstd-compressed data";
    } else if (ascii.startsWith("\u00D0\u00CF\u0011\u00E0")) {
      kind = "an Office file (e.g. an Excel .xls)";
    } else {
      return "";
    }
    return "; it looks like " + kind;
  }

  private static String hex(byte[] bytes, int count) {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < Math.min(count, bytes.length); i++) {
      text.append(i == 0 ? "" : " ")
          .append(HexFormat.of().toHexDigits(bytes[i]).toUpperCase(Locale.ROOT));
    }
    return text.toString();
  }

  /** The start of a text, quoted, with control characters escaped. */
  static String snippet(String text) {
    StringBuilder shown = new StringBuilder("\"");
    int limit = 40;
    for (int i = 0; i < text.length() && i < limit; i++) {
      char c = text.charAt(i);
      shown.append(c < 0x20 || c == 0x7F ? String.format("\\x%02X", (int) c) : c);
    }
    return shown.append(text.length() > limit ? "...\"" : "\"").toString();
  }

  private static String listed(List<String> names) {
    List<String> shown = names.size() > 8 ? names.subList(0, 8) : names;
    return String.join(", ", shown) + (names.size() > 8 ? ", ... " + names.size() + " in all" : "");
  }

  /** The file's own stream, remembering whether reading it failed (not the codec on top). */
  private static final class Marked extends FilterInputStream {
    boolean failed;

    Marked(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      try {
        return super.read();
      } catch (IOException e) {
        failed = true;
        throw e;
      }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      try {
        return super.read(b, off, len);
      } catch (IOException e) {
        failed = true;
        throw e;
      }
    }
  }
}
