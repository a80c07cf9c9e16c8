package io.lagoa.pipeline;

import java.util.List;

/**
 * One SQL file of a pipeline, with variables substituted.
 *
 * @param path relative to the pipeline folder, with / separators
 */
public record PipelineFile(String path, String text, List<DatasetStatement> statements) {
  public PipelineFile {
    statements = List.copyOf(statements);
  }
}
