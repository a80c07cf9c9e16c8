package io.lagoa.pipeline;

/**
 * A place in a pipeline file: the file's path relative to the pipeline folder, 1-based line and
 * 1-based column. Printed as {@code silver/users.sql:3:8}, the form editors jump to.
 */
public record SourcePosition(String file, int line, int column) {
  @Override
  public String toString() {
    return file + ":" + line + ":" + column;
  }
}
