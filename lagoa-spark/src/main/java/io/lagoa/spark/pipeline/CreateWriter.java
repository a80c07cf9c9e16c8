package io.lagoa.spark.pipeline;

/**
 * {@link WriteMode.Create}: {@code CREATE TABLE ... AS SELECT}, not {@code OR REPLACE}: a table
 * another run created meanwhile makes the commit fail, and that conflict plans the flow again.
 */
final class CreateWriter extends TableWriter {
  private final DatasetPlan plan;

  CreateWriter(DatasetPlan plan, TableCommitter committer) {
    super(committer);
    this.plan = plan;
  }

  @Override
  String statement(String target, String view) {
    return ReplaceWriter.createAsSelect(target, plan, view, false);
  }

  @Override
  boolean incremental() {
    return false;
  }
}
