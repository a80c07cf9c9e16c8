package io.lagoa.pipeline;

import io.lagoa.sql.Statement;
import java.util.List;
import java.util.Optional;

/**
 * One definition statement of a pipeline file, after Lagoa's own clauses have been read.
 *
 * @param nameParts the dataset's name as written, e.g. {@code [silver, users]}
 * @param keys for a streaming table that merges: the columns identifying a row ({@code KEYS})
 * @param sequenceBy with keys: the column that orders changes to one key ({@code SEQUENCE BY})
 * @param engineSql the statement with the clauses Spark does not know (constraints, KEYS, SEQUENCE
 *     BY, OR REFRESH) blanked out by spaces, so every position in it is the same as in the file
 * @param statement the statement as cut from the file, with where it starts
 * @param sources the source function calls in its query ({@code read_kafka}, {@code read_files})
 * @param autoCdc for a streaming table written by an {@code AUTO CDC INTO} flow: how the changes
 *     are applied. Its {@link #engineSql()} is then {@code CREATE STREAMING TABLE name [the
 *     declaration's COMMENT, PARTITIONED BY, TBLPROPERTIES] AS SELECT * FROM} on the first line,
 *     then the flow's text with all but its source blanked out, so the query (from the first AS at
 *     depth 0) reads the change rows and every offset after the first line maps to the flow's file
 *     ({@link #statement()} starts one line before the flow); {@link #position()} is the
 *     declaration's name, or the flow's target when the target is not declared
 * @param vault for a hub, link, satellite or effectivity satellite: how its staged rows (the query
 *     {@link VaultAssembler} wrote from its LOAD flows) are loaded
 * @param identityGraph for the table of a {@code CREATE IDENTITY GRAPH}: its match rules (its
 *     {@link #engineSql()} is then {@code CREATE STREAMING TABLE name AS} on the first line, then
 *     the statement with all but its query blanked out, as for an AUTO CDC flow)
 */
public record DatasetStatement(
    String file,
    DatasetKind kind,
    List<String> nameParts,
    SourcePosition position,
    List<Expectation> expectations,
    List<String> keys,
    Optional<String> sequenceBy,
    String engineSql,
    Statement statement,
    List<SourceCall> sources,
    Optional<AutoCdc> autoCdc,
    Optional<VaultTable> vault,
    Optional<io.lagoa.identity.MatchRules> identityGraph) {

  public DatasetStatement {
    nameParts = List.copyOf(nameParts);
    expectations = List.copyOf(expectations);
    keys = List.copyOf(keys);
    sources = List.copyOf(sources);
  }

  /** A statement that is neither a Data Vault table nor an identity graph. */
  public DatasetStatement(
      String file,
      DatasetKind kind,
      List<String> nameParts,
      SourcePosition position,
      List<Expectation> expectations,
      List<String> keys,
      Optional<String> sequenceBy,
      String engineSql,
      Statement statement,
      List<SourceCall> sources,
      Optional<AutoCdc> autoCdc) {
    this(
        file,
        kind,
        nameParts,
        position,
        expectations,
        keys,
        sequenceBy,
        engineSql,
        statement,
        sources,
        autoCdc,
        Optional.empty(),
        Optional.empty());
  }

  /** A statement without an AUTO CDC flow. */
  public DatasetStatement(
      String file,
      DatasetKind kind,
      List<String> nameParts,
      SourcePosition position,
      List<Expectation> expectations,
      List<String> keys,
      Optional<String> sequenceBy,
      String engineSql,
      Statement statement,
      List<SourceCall> sources) {
    this(
        file,
        kind,
        nameParts,
        position,
        expectations,
        keys,
        sequenceBy,
        engineSql,
        statement,
        sources,
        Optional.empty());
  }

  /** The source call a placeholder relation of {@link #engineSql()} stands for. */
  public java.util.Optional<SourceCall> source(String relation) {
    for (SourceCall call : sources) {
      if (call.placeholder().equalsIgnoreCase(relation)) {
        return java.util.Optional.of(call);
      }
    }
    return java.util.Optional.empty();
  }

  /** Maps an offset in {@link #engineSql()} to its place in the file. */
  public SourcePosition positionAt(int offset) {
    return positionIn(file, statement, engineSql, offset);
  }

  /** Maps a Spark position inside the statement (1-based line, 0-based column) to the file. */
  public SourcePosition positionAt(int lineInStatement, int columnInStatement) {
    return new SourcePosition(
        file,
        statement.fileLine(lineInStatement),
        statement.fileColumn(lineInStatement, columnInStatement));
  }

  static SourcePosition positionIn(String file, Statement statement, String text, int offset) {
    int line = 1;
    int lineStart = 0;
    for (int i = 0; i < offset && i < text.length(); i++) {
      if (text.charAt(i) == '\n') {
        line++;
        lineStart = i + 1;
      }
    }
    return new SourcePosition(
        file, statement.fileLine(line), statement.fileColumn(line, offset - lineStart));
  }
}
