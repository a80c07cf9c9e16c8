package io.lagoa.cli.shell;

import io.lagoa.cli.output.OutputFormat;
import io.lagoa.cli.output.ProgressDisplay;
import io.lagoa.cli.output.Values;
import io.lagoa.config.LagoaConfig;
import io.lagoa.error.LagoaException;
import io.lagoa.result.QueryResult;
import io.lagoa.spark.SparkSql;
import io.lagoa.spark.SqlException;
import io.lagoa.sql.Statement;
import io.lagoa.sql.StatementSplitter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The interactive Spark SQL shell: reads statements with JLine (history, multi-line input,
 * completion), runs them on one Spark session and prints results and errors without leaving. Ctrl-C
 * cancels the running statement (or clears the input being typed); Ctrl-D or {@code exit} leaves.
 * Works on any JLine terminal, so tests drive it through a dumb terminal on streams.
 */
public final class Shell {
  static final String PROMPT = "lagoa> ";
  static final String CONTINUATION_PROMPT = "    -> ";
  private static final Logger LOG = LoggerFactory.getLogger(Shell.class);

  private final ShellContext cli;
  private final Terminal terminal;
  private final PrintWriter out;
  private final Optional<Path> historyFile;
  private final int maxRows;
  private OutputFormat format;
  private SparkSql sql;
  private SqlCompleter completer;

  /** Spark's SQL keywords for completion, read in the background once Spark runs. */
  volatile CompletableFuture<List<String>> keywords;

  /** The statement running now, or null; Ctrl-C cancels it. */
  private final AtomicReference<Running> running = new AtomicReference<>();

  /**
   * @param historyFile where input history is kept between sessions, or empty for none
   * @param format how results are printed until the {@code format} command changes it
   * @param maxRows at most this many rows of each result are printed
   */
  public Shell(
      ShellContext cli,
      Terminal terminal,
      Optional<Path> historyFile,
      OutputFormat format,
      int maxRows) {
    this.cli = cli;
    this.terminal = terminal;
    this.out = terminal.writer();
    this.historyFile = historyFile;
    this.format = format;
    this.maxRows = maxRows;
  }

  /** Runs until the user leaves. Configuration and catalog errors propagate before the prompt. */
  public void run() {
    LagoaConfig config = cli.config();
    out.println(banner(config));
    out.flush();
    sql = startSpark();
    // Spark's keyword list takes a query; read it in the background so the first Tab is quick.
    keywords = CompletableFuture.supplyAsync(this::readKeywords);
    completer = new SqlCompleter(() -> keywords.getNow(null), this::tableNames);
    LineReaderBuilder builder =
        LineReaderBuilder.builder()
            .appName("lagoa")
            .terminal(terminal)
            .parser(new SqlLineParser())
            .completer(completer)
            .variable(LineReader.SECONDARY_PROMPT_PATTERN, CONTINUATION_PROMPT)
            .variable(LineReader.HISTORY_SIZE, 10_000)
            .variable(LineReader.HISTORY_FILE_SIZE, 10_000)
            // '!' is SQL (!=, NOT), not history expansion.
            .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)
            .option(LineReader.Option.CASE_INSENSITIVE, true);
    historyFile.ifPresent(file -> builder.variable(LineReader.HISTORY_FILE, file));
    if (isDumb()) {
      builder.variable(LineReader.BLINK_MATCHING_PAREN, 0);
    }
    LineReader reader = builder.build();
    Terminal.SignalHandler previous = terminal.handle(Terminal.Signal.INT, signal -> interrupt());
    try {
      loop(reader);
    } finally {
      terminal.handle(Terminal.Signal.INT, previous);
      saveHistory(reader);
      out.flush();
    }
  }

  private void loop(LineReader reader) {
    while (true) {
      String input;
      try {
        input = reader.readLine(PROMPT);
      } catch (UserInterruptException e) {
        // Ctrl-C while typing drops the input; on an empty line, say how to leave.
        if (e.getPartialLine() == null || e.getPartialLine().isBlank()) {
          out.println("(Ctrl-D or 'exit' leaves the shell)");
        }
        continue;
      } catch (EndOfFileException e) {
        return;
      }
      if (!handle(input)) {
        return;
      }
    }
  }

  /** Runs one finished input: a shell command or statements. False when the user leaves. */
  boolean handle(String input) {
    Builtin builtin = Builtin.parse(input);
    if (builtin != null) {
      return runBuiltin(builtin);
    }
    List<Statement> statements = StatementSplitter.splitAll(input);
    for (int i = 0; i < statements.size(); i++) {
      if (!execute(statements.get(i))) {
        int skipped = statements.size() - i - 1;
        if (skipped > 0) {
          out.println(
              "("
                  + skipped
                  + (skipped == 1 ? " statement" : " statements")
                  + " after it did not run)");
        }
        break;
      }
    }
    out.flush();
    return true;
  }

  private boolean runBuiltin(Builtin builtin) {
    switch (builtin.name()) {
      case "exit", "quit" -> {
        return false;
      }
      case "help" -> out.print(help().formatted(name(format)));
      case "format" -> {
        if (builtin.arguments().size() != 1) {
          out.println("format is " + name(format) + "; change it with: format table|csv|json");
        } else {
          try {
            format = OutputFormat.valueOf(builtin.arguments().get(0).toUpperCase(Locale.ROOT));
            out.println("format is now " + name(format));
          } catch (IllegalArgumentException e) {
            out.println(
                "error: unknown format '"
                    + builtin.arguments().get(0)
                    + "'; use table, csv or json");
          }
        }
      }
      default -> throw new IllegalStateException("unhandled shell command " + builtin.name());
    }
    out.flush();
    return true;
  }

  /** Runs one statement and prints its result; false when it failed or was cancelled. */
  private boolean execute(Statement statement) {
    long started = System.nanoTime();
    Running run = new Running("lagoa-shell-" + UUID.randomUUID());
    running.set(run);
    try {
      QueryResult result;
      // The progress bar is erased when the handle closes, before anything is printed.
      try (ProgressDisplay.Handle ignored = ProgressDisplay.start("query", sql.progress())) {
        result = sql.execute(statement.sql(), maxRows, run.tag);
      }
      String elapsed = Values.seconds(System.nanoTime() - started);
      if (result.hasColumns()) {
        cli.printer().print(result, format, out);
        out.println("(" + elapsed + ")");
      } else {
        out.println("OK (" + elapsed + ")");
      }
      return true;
    } catch (SqlException e) {
      String elapsed = Values.seconds(System.nanoTime() - started);
      if (run.cancelled) {
        out.println("cancelled (" + elapsed + ")");
      } else {
        String where = position(e, statement);
        out.println(
            "error: "
                + cli.secrets()
                    .mask(where + (where.isEmpty() ? e.getMessage() : e.messageWithoutPosition())));
      }
      return false;
    } catch (LagoaException e) {
      out.println("error: " + cli.secrets().mask(e.getMessage()));
      return false;
    } finally {
      run.done = true;
      running.set(null);
      completer.tablesChanged();
      out.flush();
    }
  }

  /** One running statement: the tag on its Spark jobs, and whether Ctrl-C asked to cancel it. */
  private static final class Running {
    final String tag;
    volatile boolean cancelled;
    volatile boolean done;

    Running(String tag) {
      this.tag = tag;
    }
  }

  /** Where in the input the error is (1-based line and column), when Spark says. */
  private static String position(SqlException e, Statement statement) {
    if (e.line().isEmpty()) {
      return "";
    }
    int line = e.line().getAsInt();
    StringBuilder where = new StringBuilder("line ").append(statement.fileLine(line));
    e.column()
        .ifPresent(column -> where.append(", column ").append(statement.fileColumn(line, column)));
    return where.append(": ").toString();
  }

  /**
   * Ctrl-C while a statement runs: cancel its Spark jobs. A statement may start further jobs after
   * the first is cancelled (or before any job started), so keep cancelling until it ends. The tag
   * is the statement's own, so a late cancel never reaches the next statement.
   */
  private void interrupt() {
    Running run = running.get();
    if (run == null || run.cancelled) {
      return;
    }
    run.cancelled = true;
    out.println();
    out.println("cancelling...");
    out.flush();
    Thread canceller =
        new Thread(
            () -> {
              while (!run.done) {
                sql.cancel(run.tag);
                try {
                  Thread.sleep(100);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  return;
                }
              }
            },
            "lagoa-cancel");
    canceller.setDaemon(true);
    canceller.start();
  }

  /** Starts Spark once, before the first prompt; says so on a real terminal, it takes seconds. */
  private SparkSql startSpark() {
    boolean show = !isDumb();
    if (show) {
      out.print("starting Spark...");
      out.flush();
    }
    try {
      return cli.sql();
    } finally {
      if (show) {
        out.print("\r\033[K");
        out.flush();
      }
    }
  }

  private String banner(LagoaConfig config) {
    String catalog = config.catalog().type().configName() + " catalog";
    return "Lagoa shell on "
        + config.warehouse()
        + " ("
        + catalog
        + "). End statements with ';'. 'help' lists commands, Ctrl-D leaves.";
  }

  static String help() {
    return """
        Type Spark SQL statements ending with ';'. One may span several lines, and one line may
        hold several. Tables are <namespace>.<table>, e.g. silver.orders.

        Shell commands (no ';' needed):
          help                       this text
          format table|csv|json      how results are printed (now: %s)
          exit, quit                 leave the shell (or Ctrl-D)

        Keys: Ctrl-C cancels the running statement, or clears the input being typed.
              Tab completes keywords and table names. Up and Down go through the history.
        """;
  }

  private static String name(OutputFormat format) {
    return format.name().toLowerCase(Locale.ROOT);
  }

  private boolean isDumb() {
    return Terminal.TYPE_DUMB.equals(terminal.getType())
        || Terminal.TYPE_DUMB_COLOR.equals(terminal.getType());
  }

  private List<String> readKeywords() {
    List<String> keywords = new ArrayList<>();
    for (List<Object> row : sql.execute("SELECT keyword FROM sql_keywords()", 10_000).rows()) {
      keywords.add(String.valueOf(row.get(0)));
    }
    return keywords;
  }

  /** {@code namespace.table} for every table, straight from the catalog (no Spark job). */
  private List<String> tableNames() {
    Catalog catalog = cli.catalog();
    List<String> names = new ArrayList<>();
    if (catalog instanceof SupportsNamespaces namespaces) {
      collect(catalog, namespaces, Namespace.empty(), names);
    }
    return names;
  }

  private static void collect(
      Catalog catalog, SupportsNamespaces namespaces, Namespace parent, List<String> into) {
    for (Namespace namespace : namespaces.listNamespaces(parent)) {
      into.add(namespace.toString());
      for (TableIdentifier table : catalog.listTables(namespace)) {
        into.add(table.toString());
      }
      collect(catalog, namespaces, namespace, into);
    }
  }

  private void saveHistory(LineReader reader) {
    if (historyFile.isEmpty()) {
      return;
    }
    try {
      reader.getHistory().save();
    } catch (IOException e) {
      LOG.warn("cannot save the shell history to {}: {}", historyFile.get(), e.getMessage());
    }
  }
}
