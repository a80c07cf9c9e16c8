package io.lagoa.pipeline;

/**
 * An input of a dataset, resolved against the pipeline.
 *
 * @param name a dataset's name ({@code silver.users}, or a temporary view's), a catalog table's
 *     name, for files {@code format.`path`}, for a source function e.g. {@code kafka:events}
 */
public record Input(String name, Kind kind, boolean streaming, SourcePosition position) {
  public enum Kind {
    /** Defined in this pipeline. */
    DATASET,
    /** A table in the catalog that the pipeline does not define. */
    TABLE,
    /** Files read directly, e.g. {@code json.`/data/users.json`}. */
    FILE,
    /** A source function: {@code read_kafka(...)} or {@code read_files(...)}. */
    SOURCE
  }

  public boolean isExternal() {
    return kind != Kind.DATASET;
  }
}
