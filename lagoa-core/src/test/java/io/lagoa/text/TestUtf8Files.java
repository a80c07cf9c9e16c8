package io.lagoa.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TestUtf8Files {
  private static byte[] bytes(int... values) {
    byte[] bytes = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      bytes[i] = (byte) values[i];
    }
    return bytes;
  }

  private static byte[] concat(byte[]... parts) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void decodesUtf8AndDropsAByteOrderMark() throws Exception {
    assertThat(Utf8Files.decode(utf8("SELECT 'pão'\n"))).isEqualTo("SELECT 'pão'\n");
    assertThat(Utf8Files.decode(utf8("\uFEFFname: café"))).isEqualTo("name: café");
    assertThat(Utf8Files.decode(new byte[0])).isEmpty();
  }

  @Test
  void namesTheLineAndColumnOfTheFirstBadByte() {
    // Columns count characters, as the SQL positions do: 'ã' before the bad byte is one column.
    byte[] text = concat(utf8("SELECT 1;\r\n-- pão\nSELECT 'caf"), bytes(0xE9), utf8("'\n"));
    assertThatThrownBy(() -> Utf8Files.decode(text))
        .isInstanceOfSatisfying(
            Utf8Files.NotUtf8Exception.class,
            e -> {
              assertThat(e.line()).isEqualTo(3);
              assertThat(e.column()).isEqualTo(12);
              assertThat(e.problem())
                  .startsWith(
                      "the file is not valid UTF-8: byte 0xE9 ('é' in Windows-1252/Latin-1) is"
                          + " not UTF-8 text; save the file as UTF-8");
            })
        .hasMessageStartingWith("3:12: the file is not valid UTF-8");
    // A byte order mark is not counted; a Windows-1252 quote is named; a control byte is not.
    assertThatThrownBy(() -> Utf8Files.decode(concat(utf8("\uFEFFab"), bytes(0x93))))
        .hasMessageStartingWith("1:3: the file is not valid UTF-8: byte 0x93 ('\u201C' in");
    assertThatThrownBy(() -> Utf8Files.decode(bytes(0x81, 0x41)))
        .hasMessageStartingWith("1:1: the file is not valid UTF-8: byte 0x81 is not UTF-8 text");
    // A character cut off at the end of the file.
    assertThatThrownBy(() -> Utf8Files.decode(concat(utf8("x\n"), bytes(0xC3))))
        .hasMessageStartingWith("2:1: the file is not valid UTF-8: byte 0xC3");
  }
}
