package io.lagoa.cli;

import io.lagoa.cli.output.JsonDocument;
import io.lagoa.cli.output.OutputFormat;
import io.lagoa.cli.output.OutputOptions;
import io.lagoa.service.bench.BackupBenchService;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "backup",
    description = {
      "Measure backup and restore: a table of --rows generated rows (about 150 bytes each) in",
      "bench_backup.events, a full backup, an incremental one after --change of the rows is",
      "appended, verification and a restore after the table is dropped; with a plain copy of",
      "the table's folder as the reference. See docs/benchmarks.md."
    },
    mixinStandardHelpOptions = true)
final class BenchBackupCommand implements Callable<Integer> {
  private final Cli cli;

  @Option(
      names = "--rows",
      paramLabel = "N",
      defaultValue = "5000000",
      description = "Rows of the table (default: ${DEFAULT-VALUE}).")
  long rows;

  @Option(
      names = "--change",
      paramLabel = "F",
      defaultValue = "0.01",
      description =
          "Share of rows appended before the incremental backup (default: ${DEFAULT-VALUE}).")
  double change;

  @Option(
      names = "--folder",
      paramLabel = "DIR",
      defaultValue = "bench-backup",
      description =
          "Where the backups and the reference copy go; must be empty or new (default: ${DEFAULT-VALUE}).")
  String folder;

  @Mixin OutputOptions output;

  BenchBackupCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() {
    java.nio.file.Path dir = cli.resolve(folder);
    List<BackupBenchService.Step> steps =
        new BackupBenchService(cli.lakehouse())
            .run(
                rows,
                change,
                dir,
                line -> {
                  cli.err().println(line + "...");
                  cli.err().flush();
                });
    if (output.format() == OutputFormat.JSON) {
      List<Map<String, Object>> objects = new ArrayList<>();
      for (BackupBenchService.Step step : steps) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("step", step.name());
        json.put("bytes", step.bytes());
        json.put("files", step.files());
        json.put("seconds", step.seconds());
        json.put("mb_per_second", step.megabytesPerSecond());
        objects.add(json);
      }
      JsonDocument.print(objects, cli.out());
    } else {
      List<List<Object>> rowsOut = new ArrayList<>();
      for (BackupBenchService.Step step : steps) {
        rowsOut.add(
            List.<Object>of(
                step.name(),
                String.format(Locale.ROOT, "%.1f", step.bytes() / 1e6),
                step.files(),
                String.format(Locale.ROOT, "%.2f", step.seconds()),
                String.format(Locale.ROOT, "%.1f", step.megabytesPerSecond())));
      }
      cli.printer()
          .print(
              List.of("step", "MB", "files", "seconds", "MB/s"),
              rowsOut,
              output.format(),
              cli.out());
    }
    return 0;
  }
}
