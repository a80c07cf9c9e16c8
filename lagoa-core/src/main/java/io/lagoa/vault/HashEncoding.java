package io.lagoa.vault;

import java.util.HexFormat;

/** How a {@link HashStandard} stores a digest: as hex text or as the bytes themselves. */
public enum HashEncoding {
  /** Upper-case hex digits, {@code 5D41402ABC4B2A76B9719D911017C592}; a string column. */
  HEX_UPPER,
  /** Lower-case hex digits; a string column. */
  HEX_LOWER,
  /** The raw digest; a binary column, half the size of hex. */
  BINARY;

  public boolean isBinary() {
    return this == BINARY;
  }

  /** The digest as text: hex in this encoding's case, upper-case hex for {@link #BINARY}. */
  public String text(byte[] digest) {
    String hex = HexFormat.of().formatHex(digest);
    return this == HEX_LOWER ? hex : hex.toUpperCase(java.util.Locale.ROOT);
  }
}
