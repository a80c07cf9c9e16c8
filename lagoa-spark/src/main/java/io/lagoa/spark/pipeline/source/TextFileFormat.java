package io.lagoa.spark.pipeline.source;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;

import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;

/** {@code format => 'text'}: a {@code value STRING} row per line. */
final class TextFileFormat extends FileFormat {
  TextFileFormat(Context context) {
    super(context);
  }

  @Override
  Built read(List<FileLog.Entry> files, Map<String, String> stored, String runId) {
    return text(paths(files), runId);
  }

  private Built text(String[] paths, String runId) {
    Dataset<Row> lines = spark.read().format("text").load(paths).select(col("value"), fileColumn());
    Column error =
        expr(
            "CASE WHEN octet_length(value) > "
                + maxRecordBytes
                + " THEN concat('the line has ', octet_length(value), ' bytes, more than"
                + " max_record_bytes ("
                + maxRecordBytes
                + ")') END");
    Dataset<Row> checked =
        lines.withColumn("__error", error).persist(StorageLevel.MEMORY_AND_DISK());
    return new Built(
        checked.where("__error IS NULL").select(col("value"), col(METADATA)),
        rejected(checked, expr("CAST(value AS BINARY)"), runId),
        null,
        false,
        checked,
        checked::unpersist);
  }
}
