package io.lagoa.cli;

import io.lagoa.cli.output.OutputFormat;
import io.lagoa.cli.output.OutputOptions;
import io.lagoa.cli.output.Values;
import io.lagoa.service.TableService;
import io.lagoa.table.TableNames;
import io.lagoa.table.TableSummary;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.iceberg.catalog.Namespace;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(
    name = "tables",
    description = {
      "List the tables, with rows, data files, size, snapshots and when each last changed.",
      "Reads catalog metadata only (no Spark), so it answers in about a second.",
      "Sizes are human-readable in table format and bytes (size_bytes) in csv and json."
    },
    mixinStandardHelpOptions = true)
final class TablesCommand implements Callable<Integer> {
  private final Cli cli;

  @Parameters(
      arity = "0..1",
      paramLabel = "NAMESPACE",
      description = "Only tables in this namespace and the ones below it, e.g. silver.")
  String namespace;

  @Mixin OutputOptions output;

  TablesCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() {
    Optional<Namespace> under =
        namespace == null ? Optional.empty() : Optional.of(TableNames.parseNamespace(namespace));
    List<TableSummary> tables = new TableService(cli.lakehouse()).list(under);
    boolean human = output.format() == OutputFormat.TABLE;
    List<String> columns =
        Arrays.asList(
            "table", "rows", "files", human ? "size" : "size_bytes", "snapshots", "last_updated");
    List<List<Object>> rows = new ArrayList<>();
    for (TableSummary table : tables) {
      rows.add(
          Arrays.asList(
              table.name(),
              table.rows(),
              table.dataFiles(),
              human ? Values.bytes(table.totalBytes()) : table.totalBytes(),
              table.snapshots(),
              table.lastUpdated().orElse(null)));
    }
    cli.printer().print(columns, rows, output.format(), cli.out());
    if (tables.isEmpty()) {
      cli.err()
          .println(
              (namespace == null ? "No tables yet" : "No tables in " + namespace)
                  + "; create one with lagoa sql \"CREATE TABLE <namespace>.<name> (...)\"");
    }
    return 0;
  }
}
