package io.lagoa.text;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A stable name derived from text: 16 hex digits (64 bits) of its UTF-8 SHA-256. For ids and keys
 * that must come out the same from the same input (person ids, a files source's key, a Kafka
 * consumer group), not for security.
 */
public final class ShortHash {
  private ShortHash() {}

  /** The first 8 bytes of {@code text}'s SHA-256, as 16 lowercase hex digits. */
  public static String of(String text) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e); // every JDK has SHA-256
    }
  }
}
