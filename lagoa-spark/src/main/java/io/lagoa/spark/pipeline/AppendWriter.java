package io.lagoa.spark.pipeline;

/**
 * {@link WriteMode.Append}: {@code INSERT INTO ... BY NAME}, after adding the columns a source
 * found since the table was created.
 */
final class AppendWriter extends TableWriter {
  AppendWriter(TableCommitter committer) {
    super(committer);
  }

  @Override
  String statement(String target, String view) {
    return "INSERT INTO " + target + " BY NAME SELECT * FROM " + view;
  }

  @Override
  boolean incremental() {
    return true;
  }
}
