package io.lagoa.spark.pipeline.source;

import static org.apache.spark.sql.functions.col;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

/** {@code format => 'parquet'}: the files' own schema, merged with what earlier batches had. */
final class ParquetFileFormat extends FileFormat {
  ParquetFileFormat(Context context) {
    super(context);
  }

  @Override
  Built read(List<FileLog.Entry> files, Map<String, String> stored, String runId) {
    return parquet(paths(files), stored, runId);
  }

  private Built parquet(String[] paths, Map<String, String> stored, String runId) {
    StructType known = known(null, stored);
    Dataset<Row> data = spark.read().option("mergeSchema", "true").parquet(paths);
    StructType schema =
        known == null ? data.schema() : KafkaSourceReader.merge(known, data.schema());
    boolean adds = known == null || schema.fields().length > known.fields().length;
    List<Column> columns = new ArrayList<>();
    for (StructField field : data.schema().fields()) {
      columns.add(col(quote(field.name())));
    }
    columns.add(fileColumn());
    Dataset<Row> checked =
        data.select(columns.toArray(new Column[0])).persist(StorageLevel.MEMORY_AND_DISK());
    return new Built(checked, emptyRejected(runId), schema, adds, checked, checked::unpersist);
  }
}
