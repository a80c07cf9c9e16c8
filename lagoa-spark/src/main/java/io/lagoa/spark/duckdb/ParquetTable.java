package io.lagoa.spark.duckdb;

import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.regex.Pattern;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.FileContent;
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
 * snapshot, less the rows their position delete files remove (merge-on-read DELETE, UPDATE and
 * MERGE), under a view named like the table. Planning refuses, before anything runs, a table that
 * {@code read_parquet} would read differently from Iceberg: equality deletes and deletion vectors,
 * a schema change since some of the files were written (DuckDB reads columns by name, Iceberg by
 * field id), files that are not Parquet or not on the local file system (reading object stores
 * needs DuckDB's httpfs extension, a download at run time), column names Iceberg stores under
 * another name in Parquet.
 *
 * @param schema the DuckDB schema, the table's one-level namespace
 * @param name the table's name, the view's name
 * @param columns the current schema's top-level columns, in order
 * @param files the local paths of the data files, in the order DuckDB lists them ({@link
 *     #estimatingOrder})
 * @param deletes the local paths of the position delete files that apply to them
 * @param applied which delete file applies to which data file, as Iceberg's planning said
 * @param bytes the data and delete files' total size
 * @param rows the data files' rows (before deletes), as Iceberg's metadata counts them
 */
public record ParquetTable(
    String schema,
    String name,
    List<String> columns,
    List<String> files,
    List<String> deletes,
    List<AppliedDelete> applied,
    long bytes,
    long rows) {
  private static final Pattern REMOTE = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*://.*");

  /**
   * The most (delete file, data file) pairs a view lists: each is a row of the query's text. A
   * table with more has gone long without compaction, and Spark reads it.
   */
  static final int MAX_APPLIED_DELETES = 20_000;

  /**
   * DuckDB's virtual columns the view reads to find deleted rows; a table column would hide them.
   */
  private static final Set<String> VIRTUAL_COLUMNS = Set.of("file_index", "file_row_number");

  public ParquetTable {
    columns = List.copyOf(columns);
    files = List.copyOf(files);
    deletes = List.copyOf(deletes);
    applied = List.copyOf(applied);
  }

  /**
   * A position delete file that applies to a data file: its rows whose {@code file_path} is the
   * data file's location remove the rows at their {@code pos} from it.
   *
   * @param delete the delete file's index in {@link #deletes()}
   * @param location the data file's location, as the delete file names it
   * @param file the data file's index in {@link #files()}
   */
  public record AppliedDelete(int delete, String location, int file) {}

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
    Map<String, DeleteFile> deletes = new LinkedHashMap<>();
    Map<String, Set<String>> deletesOf = new LinkedHashMap<>();
    for (FileScanTask task : tasks) {
      files.putIfAbsent(task.file().location(), task.file());
      for (DeleteFile delete : task.deletes()) {
        deletes.putIfAbsent(delete.location(), delete);
        deletesOf
            .computeIfAbsent(task.file().location(), location -> new LinkedHashSet<>())
            .add(delete.location());
      }
    }
    if (files.isEmpty()) {
      throw refused(label, "its current snapshot has no data file");
    }
    checkSchema(table, label, files.values());
    List<String> columns = table.schema().columns().stream().map(Types.NestedField::name).toList();
    Map<String, Integer> fileIndex = new HashMap<>();
    List<String> paths = new ArrayList<>();
    long bytes = 0;
    long rows = 0;
    for (DataFile file : estimatingOrder(files.values())) {
      if (file.format() != FileFormat.PARQUET) {
        throw refused(
            label,
            "data file " + file.location() + " is " + file.format() + " and DuckDB reads Parquet");
      }
      fileIndex.put(file.location(), paths.size());
      paths.add(existing(label, "data file", file.location()));
      bytes += file.fileSizeInBytes();
      rows += file.recordCount();
    }
    Map<String, Integer> deleteIndex = new HashMap<>();
    List<String> deletePaths = new ArrayList<>();
    for (DeleteFile delete : deletes.values()) {
      checkDelete(label, delete);
      deleteIndex.put(delete.location(), deletePaths.size());
      deletePaths.add(existing(label, "delete file", delete.location()));
      bytes += delete.fileSizeInBytes();
    }
    if (!deletes.isEmpty()) {
      for (String column : columns) {
        if (VIRTUAL_COLUMNS.contains(column.toLowerCase(Locale.ROOT))) {
          throw refused(
              label,
              "it has delete files and a column named "
                  + column
                  + ", which hides the DuckDB column that finds the deleted rows");
        }
      }
    }
    List<AppliedDelete> applied = new ArrayList<>();
    deletesOf.forEach(
        (location, ofFile) ->
            ofFile.forEach(
                delete ->
                    applied.add(
                        new AppliedDelete(
                            deleteIndex.get(delete), location, fileIndex.get(location)))));
    if (applied.size() > MAX_APPLIED_DELETES) {
      throw refused(
          label,
          "its data files have "
              + applied.size()
              + " delete files to apply between them (more than "
              + MAX_APPLIED_DELETES
              + "); rewrite its data files to apply them");
    }
    return new ParquetTable(schema, name, columns, paths, deletePaths, applied, bytes, rows);
  }

  /**
   * The data files in the order DuckDB should list them. DuckDB estimates a {@code read_parquet} of
   * n files as n times the rows of the first, and plans joins by that estimate (which side of a
   * hash join to build). Iceberg plans files in no fixed order, so the same query was planned two
   * ways: a 60,000-row file first made a 6M-row scan look like 180,000 rows, and the anti join on
   * its deleted rows built its hash table on the 6M rows, 4x slower. First comes the file whose
   * rows are nearest the mean, so the estimate is close to the total; the rest by location, so the
   * same files always give the same query.
   */
  static List<DataFile> estimatingOrder(Collection<DataFile> files) {
    List<DataFile> ordered = new ArrayList<>(files);
    ordered.sort(Comparator.comparing(DataFile::location));
    double mean = ordered.stream().mapToLong(DataFile::recordCount).average().orElse(0);
    DataFile typical =
        ordered.stream()
            .min(Comparator.comparingDouble(file -> Math.abs(file.recordCount() - mean)))
            .orElseThrow();
    ordered.remove(typical);
    ordered.add(0, typical);
    return ordered;
  }

  /**
   * Refuses deletes DuckDB reads could not apply as Iceberg does. Position deletes in Parquet are
   * what Spark writes to format 2 tables; equality deletes (other writers) and deletion vectors
   * (format 3) are not read here.
   */
  private static void checkDelete(String label, DeleteFile delete) {
    if (delete.content() != FileContent.POSITION_DELETES) {
      throw refused(
          label,
          "delete file "
              + delete.location()
              + " holds equality deletes, which DuckDB reads do not apply; rewrite its data files"
              + " to apply them first");
    }
    if (delete.format() != FileFormat.PARQUET) {
      throw refused(
          label,
          "delete file "
              + delete.location()
              + " is "
              + (delete.format() == FileFormat.PUFFIN
                  ? "a deletion vector (PUFFIN)"
                  : delete.format().toString())
              + " and DuckDB reads position deletes in Parquet; rewrite its data files to apply"
              + " it first");
    }
  }

  /** A data or delete file's local path, refused when it is not on this machine. */
  private static String existing(String label, String kind, String location) {
    String path = localPath(label, location);
    if (!Files.isRegularFile(Path.of(path))) {
      throw refused(label, kind + " " + path + " does not exist on this machine");
    }
    return path;
  }

  /**
   * The statement that makes the view: the current columns by name, from exactly the planned files.
   * Hive-style partition folders are not read as columns: Iceberg writes every column into the
   * file.
   */
  public String createView() {
    return "CREATE OR REPLACE VIEW "
        + DuckDbSql.identifier(schema)
        + '.'
        + DuckDbSql.identifier(name)
        + " AS SELECT "
        + String.join(", ", columns.stream().map(DuckDbSql::identifier).toList())
        + " FROM "
        + relation();
  }

  /**
   * The table's rows as a DuckDB {@code FROM} item, its columns by their names: the data files, and
   * when delete files apply, less the rows they remove: an anti join on (file, row number in the
   * file), each delete file's rows kept only for the data files Iceberg applies it to (its sequence
   * number rules), so a view gives exactly the rows Iceberg's scan gives.
   */
  public String relation() {
    String data = readParquet(files, false);
    if (deletes.isEmpty()) {
      return data;
    }
    StringJoiner pairs = new StringJoiner(", ");
    for (AppliedDelete delete : applied) {
      pairs.add(
          "("
              + delete.delete()
              + "::UBIGINT, "
              + DuckDbSql.literal(delete.location())
              + ", "
              + delete.file()
              + "::UBIGINT)");
    }
    return "(SELECT "
        + String.join(", ", columns.stream().map(c -> "d." + DuckDbSql.identifier(c)).toList())
        + " FROM "
        + data
        + " AS d ANTI JOIN (SELECT a.data_file, p.pos FROM "
        // union by name: a delete file may also hold the deleted row, in a column of its own
        + readParquet(deletes, true)
        + " AS p JOIN (VALUES "
        + pairs
        + ") AS a(delete_file, data_location, data_file)"
        + " ON p.file_index = a.delete_file AND p.file_path = a.data_location) AS x"
        + " ON d.file_index = x.data_file AND d.file_row_number = x.pos)";
  }

  private static String readParquet(List<String> paths, boolean unionByName) {
    return "read_parquet(["
        + String.join(", ", paths.stream().map(DuckDbSql::literal).toList())
        + "], hive_partitioning = false, union_by_name = "
        + unionByName
        + ")";
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
