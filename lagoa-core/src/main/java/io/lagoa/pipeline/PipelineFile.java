package io.lagoa.pipeline;

import java.util.List;

/**
 * One SQL file of a pipeline, with variables substituted.
 *
 * @param path relative to the pipeline folder, with / separators
 * @param statements the datasets it defines; the target of an AUTO CDC flow is the flow's
 *     statement, merged with the target's declaration (which may be in another file)
 * @param declarations the AUTO CDC targets it declares ({@code CREATE STREAMING TABLE name} without
 *     a query), merged into their flows' statements; kept so the engine can check their clauses
 */
public record PipelineFile(
    String path,
    String text,
    List<DatasetStatement> statements,
    List<ParsedStatement.Declaration> declarations) {
  public PipelineFile {
    statements = List.copyOf(statements);
    declarations = List.copyOf(declarations);
  }

  public PipelineFile(String path, String text, List<DatasetStatement> statements) {
    this(path, text, statements, List.of());
  }
}
