package io.lagoa.pipeline;

import java.util.List;

/** A statement with the inputs the engine's parser found in its query. */
public record ParsedDataset(DatasetStatement statement, List<InputReference> inputs) {
  public ParsedDataset {
    inputs = List.copyOf(inputs);
  }
}
