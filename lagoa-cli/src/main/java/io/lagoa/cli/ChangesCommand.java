package io.lagoa.cli;

import io.lagoa.cli.output.OutputOptions;
import io.lagoa.cli.output.Values;
import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import io.lagoa.result.QueryResult;
import io.lagoa.service.TableService;
import io.lagoa.table.ChangeRange;
import io.lagoa.table.PointInTime;
import io.lagoa.table.TableInspector;
import io.lagoa.table.TableNames;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.iceberg.catalog.TableIdentifier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "changes",
    description = {
      "The rows a range of commits inserted, deleted and updated (a change feed, like Delta's",
      "readChangeData): the table's columns plus _change_type (INSERT, DELETE, UPDATE_BEFORE,",
      "UPDATE_AFTER), _change_ordinal, _commit_snapshot_id and _commit_timestamp.",
      "--from and --to are both inclusive. Updates show as UPDATE_BEFORE/UPDATE_AFTER pairs",
      "when a key is known (--key, or the table's identifier fields); otherwise as a DELETE",
      "and an INSERT."
    },
    mixinStandardHelpOptions = true)
final class ChangesCommand implements Callable<Integer> {
  private final Cli cli;

  @Parameters(paramLabel = "TABLE", description = "The table, e.g. silver.customers.")
  String table;

  @Option(
      names = "--from",
      required = true,
      paramLabel = "SNAPSHOT|TIME",
      description = {
        "First commit to include: a snapshot id (its changes are included) or a time",
        "(changes committed at or after it): 2026-11-25T10:15:30Z, '2026-11-25 10:15:30'",
        "(local time) or 2026-11-25 (local midnight)."
      })
  String from;

  @Option(
      names = "--to",
      paramLabel = "SNAPSHOT|TIME",
      description = "Last commit to include, same forms as --from (default: the current snapshot).")
  String to;

  @Option(
      names = "--key",
      paramLabel = "COLUMN[,COLUMN]",
      split = ",",
      description = {
        "Columns that identify a row, to pair updates (default: the table's identifier fields,",
        "see ALTER TABLE ... SET IDENTIFIER FIELDS)."
      })
  List<String> key = new ArrayList<>();

  @Option(
      names = "--max-rows",
      paramLabel = "N",
      defaultValue = "1000",
      description = "Print at most N change rows (default: ${DEFAULT-VALUE}).")
  int maxRows;

  @Mixin OutputOptions output;

  ChangesCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() {
    if (maxRows < 0) {
      throw new LagoaException(
          ErrorCode.INVALID_ARGUMENT, "--max-rows must be 0 or more, but is " + maxRows);
    }
    ZoneId zone = ZoneId.systemDefault();
    TableIdentifier identifier = TableNames.parse(table);
    PointInTime start = PointInTime.parse(from, "--from", zone);
    Optional<PointInTime> end =
        to == null ? Optional.empty() : Optional.of(PointInTime.parse(to, "--to", zone));
    List<String> keys = key.stream().map(String::strip).filter(name -> !name.isEmpty()).toList();
    if (!key.isEmpty() && keys.isEmpty()) {
      throw new LagoaException(
          ErrorCode.INVALID_ARGUMENT, "--key needs at least one column name, e.g. --key id");
    }
    TableService tables = new TableService(cli.lakehouse());
    // Resolved and checked from metadata first, so bad input fails before Spark starts.
    ChangeRange range;
    try {
      range = tables.changeRange(identifier, start, end, keys);
    } catch (LagoaException e) {
      throw inFlags(e);
    }
    if (range.isEmpty()) {
      cli.err().println("No commits in that range of " + range.table() + ".");
    } else {
      cli.err()
          .println(
              "Changes to "
                  + range.table()
                  + ", "
                  + range.describe()
                  + (range.hasKey()
                      ? ", key "
                          + String.join(", ", range.keyColumns())
                          + (range.keyFromTable() ? " (the table's identifier fields)" : "")
                      : ""));
    }
    if (!range.hasKey()) {
      cli.err()
          .println(
              "note: "
                  + range.table()
                  + " has no identifier fields and no --key was given, so an"
                  + " update shows as a DELETE and an INSERT. Pass --key <columns> (or ALTER TABLE "
                  + range.table()
                  + " SET IDENTIFIER FIELDS <columns>) to see UPDATE_BEFORE and"
                  + " UPDATE_AFTER pairs.");
    }
    long started = System.nanoTime();
    QueryResult result;
    try {
      result = tables.changes(range, maxRows);
    } catch (LagoaException e) {
      throw inFlags(e);
    }
    cli.printer().print(result, output.format(), cli.out());
    cli.err().println("(" + Values.seconds(System.nanoTime() - started) + ")");
    return 0;
  }

  /** The error with the flags' names where the core names the range's start and end and key. */
  static LagoaException inFlags(LagoaException error) {
    String message = error.getMessage();
    String worded =
        message
            .replace(TableInspector.RANGE_START, "--from")
            .replace(TableInspector.RANGE_END, "--to")
            .replace(TableInspector.KEY_COLUMN + " ", "--key ")
            .replace(
                TableInspector.CHOOSE_KEY, "pass --key with the columns that identify one row");
    return worded.equals(message)
        ? error
        : new LagoaException(error.code(), worded, error, error.remedy().orElse(null));
  }
}
