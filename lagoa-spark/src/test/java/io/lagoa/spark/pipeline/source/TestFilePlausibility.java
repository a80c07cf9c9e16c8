package io.lagoa.spark.pipeline.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plausibility check on real files: what it lets through matters as much as what it stops. */
class TestFilePlausibility {
  @TempDir Path folder;

  private FilePlausibility.Look look(String format, String name, byte[] content) {
    return new FilePlausibility(new Configuration(), format, true, ",")
        .look(write(name, content).toString());
  }

  private FilePlausibility.Look look(String format, String name, String content) {
    return look(format, name, content.getBytes(StandardCharsets.UTF_8));
  }

  private Path write(String name, byte[] content) {
    try {
      return Files.write(folder.resolve(name), content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void letsThroughOrdinaryTextFiles() {
    assertThat(look("csv", "bom.csv", "\uFEFFid,cidade,\nS\u00e3o Paulo,1,\n"))
        .isEqualTo(FilePlausibility.Look.fine(List.of("id", "cidade", "_c2")));
    assertThat(look("csv", "empty.csv", "")).isEqualTo(FilePlausibility.Look.fine(null));
    assertThat(look("csv", "blank.csv", "\n\n")).isEqualTo(FilePlausibility.Look.fine(null));
    assertThat(look("text", "colours.log", "\u001B[31mERROR\u001B[0m disk full\r\n").problem())
        .isNull();
    // a multi-byte character cut by the end of the sample is not an invalid byte
    String text = "x".repeat(FilePlausibility.SAMPLE_BYTES - 1) + "\u00e9 and more\n";
    assertThat(look("text", "long.txt", text).problem()).isNull();
    // JSON Lines with a bad first line, or a first line longer than the sample
    assertThat(look("json", "mixed.json", "not json\n{\"id\": 1}\n").problem()).isNull();
    assertThat(look("json", "long.json", "{\"v\": \"" + "x".repeat(100_000) + "\"}\n").problem())
        .isNull();
    // Hive's default separator is a control character
    assertThat(
            new FilePlausibility(new Configuration(), "csv", true, "\u0001")
                .look(
                    write("hive.csv", "id\u0001name\n1\u0001ana\n".getBytes(StandardCharsets.UTF_8))
                        .toString()))
        .isEqualTo(FilePlausibility.Look.fine(List.of("id", "name")));
  }

  @Test
  void stopsWhatIsNotText() {
    assertThat(
            look("csv", "utf16.csv", "\uFEFFid,name\n".getBytes(StandardCharsets.UTF_16LE))
                .problem())
        .startsWith("it is UTF-16 text");
    assertThat(look("csv", "book.xlsx.csv", new byte[] {'P', 'K', 3, 4, 20, 0, 6, 0}).problem())
        .isEqualTo(
            "binary data, not text: a NUL byte at byte 5; it looks like a ZIP archive (or"
                + " an Excel .xlsx file)");
    byte[] controls = "a\u0001b\u0002c\u0003d\n".getBytes(StandardCharsets.UTF_8);
    assertThat(look("text", "controls.txt", controls).problem())
        .isEqualTo(
            "binary data, not"
                + " text: 3 control characters in its first 8 bytes, e.g. 0x01 at line 1");
    assertThat(look("json", "array.json", "[{\"id\": 1},\n {\"id\": 2}]\n").problem())
        .endsWith("it looks like one JSON array, and json reads JSON Lines: one object per line");
  }

  @Test
  void checksParquetMagicAndFooter() throws IOException {
    byte[] encrypted =
        "PAR1xxxxxxxx\u0004\u0000\u0000\u0000PARE".getBytes(StandardCharsets.ISO_8859_1);
    assertThat(look("parquet", "secret.parquet", encrypted).problem())
        .isEqualTo("it is an encrypted Parquet file, which cannot be read");
    byte[] footer = "PAR1xxxx\u00FF\u0000\u0000\u0000PAR1".getBytes(StandardCharsets.ISO_8859_1);
    assertThat(look("parquet", "footer.parquet", footer).problem())
        .isEqualTo("its footer length (255 bytes) does not fit in its 16 bytes: it is corrupt");
    assertThat(look("parquet", "tiny.parquet", "PAR1").problem()).startsWith("it has 4 bytes");
  }

  @Test
  void comparesCsvColumnsWithTheTableOrTheOtherFiles() {
    FilePlausibility csv = new FilePlausibility(new Configuration(), "csv", true, ",");
    StructType table = StructType.fromDDL("id INT, city STRING");
    assertThat(csv.columnsProblem(List.of("ID", "extra"), table, List.of())).isNull();
    assertThat(csv.columnsProblem(List.of("a", "b"), table, List.of()))
        .isEqualTo("none of its column names (a, b) is a column of the table (id, city)");
    // a first batch: compared with the batch's other files
    assertThat(csv.columnsProblem(List.of("a", "b"), null, List.of())).isNull();
    List<String> wide = new java.util.ArrayList<>();
    for (int i = 0; i < 30; i++) {
      wide.add("c" + i);
    }
    assertThat(csv.columnsProblem(wide, null, List.of(3, 4, 3)))
        .isEqualTo("it has 30 columns, far more than the 3 of the batch's other files");
    assertThat(csv.columnsProblem(wide.subList(0, 16), null, List.of(3))).isNull();
    // without a header only the number of values counts
    FilePlausibility headerless = new FilePlausibility(new Configuration(), "csv", false, ",");
    assertThat(headerless.columnsProblem(List.of("_c0", "_c1"), table, List.of())).isNull();
    assertThat(headerless.columnsProblem(wide, table, List.of()))
        .startsWith("it has 30 columns, far more than the 2 of the table");
  }
}
