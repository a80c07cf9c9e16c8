package io.lagoa.config;

/**
 * The config file the caller named explicitly cannot be read. The message says what is wrong with
 * the file, not how it was named: the adapter names that (the CLI prefixes its {@code --config}).
 */
public final class ExplicitConfigFileException extends ConfigException {
  private static final long serialVersionUID = 1L;

  public ExplicitConfigFileException(String problem) {
    super(problem);
  }
}
