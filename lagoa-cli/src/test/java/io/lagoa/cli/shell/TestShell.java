package io.lagoa.cli.shell;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagoa.cli.Cli;
import io.lagoa.cli.output.OutputFormat;
import io.lagoa.spark.JobProgress;
import io.lagoa.spark.LagoaSpark;
import io.lagoa.spark.SparkSql;
import io.lagoa.testing.TestingWarehouse;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jline.reader.Candidate;
import org.jline.reader.ParsedLine;
import org.jline.reader.Parser;
import org.jline.terminal.Terminal;
import org.jline.terminal.impl.DumbTerminal;
import org.jline.terminal.impl.ExternalTerminal;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The shell driven through a JLine dumb terminal on streams, with a real Spark and catalog. */
class TestShell {
  private static TestingWarehouse warehouse;
  private static SparkSql spark;

  @BeforeAll
  static void create() {
    warehouse = TestingWarehouse.create();
    // Starts Spark for the class; each shell opens its own session on the same SparkContext.
    spark = new SparkSql(LagoaSpark.session(warehouse.config()));
  }

  @AfterAll
  static void delete() {
    warehouse.close();
  }

  /** A shell session: its terminal and what it printed. */
  private static final class Session implements AutoCloseable {
    final ByteArrayOutputStream output = new ByteArrayOutputStream();
    final Terminal terminal;
    final Cli cli;
    final Shell shell;

    Session(String input, Optional<Path> history) throws IOException {
      this(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)), history);
    }

    Session(InputStream input, Optional<Path> history) throws IOException {
      this(input, history, Map.of());
    }

    Session(InputStream input, Optional<Path> history, Map<String, String> extraEnv)
        throws IOException {
      terminal =
          new DumbTerminal("test", Terminal.TYPE_DUMB, input, output, StandardCharsets.UTF_8);
      cli =
          new Cli(
              warehouse.environment(extraEnv),
              warehouse.root(),
              new PrintWriter(new StringWriter()),
              new PrintWriter(new StringWriter()));
      shell = new Shell(cli, terminal, history, OutputFormat.TABLE, 100);
    }

    String output() {
      terminal.writer().flush();
      return output.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
      cli.close();
      terminal.close();
    }
  }

  private static String run(String input) throws IOException {
    try (Session session = new Session(input, Optional.empty())) {
      session.shell.run();
      return session.output();
    }
  }

  @Test
  void showsABannerWithTheWarehouse() throws IOException {
    String output = run("");
    assertThat(output.lines().findFirst().orElseThrow())
        .startsWith(
            "Lagoa shell on " + warehouse.warehouse().toUri().toString().replaceAll("/$", ""))
        .contains("(sqlite catalog)");
  }

  @Test
  void aStatementRunsWhenItEndsWithASemicolon() throws IOException {
    String output = run("SELECT 1 AS a,\n  'x' AS b\n;\nexit\n");
    assertThat(output)
        .contains("a | b\n--+--\n1 | x\n(1 row)\n")
        .containsPattern("\\(\\d+\\.\\d s\\)");
  }

  @Test
  void runsSeveralStatementsOnOneLineInOrder() throws IOException {
    String output =
        run(
            "CREATE NAMESPACE IF NOT EXISTS shell; CREATE TABLE shell.several (id INT) USING iceberg;"
                + " INSERT INTO shell.several VALUES (1), (2); SELECT count(*) AS n FROM shell.several;\n");
    assertThat(output.split("OK \\(", -1)).hasSize(4);
    assertThat(output).contains("n\n-\n2\n(1 row)");
  }

  @Test
  void anErrorIsPrintedWithItsPositionAndTheShellGoesOn() throws IOException {
    String output = run("SELECT 1;  SELECT *\n  FROM nope.missing;\nSELECT 'still here' AS s;\n");
    assertThat(output)
        .contains("error: line 2, column 8: [TABLE_OR_VIEW_NOT_FOUND]")
        .doesNotContain(" pos ")
        .contains("still here\n(1 row)");
  }

  /** Shell errors go through the same masking as the CLI's error line. */
  @Test
  void errorsNeverShowAConfiguredSecret() throws IOException {
    String input = "SELECT * FROM `shell-s3cr3t-value`;\n";
    try (Session session =
        new Session(
            new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)),
            Optional.empty(),
            Map.of("LAGOA_CATALOG_PASSWORD", "shell-s3cr3t-value"))) {
      session.shell.run();
      assertThat(session.output())
          .contains("error: line 1, column 15: [TABLE_OR_VIEW_NOT_FOUND]")
          .contains("`******`")
          .doesNotContain("s3cr3t");
    }
  }

  @Test
  void anErrorSkipsTheRestOfItsInput() throws IOException {
    String output =
        run("SELECT 'first' AS f; SELEC 2; SELECT 'third' AS t;\nSELECT 'next' AS n;\n");
    assertThat(output)
        .contains("first")
        .contains("error: line 1, column 22: [PARSE_SYNTAX_ERROR]")
        .contains("(1 statement after it did not run)")
        .doesNotContain("third\n")
        .contains("next\n(1 row)");
  }

  @Test
  void quotesAndCommentsMaySpanLinesAndHideSemicolons() throws IOException {
    String output = run("SELECT 'a;\nb' AS s, /* c;\n */ 1 AS i -- d;\n;\n");
    assertThat(output).contains("a; b | 1\n");
  }

  @Test
  void exitQuitAndEndOfInputLeave() throws IOException {
    assertThat(run("exit\nSELECT 'never' AS x;\n")).doesNotContain("(1 row)");
    assertThat(run("QUIT;\nSELECT 'never' AS x;\n")).doesNotContain("(1 row)");
    assertThat(run("\\q\nSELECT 'never' AS x;\n")).doesNotContain("(1 row)");
    // Ctrl-D (end of input) after a statement: the statement ran, then the shell ended.
    assertThat(run("SELECT 'last' AS x;\n")).contains("last\n(1 row)");
  }

  @Test
  void helpAndFormatCommands() throws IOException {
    String output = run("help\nformat csv\nSELECT 1 AS x, 'y' AS z;\nformat xml\nformat\n");
    assertThat(output)
        .contains("Shell commands (no ';' needed):")
        .contains("format is now csv")
        .contains("x,z\n1,y\n")
        .contains("error: unknown format 'xml'; use table, csv or json")
        .contains("format is csv; change it with: format table|csv|json");
  }

  @Test
  void ctrlCWhileTypingDropsTheInput() throws Exception {
    PipedOutputStream keyboard = new PipedOutputStream();
    PipedInputStream input = new PipedInputStream(keyboard);
    try (Session session = new Session(input, Optional.empty())) {
      CompletableFuture<Void> shell = CompletableFuture.runAsync(session.shell::run);
      awaitPrompts(session, 1);
      type(keyboard, input, "SELECT 'dropped' AS x,\n");
      session.terminal.raise(Terminal.Signal.INT);
      awaitPrompts(session, 2); // the input was dropped and a new prompt shown
      type(keyboard, input, "SELECT 'kept' AS y;\n");
      keyboard.close();
      shell.get(60, TimeUnit.SECONDS);
      assertThat(session.output()).doesNotContain("dropped\n").contains("kept\n(1 row)");
    }
  }

  private static void awaitPrompts(Session session, int count) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (session.output().split(Shell.PROMPT, -1).length - 1 < count) {
      assertThat(System.nanoTime()).as("prompt " + count + " shown").isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  /** Writes a line and waits until the shell has read it. */
  private static void type(PipedOutputStream keyboard, PipedInputStream input, String line)
      throws Exception {
    keyboard.write(line.getBytes(StandardCharsets.UTF_8));
    keyboard.flush();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (input.available() > 0) {
      assertThat(System.nanoTime()).as("the shell reads its input").isLessThan(deadline);
      Thread.sleep(20);
    }
    Thread.sleep(300); // from the stream into the line editor
  }

  @Test
  void ctrlCCancelsTheRunningStatementAndTheShellGoesOn() throws Exception {
    // Listening before the shell starts: a stage submitted before the listener is never counted.
    JobProgress progress = spark.progress();
    // One split: the statement runs for minutes on one core and leaves the other to the test.
    try (Session session =
        new Session(
            "SELECT max(id) FROM range(0, 1000000000000, 1, 1);\nSELECT 'after' AS a;\n",
            Optional.empty())) {
      CompletableFuture<Void> shell = CompletableFuture.runAsync(session.shell::run);
      // Only a guard against hanging: a busy CI machine once stalled this loop for 40 s.
      long deadline = System.nanoTime() + Duration.ofSeconds(240).toNanos();
      while (!session.output().contains("cancelling")) {
        if (progress.snapshot().runningStages() > 0) {
          session.terminal.raise(Terminal.Signal.INT);
        }
        // Said in full if it fails (once in a loaded run): what the shell printed and what Spark
        // ran.
        assertThat(System.nanoTime())
            .as(
                () ->
                    "the long statement started and Ctrl-C reached it; the shell said: "
                        + session.output()
                        + "; Spark: "
                        + progress.snapshot()
                        + ", shell thread done: "
                        + shell.isDone())
            .isLessThan(deadline);
        Thread.sleep(50);
      }
      shell.get(120, TimeUnit.SECONDS);
      assertThat(session.output())
          .containsPattern("cancelled \\(\\d+\\.\\d s\\)")
          .doesNotContain("error:")
          .contains("after\n(1 row)");
    }
  }

  @Test
  void tabCompletesTableNamesAndKeywords() throws Exception {
    spark.run("CREATE NAMESPACE IF NOT EXISTS shell");
    spark.run("CREATE TABLE IF NOT EXISTS shell.completion_target (id INT) USING iceberg");
    // A dumb terminal does not complete; an emulated xterm does, as a user's terminal would.
    ByteArrayOutputStream screen = new ByteArrayOutputStream();
    PipedOutputStream keyboard = new PipedOutputStream();
    PipedInputStream input = new PipedInputStream(keyboard);
    try (Terminal xterm =
            new ExternalTerminal("test", "xterm", input, screen, StandardCharsets.UTF_8);
        Cli cli =
            new Cli(
                warehouse.environment(Map.of()),
                warehouse.root(),
                new PrintWriter(new StringWriter()),
                new PrintWriter(new StringWriter()))) {
      Shell shell = new Shell(cli, xterm, Optional.empty(), OutputFormat.CSV, 100);
      CompletableFuture<Void> running = CompletableFuture.runAsync(shell::run);
      long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
      while (shell.keywords == null || !shell.keywords.isDone()) {
        assertThat(System.nanoTime()).as("keywords are read").isLessThan(deadline);
        Thread.sleep(50);
      }
      type(keyboard, input, "sel\t count(*) AS n FROM shell.completion_ta\t;\r");
      keyboard.close();
      running.get(120, TimeUnit.SECONDS);
      xterm.writer().flush();
    }
    String output = screen.toString(StandardCharsets.UTF_8).replace("\r", "");
    assertThat(output).contains("SELECT ").contains("shell.completion_target ;").contains("n\n0\n");
  }

  @Test
  void completesFromKeywordsTablesAndCommands() {
    int[] tableReads = {0};
    SqlCompleter completer =
        new SqlCompleter(
            () -> List.of("SELECT", "FROM"),
            () -> {
              tableReads[0]++;
              return List.of("bronze", "bronze.orders");
            });
    SqlLineParser parser = new SqlLineParser();
    List<Candidate> candidates = new ArrayList<>();
    ParsedLine line = parser.parse("SELECT a,b FROM bro", 19, Parser.ParseContext.COMPLETE);
    assertThat(line.word()).isEqualTo("bro");
    completer.complete(null, line, candidates);
    assertThat(candidates)
        .extracting(Candidate::value)
        .containsExactlyInAnyOrder("SELECT", "FROM", "bronze", "bronze.orders");

    candidates.clear();
    completer.complete(null, parser.parse("he", 2, Parser.ParseContext.COMPLETE), candidates);
    assertThat(candidates).extracting(Candidate::value).contains("help", "exit", "format");
    assertThat(tableReads[0]).isEqualTo(1);
    completer.tablesChanged();
    completer.complete(null, parser.parse("x", 1, Parser.ParseContext.COMPLETE), new ArrayList<>());
    assertThat(tableReads[0]).isEqualTo(2);

    SqlCompleter broken =
        new SqlCompleter(
            () -> {
              throw new IllegalStateException("no Spark");
            },
            List::of);
    List<Candidate> none = new ArrayList<>();
    broken.complete(null, line, none);
    assertThat(none).isEmpty();
  }

  @Test
  void keepsTheHistoryBetweenSessions() throws IOException {
    Path history = warehouse.root().resolve("history/lagoa_history");
    try (Session session =
        new Session("SELECT 1 AS one;\nSELECT 2\n AS two;\nexit\n", Optional.of(history))) {
      session.shell.run();
    }
    assertThat(Files.readString(history)).contains("SELECT 1 AS one;").contains("AS two;");
  }

  @Test
  void decidesWhenInputIsComplete() {
    assertThat(SqlLineParser.isComplete("")).isTrue();
    assertThat(SqlLineParser.isComplete("SELECT 1;")).isTrue();
    assertThat(SqlLineParser.isComplete("SELECT 1; -- done")).isTrue();
    assertThat(SqlLineParser.isComplete("exit")).isTrue();
    assertThat(SqlLineParser.isComplete("  Help ")).isTrue();
    assertThat(SqlLineParser.isComplete("SELECT 1")).isFalse();
    assertThat(SqlLineParser.isComplete("SELECT 1; SELECT 2")).isFalse();
    assertThat(SqlLineParser.isComplete("SELECT ';")).isFalse();
    assertThat(SqlLineParser.isComplete("SELECT 1 /* ; */")).isFalse();
    assertThat(Builtin.parse("format  json ;")).isEqualTo(new Builtin("format", List.of("json")));
    assertThat(Builtin.parse("SELECT 1;")).isNull();
  }
}
