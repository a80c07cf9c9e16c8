package io.lagoa.spark.duckdb;

import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.avro.AvroSchemaUtil;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * An Iceberg table as DuckDB reads it: the Parquet data files Iceberg plans for the current
 * snapshot, under a view named like the table. Planning refuses, before anything runs, a table that
 * {@code read_parquet} would read differently from Iceberg: delete files (DuckDB would not apply
 * them), a schema change since some of the files were written (DuckDB reads columns by name,
 * Iceberg by field id), files that are not Parquet or not on the local file system (reading object
 * stores needs DuckDB's httpfs extension, a download at run time), column names Iceberg stores
 * under another name in Parquet.
 *
 * @param schema the DuckDB schema, the table's one-level namespace
 * @param name the table's name, the view's name
 * @param columns the current schema's top-level columns, in order
 * @param files the local paths of the data files, in planning order
 * @param bytes the data files' total size
 */
public record ParquetTable(
    String schema, String name, List<String> columns, List<String> files, long bytes) {
  private static final Pattern REMOTE = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*://.*");

  public ParquetTable {
    columns = List.copyOf(columns);
    files = List.copyOf(files);
  }

  /** Plans the table's current data files through Iceberg's scan planning. */
  public static ParquetTable plan(Table table, TableIdentifier id) {
    String label = id.toString();
    if (id.namespace().levels().length != 1) {
      throw refused(
          label,
          "its namespace has "
              + id.namespace().levels().length
              + " levels and DuckDB's schemas have one");
    }
    Snapshot current = table.currentSnapshot();
    if (current == null) {
      throw refused(label, "it has no snapshot, so no data file to read");
    }
    try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
      return of(table, id.namespace().level(0), id.name(), label, tasks);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The table as DuckDB reads these planned tasks (a scan's, with its filters applied), refused as
   * {@link #plan} says. {@code label} names the table in the refusal.
   */
  public static ParquetTable of(
      Table table, String schema, String name, String label, Iterable<FileScanTask> tasks) {
    Map<String, DataFile> files = new LinkedHashMap<>();
    Set<String> deletes = new LinkedHashSet<>();
    for (FileScanTask task : tasks) {
      files.putIfAbsent(task.file().location(), task.file());
      for (DeleteFile delete : task.deletes()) {
        deletes.add(delete.location());
      }
    }
    if (!deletes.isEmpty()) {
      throw refused(
          label,
          "its current snapshot has "
              + deletes.size()
              + (deletes.size() == 1 ? " delete file" : " delete files")
              + " (rows deleted or updated in merge-on-read mode) that read_parquet would not"
              + " apply; rewrite its data files to apply them first");
    }
    if (files.isEmpty()) {
      throw refused(label, "its current snapshot has no data file");
    }
    checkSchema(table, label, files.values());
    List<String> paths = new ArrayList<>();
    long bytes = 0;
    for (DataFile file : files.values()) {
      if (file.format() != FileFormat.PARQUET) {
        throw refused(
            label,
            "data file " + file.location() + " is " + file.format() + " and DuckDB reads Parquet");
      }
      String path = localPath(label, file.location());
      if (!Files.isRegularFile(Path.of(path))) {
        throw refused(label, "data file " + path + " does not exist on this machine");
      }
      paths.add(path);
      bytes += file.fileSizeInBytes();
    }
    List<String> columns = table.schema().columns().stream().map(Types.NestedField::name).toList();
    return new ParquetTable(schema, name, columns, paths, bytes);
  }

  /**
   * The statement that makes the view: the current columns by name, from exactly the planned files.
   * Hive-style partition folders are not read as columns: Iceberg writes every column into the
   * file.
   */
  public String createView() {
    StringBuilder sql = new StringBuilder("CREATE OR REPLACE VIEW ");
    sql.append(DuckDbSql.identifier(schema))
        .append('.')
        .append(DuckDbSql.identifier(name))
        .append(" AS SELECT ");
    sql.append(String.join(", ", columns.stream().map(DuckDbSql::identifier).toList()));
    sql.append(" FROM read_parquet([");
    sql.append(String.join(", ", files.stream().map(DuckDbSql::literal).toList()));
    sql.append("], hive_partitioning = false, union_by_name = false)");
    return sql.toString();
  }

  /**
   * A local file's path, from an Iceberg location ({@code file:/...}, {@code file:///...}, or a
   * path).
   */
  static String localPath(String table, String location) {
    if (location.startsWith("file:")) {
      String path = location.substring("file:".length());
      return path.startsWith("///") ? path.substring(2) : path;
    }
    if (REMOTE.matcher(location).matches()) {
      throw refused(
          table,
          "its data files are not on the local file system ("
              + location
              + ") and reading them would need DuckDB's httpfs extension, a download at run time");
    }
    return location;
  }

  /**
   * Refuses a schema change DuckDB would read differently: every schema some current file was
   * written under (every schema the table had when the snapshots that added them are gone) must
   * have each current field under the same name and type. Dropped columns are harmless: the view
   * selects current columns only.
   */
  private static void checkSchema(Table table, String label, Iterable<DataFile> files) {
    Schema current = table.schema();
    Map<Integer, String> names = current.idToName();
    for (Map.Entry<Integer, String> entry : names.entrySet()) {
      String name = entry.getValue();
      String leaf = name.substring(name.lastIndexOf('.') + 1);
      if (!AvroSchemaUtil.makeCompatibleName(leaf).equals(leaf)) {
        throw refused(
            label,
            "column "
                + name
                + " is stored in Parquet as "
                + AvroSchemaUtil.makeCompatibleName(leaf)
                + " and DuckDB reads columns by their stored name");
      }
    }
    Map<Integer, Schema> schemas = table.schemas();
    for (int schemaId : writtenWith(table, files)) {
      Schema old = schemas.get(schemaId);
      if (old == null || schemaId == current.schemaId()) {
        continue;
      }
      for (Map.Entry<Integer, String> entry : names.entrySet()) {
        int fieldId = entry.getKey();
        String name = entry.getValue();
        String oldName = old.findColumnName(fieldId);
        if (oldName == null) {
          throw refused(
              label,
              "column "
                  + name
                  + " was added after some of its data files were written (schema "
                  + schemaId
                  + "); Iceberg reads it as null there, DuckDB by name");
        }
        if (!oldName.equals(name)) {
          throw refused(
              label,
              "column "
                  + name
                  + " was "
                  + oldName
                  + " when some of its data files were written (schema "
                  + schemaId
                  + "); Iceberg reads by field id, DuckDB by name");
        }
        Type type = current.findType(fieldId);
        Type oldType = old.findType(fieldId);
        if (type.isPrimitiveType() && !type.equals(oldType)) {
          throw refused(
              label,
              "column "
                  + name
                  + " was "
                  + oldType
                  + " when some of its data files were written (schema "
                  + schemaId
                  + ") and is "
                  + type
                  + " now");
        }
      }
    }
  }

  /**
   * The schemas the files were committed under: each file's sequence number names the snapshot that
   * added it, and the snapshot its schema. When that cannot be told (format 1 tables, expired
   * snapshots), every schema the table ever had.
   */
  private static Set<Integer> writtenWith(Table table, Iterable<DataFile> files) {
    Map<Long, Integer> schemaBySequence = new HashMap<>();
    Set<Long> ambiguous = new LinkedHashSet<>();
    for (Snapshot snapshot : table.snapshots()) {
      if (schemaBySequence.containsKey(snapshot.sequenceNumber())) {
        ambiguous.add(snapshot.sequenceNumber());
      }
      schemaBySequence.put(snapshot.sequenceNumber(), snapshot.schemaId());
    }
    Set<Integer> ids = new LinkedHashSet<>();
    for (DataFile file : files) {
      Long sequence = file.fileSequenceNumber();
      Integer schemaId =
          sequence == null || ambiguous.contains(sequence) ? null : schemaBySequence.get(sequence);
      if (schemaId == null) {
        return table.schemas().keySet();
      }
      ids.add(schemaId);
    }
    return ids;
  }

  static LagoaException refused(String table, String reason) {
    return new LagoaException(
        ErrorCode.INVALID_ARGUMENT, "cannot read " + table + " with DuckDB: " + reason);
  }
}
