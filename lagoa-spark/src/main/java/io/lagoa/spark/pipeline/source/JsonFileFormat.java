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
 *
 * <p>{@link #objects} is the machinery other formats whose lines carry a JSON object reuse (the
 * Airbyte format: the object is the record's data): learning the schema, adding or rescuing new
 * fields, and the errors of lines that do not match.
 */
final class JsonFileFormat extends FileFormat {
  JsonFileFormat(Context context) {
    super(context);
  }

  @Override
  Built read(List<FileLog.Entry> files, Map<String, String> stored, String runId) {
    Dataset<Row> lines =
        spark
            .read()
            .format("text")
            .load(paths(files))
            .select(col("value"), fileColumn())
            .where("length(trim(value)) > 0");
    return objects(new Objects(lines, "value", "NULL", "FALSE", List.of()), stored, runId);
  }

  /**
   * Lines holding a JSON object to parse into columns.
   *
   * @param lines the lines, with the object's text in a {@code value} column (null when {@code
   *     error} says why), {@code _source_file}, and the columns the other arguments name
   * @param line the column with the whole line: its length is checked, and it is what a rejected
   *     line keeps as {@code _raw}
   * @param error a SQL expression: why a line is rejected before its object is parsed (NULL when it
   *     is not)
   * @param skipped a SQL condition: lines that are neither rows nor rejected
   * @param leading the columns each row has before the object's fields
   */
  record Objects(
      Dataset<Row> lines, String line, String error, String skipped, List<Column> leading) {}

  /** Parses the objects of {@code objects.lines()} with the declared, known or learned schema. */
  Built objects(Objects objects, Map<String, String> stored, String runId) {
    StructType declared = declared();
    String evolution = evolution(declared);
    StructType known = known(declared, stored);
    Dataset<Row> lines = objects.lines().persist(StorageLevel.MEMORY_AND_DISK());
    String tooLong = "octet_length(" + objects.line() + ") > " + maxRecordBytes;
    StructType schema = known;
    boolean adds = false;
    if (known == null || evolution.equals("add")) {
      Dataset<String> json =
          lines
              .where(
                  expr(
                      "NOT ("
                          + tooLong
                          + ") AND NOT ("
                          + objects.skipped()
                          + ") AND ("
                          + objects.error()
                          + ") IS NULL AND json_object_keys(value) IS NOT NULL"))
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
            "CASE WHEN "
                + objects.skipped()
                + " THEN NULL WHEN "
                + tooLong
                + " THEN concat('the line has ', octet_length("
                + objects.line()
                + "), ' bytes, more than max_record_bytes ("
                + maxRecordBytes
                + ")')"
                + " WHEN ("
                + objects.error()
                + ") IS NOT NULL THEN "
                + objects.error()
                + " WHEN __p."
                + CORRUPT
                + " IS NULL THEN NULL"
                + " WHEN json_object_keys(value) IS NULL THEN"
                + " 'not a JSON object: invalid JSON, or JSON that is not {...}'"
                + " ELSE "
                + KafkaSourceReader.typeError(schema)
                + " END");
    List<Column> columns = new ArrayList<>(objects.leading());
    for (StructField field : schema.fields()) {
      columns.add(col("__p." + quote(field.name())).as(field.name()));
    }
    if (rescue) {
      columns.add(RescuedFields.column(col("value"), schema).as(RESCUED));
    }
    columns.add(col(METADATA));
    Dataset<Row> checked =
        parsed.withColumn("__error", error).persist(StorageLevel.MEMORY_AND_DISK());
    return new Built(
        checked
            .where("__error IS NULL AND NOT (" + objects.skipped() + ")")
            .select(columns.toArray(new Column[0])),
        rejected(checked, expr("CAST(" + objects.line() + " AS BINARY)"), runId),
        schema,
        adds,
        checked,
        () -> {
          checked.unpersist();
          lines.unpersist();
        });
  }
}
