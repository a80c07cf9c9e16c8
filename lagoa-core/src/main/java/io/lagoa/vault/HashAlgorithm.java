package io.lagoa.vault;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** The digest a {@link HashStandard} uses; both are in every JDK. */
public enum HashAlgorithm {
  /** 16 bytes, 32 hex digits: what AutomateDV and datavault4dbt use by default. */
  MD5("MD5", 16),
  /** 32 bytes, 64 hex digits. */
  SHA256("SHA-256", 32);

  private final String jdkName;
  private final int length;

  HashAlgorithm(String jdkName, int length) {
    this.jdkName = jdkName;
    this.length = length;
  }

  /** The digest's length in bytes. */
  public int length() {
    return length;
  }

  public byte[] digest(byte[] input) {
    try {
      // A MessageDigest is not thread-safe; a new one per call costs far less than the hashing.
      return MessageDigest.getInstance(jdkName).digest(input);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("Cannot hash: the JDK has no " + jdkName, e);
    }
  }
}
