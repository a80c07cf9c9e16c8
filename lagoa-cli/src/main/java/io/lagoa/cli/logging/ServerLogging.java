package io.lagoa.cli.logging;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;

/**
 * A long-running server logs what an operator needs at INFO: where it listens, that it stops, and
 * the audit trail's JSON lines ({@code lagoa.audit}). The CLI's other commands stay quiet.
 */
public final class ServerLogging {
  private ServerLogging() {}

  public static void enable() {
    Configurator.setLevel("io.lagoa.server", Level.INFO);
    Configurator.setLevel("io.lagoa.audit", Level.INFO);
    Configurator.setLevel("lagoa.audit", Level.INFO);
  }
}
