package io.lagoa.config;

import java.util.Locale;

/**
 * One declared configuration key: its dotted name in lagoa.yaml, type, default and documentation.
 * Every key can be overridden by an environment variable, {@link #envName()}.
 *
 * @param defaultValue the default as text, or null when unset by default
 * @param secret never printed; may also be read from a file named by {@code <name>-file}
 */
public record ConfigKey(
    String name, ValueType type, String defaultValue, String doc, boolean secret) {

  public static ConfigKey of(String name, ValueType type, String defaultValue, String doc) {
    return new ConfigKey(name, type, defaultValue, doc, false);
  }

  public static ConfigKey secret(String name, String doc) {
    return new ConfigKey(name, ValueType.STRING, null, doc, true);
  }

  /** {@code catalog.password-file} becomes {@code LAGOA_CATALOG_PASSWORD_FILE}. */
  public String envName() {
    return "LAGOA_" + name.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  public boolean isMap() {
    return type instanceof ValueType.StringMap;
  }
}
