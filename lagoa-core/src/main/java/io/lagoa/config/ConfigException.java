package io.lagoa.config;

import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import io.lagoa.text.SecretPatterns;

/**
 * A configuration problem. The message starts with where it is ({@code lagoa.yaml:7:3} or the
 * environment variable's name) so the user can go straight to it. Secrets written into a quoted
 * value ({@code ?password=}, {@code user:password@}) are masked ({@link
 * io.lagoa.text.SecretPatterns#maskText}).
 */
public class ConfigException extends LagoaException {
  private static final long serialVersionUID = 1L;

  public ConfigException(String location, String problem) {
    this(location + ": " + problem);
  }

  /** A problem whose message says itself where it is. */
  protected ConfigException(String message) {
    // Messages quote the values they complain about; a URL among them may carry a password.
    super(ErrorCode.CONFIG_INVALID, SecretPatterns.maskText(message));
  }
}
