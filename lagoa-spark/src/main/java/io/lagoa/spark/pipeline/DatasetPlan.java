package io.lagoa.spark.pipeline;

import io.lagoa.pipeline.DatasetStatement;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What Spark's parser read from one pipeline statement, beyond its inputs.
 *
 * @param queryOffset where the query starts in {@link DatasetStatement#engineSql()}
 * @param partitioning Iceberg partition transforms as SQL, e.g. {@code months(sale_date)}
 * @param columns declared columns as SQL ({@code user_id BIGINT COMMENT '...'}), usually empty
 * @param streams the {@code STREAM(table)} reads, with where they are in the statement's text
 */
record DatasetPlan(
    DatasetStatement statement,
    int queryOffset,
    List<String> partitioning,
    Optional<String> comment,
    Map<String, String> properties,
    List<StreamRead> streams) {

  /**
   * One {@code STREAM(bronze.events)} in a query.
   *
   * @param start offset of STREAM in the statement text
   * @param end offset just past the closing parenthesis (or the name, without parentheses)
   */
  record StreamRead(List<String> parts, int start, int end) {}
}
