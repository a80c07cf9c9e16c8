package io.lagoa.cli.shell;

import io.lagoa.cli.output.ResultPrinter;
import io.lagoa.config.LagoaConfig;
import io.lagoa.config.Secrets;
import io.lagoa.spark.SparkSql;
import org.apache.iceberg.catalog.Catalog;

/**
 * What the shell needs from the invocation that started it. The CLI's {@code Cli} is one; the shell
 * names only this, so the command package depends on the shell and not the other way round.
 */
public interface ShellContext {
  /** The configuration; loading it may fail with the configuration's own error. */
  LagoaConfig config();

  /** The secrets to mask in whatever the shell prints. */
  Secrets secrets();

  ResultPrinter printer();

  /** The Iceberg catalog, for completing table names without starting Spark. */
  Catalog catalog();

  /** SQL on the lakehouse; starts Spark on first use. */
  SparkSql sql();
}
