package io.lagoa.pipeline;

import java.util.List;

/**
 * A table a query reads, as the engine's parser found it.
 *
 * @param parts the name as written, e.g. {@code [bronze, users]} or {@code [json, /data/x.json]}
 * @param streaming read with {@code STREAM(...)}: only the data appended since the last run
 */
public record InputReference(List<String> parts, boolean streaming, SourcePosition position) {
  public InputReference {
    parts = List.copyOf(parts);
  }
}
