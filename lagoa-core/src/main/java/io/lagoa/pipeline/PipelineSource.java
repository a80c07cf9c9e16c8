package io.lagoa.pipeline;

import java.util.ArrayList;
import java.util.List;

/** A pipeline folder as read from disk: its spec and its statements, in file order. */
public record PipelineSource(PipelineSpec spec, List<PipelineFile> files) {
  public PipelineSource {
    files = List.copyOf(files);
  }

  public List<DatasetStatement> statements() {
    List<DatasetStatement> all = new ArrayList<>();
    files.forEach(file -> all.addAll(file.statements()));
    return all;
  }

  /** The declarations of AUTO CDC targets, in file order, each merged into its flow's statement. */
  public List<ParsedStatement.Declaration> declarations() {
    List<ParsedStatement.Declaration> all = new ArrayList<>();
    files.forEach(file -> all.addAll(file.declarations()));
    return all;
  }
}
