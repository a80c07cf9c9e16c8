package io.lagoa.access;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Client secrets: generated at random, stored as a salted PBKDF2-HMAC-SHA256 hash in the
 * self-describing form {@code pbkdf2-sha256$<iterations>$<salt>$<hash>} (Base64), so the iteration
 * count can change without invalidating stored hashes. Secrets are 256 random bits, not chosen by
 * people, so a guess is hopeless at any iteration count; the count only slows an attacker who has
 * the table, and is kept moderate because every token request pays it.
 */
final class SecretHashing {
  static final int ITERATIONS = 100_000;
  private static final String SCHEME = "pbkdf2-sha256";
  private static final int SALT_BYTES = 16;
  private static final int HASH_BITS = 256;
  private static final SecureRandom RANDOM = new SecureRandom();

  /** A hash of a secret nobody has, compared against when the client id is unknown. */
  private static final String DECOY = hash("decoy-" + System.nanoTime(), ITERATIONS);

  private SecretHashing() {}

  /** A new client secret: 256 random bits, Base64url, with a prefix secret scanners recognize. */
  static String newSecret() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return "lagoa_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  static String hash(String secret) {
    return hash(secret, ITERATIONS);
  }

  static String hash(String secret, int iterations) {
    byte[] salt = new byte[SALT_BYTES];
    RANDOM.nextBytes(salt);
    byte[] hash = derive(secret, salt, iterations);
    Base64.Encoder base64 = Base64.getEncoder().withoutPadding();
    return SCHEME
        + "$"
        + iterations
        + "$"
        + base64.encodeToString(salt)
        + "$"
        + base64.encodeToString(hash);
  }

  /** Whether {@code secret} matches {@code stored}, in time independent of where they differ. */
  static boolean matches(String secret, String stored) {
    String[] parts = stored.split("\\$");
    if (parts.length != 4 || !parts[0].equals(SCHEME)) {
      return false;
    }
    int iterations = Integer.parseInt(parts[1]);
    byte[] salt = Base64.getDecoder().decode(parts[2]);
    byte[] expected = Base64.getDecoder().decode(parts[3]);
    return MessageDigest.isEqual(derive(secret, salt, iterations), expected);
  }

  /**
   * Spends the time a real check takes, so an unknown client id answers as slowly as a known one.
   */
  static void matchDecoy(String secret) {
    matches(secret, DECOY);
  }

  private static byte[] derive(String secret, byte[] salt, int iterations) {
    PBEKeySpec spec = new PBEKeySpec(secret.toCharArray(), salt, iterations, HASH_BITS);
    try {
      return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("PBKDF2WithHmacSHA256 is not available in this JDK", e);
    } finally {
      spec.clearPassword();
    }
  }
}
