package io.lagoa.spark.pipeline.source;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

/**
 * {@code format => 'json'}: JSON Lines, one object a line, parsed with the declared or learned
 * schema; lines that are no JSON object or do not match the types are rejected.
 */
final class JsonFileFormat extends FileFormat {
  JsonFileFormat(Context context) {
    super(context);
  }

  @Override
  Built read(List<FileLog.Entry> files, Map<String, String> stored, String runId) {
    return json(paths(files), stored, runId);
  }

  private Built json(String[] paths, Map<String, String> stored, String runId) {
    StructType declared = declared();
    String evolution = evolution(declared);
    StructType known = known(declared, stored);
    Dataset<Row> lines =
        spark
            .read()
            .format("text")
            .load(paths)
            .select(col("value"), fileColumn())
            .where("length(trim(value)) > 0")
            .persist(StorageLevel.MEMORY_AND_DISK());
    StructType schema = known;
    boolean adds = false;
    if (known == null || evolution.equals("add")) {
      Dataset<String> json =
          lines
              .where(
                  expr(
                      "octet_length(value) <= "
                          + maxRecordBytes
                          + " AND json_object_keys(value) IS NOT NULL"))
              .select(col("value"))
              .as(org.apache.spark.sql.Encoders.STRING());
      StructType inferred =
          hinted(spark.read().option("mode", "DROPMALFORMED").json(json).schema());
      schema = known == null ? inferred : KafkaSourceReader.merge(known, inferred);
      adds = known == null || schema.fields().length > known.fields().length;
    }
    boolean rescue = evolution.equals("rescue");
    StructType withCorrupt = schema.add(CORRUPT, DataTypes.StringType);
    Dataset<Row> parsed =
        lines.withColumn(
            "__p",
            org.apache.spark.sql.functions.from_json(
                col("value"),
                withCorrupt,
                Map.of("mode", "PERMISSIVE", "columnNameOfCorruptRecord", CORRUPT)));
    Column error =
        expr(
            "CASE WHEN octet_length(value) > "
                + maxRecordBytes
                + " THEN concat('the line has ', octet_length(value), ' bytes, more than"
                + " max_record_bytes ("
                + maxRecordBytes
                + ")')"
                + " WHEN __p."
                + CORRUPT
                + " IS NULL THEN NULL"
                + " WHEN json_object_keys(value) IS NULL THEN"
                + " 'not a JSON object: invalid JSON, or JSON that is not {...}'"
                + " ELSE "
                + KafkaSourceReader.typeError(schema)
                + " END");
    List<Column> columns = new ArrayList<>();
    for (StructField field : schema.fields()) {
      columns.add(col("__p." + quote(field.name())).as(field.name()));
    }
    if (rescue) {
      columns.add(KafkaSourceReader.rescued(schema).as(RESCUED));
    }
    columns.add(col(METADATA));
    Dataset<Row> checked =
        parsed.withColumn("__error", error).persist(StorageLevel.MEMORY_AND_DISK());
    return new Built(
        checked.where("__error IS NULL").select(columns.toArray(new Column[0])),
        rejected(checked, expr("CAST(value AS BINARY)"), runId),
        schema,
        adds,
        checked,
        () -> {
          checked.unpersist();
          lines.unpersist();
        });
  }
}
