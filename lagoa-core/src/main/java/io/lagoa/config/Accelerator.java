package io.lagoa.config;

import java.util.Arrays;
import java.util.Locale;

/** The native engine, if any, that runs Spark's plans (config key {@code spark.accelerator}). */
public enum Accelerator {
  /** Comet where its native library loads on this machine, plain Spark (silently) elsewhere. */
  AUTO,
  /** Apache DataFusion Comet: a Spark plugin running supported operators natively (Rust). */
  COMET,
  /** Plain Spark. */
  NONE;

  public static Accelerator fromName(String name) {
    return valueOf(name.trim().toUpperCase(Locale.ROOT));
  }

  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Whether Comet is wanted (where it can run). */
  public boolean wantsComet() {
    return this != NONE;
  }

  static String[] configNames() {
    return Arrays.stream(values()).map(Accelerator::configName).toArray(String[]::new);
  }
}
