package io.lagoa.spark.pipeline.source;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;

import io.lagoa.pipeline.SourceArguments.Files;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

/**
 * {@code format => 'csv'}: files grouped by header and read with a schema named after it; lines
 * that do not match the header or the types are rejected.
 */
final class CsvFileFormat extends FileFormat {
  private final Configuration conf;

  /** The batch's CSV headers, read by the plausibility check: local path to column names. */
  private final Map<String, List<String>> headers;

  CsvFileFormat(Context context, Configuration conf, Map<String, List<String>> headers) {
    super(context);
    this.conf = conf;
    this.headers = headers;
  }

  @Override
  Built read(List<FileLog.Entry> files, Map<String, String> stored, String runId) {
    return csv(files, stored, runId);
  }

  /**
   * CSV: files are grouped by their header line and each group is read with a schema named after
   * it, so columns match by name even when files order them differently or add some.
   */
  private Built csv(List<FileLog.Entry> files, Map<String, String> stored, String runId) {
    boolean header = csvHeader();
    String delimiter = delimiter();
    StructType declared = declared();
    String evolution = evolution(declared);
    StructType known = known(declared, stored);
    boolean rescue = evolution.equals("rescue");
    Map<List<String>, List<String>> groups = new LinkedHashMap<>();
    for (FileLog.Entry file : files) {
      List<String> names;
      if (header) {
        names =
            headers.containsKey(staging.localPath(file))
                ? headers.get(staging.localPath(file))
                : headerOf(staging.localPath(file), delimiter);
        if (names == null) {
          continue; // an empty file: nothing to read
        }
      } else {
        names = null;
      }
      groups.computeIfAbsent(names, k -> new ArrayList<>()).add(staging.localPath(file));
    }
    StructType schema = known == null ? new StructType() : known;
    List<Dataset<Row>> parts = new ArrayList<>();
    List<Column> errors = new ArrayList<>();
    for (Map.Entry<List<String>, List<String>> group : groups.entrySet()) {
      String[] paths = group.getValue().toArray(new String[0]);
      List<String> names = group.getKey();
      StructType inferred = null;
      if (names == null) {
        if (declared != null) {
          names = List.of(declared.fieldNames());
        } else {
          inferred = csvReader(false, delimiter).option("inferSchema", "true").csv(paths).schema();
          names = List.of(inferred.fieldNames());
        }
      }
      StructType fileSchema = new StructType();
      boolean unknown = false;
      for (String name : names) {
        unknown |= field(schema, name) == null;
      }
      if (unknown && !(declared != null && rescue) && inferred == null) {
        inferred = csvReader(header, delimiter).option("inferSchema", "true").csv(paths).schema();
      }
      inferred = inferred == null ? null : hinted(inferred);
      for (int i = 0; i < names.size(); i++) {
        String name = names.get(i);
        StructField field = field(schema, name);
        DataType type;
        if (field != null) {
          type = field.dataType();
          name = field.name();
        } else if (inferred != null && i < inferred.fields().length) {
          type = inferred.fields()[i].dataType();
        } else {
          type = DataTypes.StringType;
        }
        fileSchema = fileSchema.add(name, type);
        if (field == null && (!rescue || known == null)) {
          schema = schema.add(name, type);
        }
      }
      Dataset<Row> data =
          csvReader(header, delimiter)
              .schema(fileSchema.add(CORRUPT, DataTypes.StringType))
              .option("enforceSchema", "true")
              .option("mode", "PERMISSIVE")
              .option("columnNameOfCorruptRecord", CORRUPT)
              .csv(paths);
      parts.add(
          data.select(col("*"), fileColumn())
              .withColumn("__error", csvError(fileSchema, delimiter, header)));
    }
    boolean adds =
        known == null ? schema.fields().length > 0 : schema.fields().length > known.fields().length;
    if (parts.isEmpty()) {
      Built empty = empty(stored, runId);
      return new Built(
          empty.rows(),
          empty.rejected(),
          schema.fields().length == 0 ? null : schema,
          adds,
          empty.checked(),
          empty.release());
    }
    List<Dataset<Row>> shaped = new ArrayList<>();
    for (Dataset<Row> part : parts) {
      List<Column> columns = new ArrayList<>();
      List<String> present = List.of(part.columns());
      for (StructField field : schema.fields()) {
        columns.add(
            present.stream().anyMatch(field.name()::equals)
                ? col(quote(field.name()))
                : lit(null).cast(field.dataType()).as(field.name()));
      }
      if (rescue) {
        List<String> extras = new ArrayList<>();
        for (String name : part.columns()) {
          if (field(schema, name) == null
              && !List.of(CORRUPT, METADATA, "__error").contains(name)) {
            extras.add(name);
          }
        }
        columns.add(rescuedColumns(extras).as(RESCUED));
      }
      columns.add(col(METADATA));
      columns.add(col(CORRUPT));
      columns.add(col("__error"));
      shaped.add(part.select(columns.toArray(new Column[0])));
    }
    Dataset<Row> all = shaped.get(0);
    for (int i = 1; i < shaped.size(); i++) {
      all = all.unionByName(shaped.get(i));
    }
    Dataset<Row> checked = all.persist(StorageLevel.MEMORY_AND_DISK());
    List<Column> output = new ArrayList<>();
    for (StructField field : schema.fields()) {
      output.add(col(quote(field.name())));
    }
    if (rescue) {
      output.add(col(RESCUED));
    }
    output.add(col(METADATA));
    return new Built(
        checked.where("__error IS NULL").select(output.toArray(new Column[0])),
        rejected(checked, expr("CAST(" + CORRUPT + " AS BINARY)"), runId),
        schema,
        adds,
        checked,
        checked::unpersist);
  }

  private org.apache.spark.sql.DataFrameReader csvReader(boolean header, String delimiter) {
    return spark.read().option("header", Boolean.toString(header)).option("sep", delimiter);
  }

  /** Why a CSV line was rejected: the columns whose values do not have their type, if any. */
  private static Column csvError(StructType fileSchema, String delimiter, boolean header) {
    StringBuilder strings = new StringBuilder();
    for (StructField field : fileSchema.fields()) {
      strings
          .append(strings.length() == 0 ? "" : ", ")
          .append(quote(field.name()))
          .append(" STRING");
    }
    String asStrings =
        "from_csv("
            + CORRUPT
            + ", "
            + SourceText.literal(strings.toString())
            + ", map('sep', "
            + SourceText.literal(delimiter)
            + "))";
    StringBuilder fields = new StringBuilder("concat_ws(', '");
    for (StructField field : fileSchema.fields()) {
      if (field.dataType().equals(DataTypes.StringType)) {
        continue;
      }
      String name = field.name().replace("'", "\\'");
      fields
          .append(", CASE WHEN ")
          .append(asStrings)
          .append(".")
          .append(quote(field.name()))
          .append(" IS NOT NULL AND ")
          .append(quote(field.name()))
          .append(" IS NULL THEN '")
          .append(name)
          .append(" (")
          .append(field.dataType().sql())
          .append(")' END");
    }
    fields.append(")");
    return expr(
        "CASE WHEN "
            + CORRUPT
            + " IS NULL THEN NULL ELSE coalesce(concat("
            + "'values do not match the schema: ', nullif("
            + fields
            + ", '')), 'malformed CSV line:"
            + " it does not have the "
            + fileSchema.fields().length
            + " values of the "
            + (header ? "header" : "schema")
            + "') END");
  }

  /** The values of columns the declared schema lacks, as a JSON object (null when none). */
  private static Column rescuedColumns(List<String> extras) {
    if (extras.isEmpty()) {
      return lit(null).cast(DataTypes.StringType);
    }
    StringBuilder map = new StringBuilder("map(");
    for (int i = 0; i < extras.size(); i++) {
      map.append(i == 0 ? "" : ", ")
          .append(SourceText.literal(extras.get(i)))
          .append(", CAST(")
          .append(quote(extras.get(i)))
          .append(" AS STRING)");
    }
    map.append(")");
    String present = "map_filter(" + map + ", (k, v) -> v IS NOT NULL)";
    return expr("CASE WHEN size(" + present + ") > 0 THEN to_json(" + present + ") END");
  }

  /**
   * The column names in a CSV file's first line; null for an empty file. (Only for a file the
   * plausibility check could not open: Spark's read then fails on it too.)
   */
  private List<String> headerOf(String file, String delimiter) {
    Path path = new Path(file);
    try {
      FileSystem fs = path.getFileSystem(conf);
      CompressionCodec codec = new CompressionCodecFactory(conf).getCodec(path);
      try (InputStream raw = fs.open(path);
          InputStream in = codec == null ? raw : codec.createInputStream(raw);
          java.io.BufferedReader reader =
              new java.io.BufferedReader(
                  new java.io.InputStreamReader(in, StandardCharsets.UTF_8))) {
        String line = reader.readLine();
        if (line == null || line.isBlank()) {
          return null;
        }
        com.univocity.parsers.csv.CsvParserSettings settings =
            new com.univocity.parsers.csv.CsvParserSettings();
        settings.getFormat().setDelimiter(delimiter);
        return FilePlausibility.columnNames(
            new com.univocity.parsers.csv.CsvParser(settings).parseLine(line));
      }
    } catch (IOException e) {
      // read again by Spark, which fails the same way: the file is quarantined as unreadable
      throw new UncheckedIOException(
          "cannot read the header of " + file + ": " + e.getMessage(), e);
    }
  }

  private boolean csvHeader() {
    return Files.HEADER.booleanValue(call);
  }

  private String delimiter() {
    return Files.DELIMITER.raw(call).orElseThrow();
  }
}
