package io.lagoa.cli.shell;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.jline.reader.Candidate;
import org.jline.reader.Completer;
import org.jline.reader.LineReader;
import org.jline.reader.ParsedLine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tab completion of Spark SQL keywords, table names ({@code namespace.table}) and, at the start of
 * a line, shell commands. Keywords are read once; table names again after a statement ran, since it
 * may have created or dropped one.
 */
final class SqlCompleter implements Completer {
  private static final Logger LOG = LoggerFactory.getLogger(SqlCompleter.class);

  private final Supplier<List<String>> keywordSource;
  private final Supplier<List<String>> tableSource;
  private List<String> keywords;
  private List<String> tables;

  SqlCompleter(Supplier<List<String>> keywordSource, Supplier<List<String>> tableSource) {
    this.keywordSource = keywordSource;
    this.tableSource = tableSource;
  }

  /** Table names are read again on the next completion. */
  synchronized void tablesChanged() {
    tables = null;
  }

  @Override
  public synchronized void complete(
      LineReader reader, ParsedLine line, List<Candidate> candidates) {
    if (keywords == null) {
      keywords = load(keywordSource, "keywords");
    }
    if (tables == null) {
      tables = load(tableSource, "table names");
    }
    for (String keyword : keywords == null ? List.<String>of() : keywords) {
      candidates.add(new Candidate(keyword, keyword, "keywords", null, null, null, true));
    }
    for (String table : tables == null ? List.<String>of() : tables) {
      candidates.add(new Candidate(table, table, "tables", null, null, null, true));
    }
    if (line.wordIndex() == 0) {
      for (String command : Builtin.NAMES) {
        candidates.add(new Candidate(command, command, "shell commands", null, null, null, true));
      }
    }
  }

  /** The names, or null (asked again next time) when the source has none yet. */
  private static List<String> load(Supplier<List<String>> source, String what) {
    try {
      List<String> names = source.get();
      return names == null ? null : List.copyOf(names);
    } catch (RuntimeException e) {
      // Completion is a convenience: never let it break the line being typed.
      LOG.debug("cannot read {} for completion", what, e);
      return new ArrayList<>();
    }
  }
}
