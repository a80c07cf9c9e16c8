package io.lagoa.bench.duckdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lagoa.catalog.LagoaCatalogs;
import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import io.lagoa.spark.duckdb.ParquetTable;
import io.lagoa.testing.TestingWarehouse;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.FileMetadata;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Planning a table for DuckDB through Iceberg alone (no Spark): the files of the current snapshot,
 * and the tables DuckDB would read differently refused. The files are committed as metadata only;
 * the bench test reads real ones through DuckDB.
 */
class TestParquetTable {
  private static final Schema SCHEMA =
      new Schema(
          Types.NestedField.required(1, "id", Types.LongType.get()),
          Types.NestedField.optional(2, "name", Types.StringType.get()));

  private static TestingWarehouse warehouse;
  private static Catalog catalog;

  @BeforeAll
  static void start() {
    warehouse = TestingWarehouse.create();
    catalog = LagoaCatalogs.open(warehouse.config());
    ((SupportsNamespaces) catalog).createNamespace(Namespace.of("plan"));
  }

  @AfterAll
  static void stop() throws Exception {
    ((AutoCloseable) catalog).close();
    warehouse.close();
  }

  private static Table table(String name) {
    return catalog.createTable(
        TableIdentifier.of("plan", name),
        SCHEMA,
        PartitionSpec.unpartitioned(),
        Map.of("format-version", "2"));
  }

  private static DataFile file(Table table, String name) throws IOException {
    return file(table, name, 10);
  }

  private static DataFile file(Table table, String name, long rows) throws IOException {
    Path path = Files.createDirectories(warehouse.root().resolve("files")).resolve(name);
    Files.writeString(path, "not read here");
    return DataFiles.builder(table.spec())
        .withPath(path.toUri().toString())
        .withFileSizeInBytes(100)
        .withRecordCount(rows)
        .withFormat(FileFormat.PARQUET)
        .build();
  }

  @Test
  void listsFirstTheFileNearestTheMeanSoDuckDbEstimatesTheTotal() throws IOException {
    Table table = table("ordered");
    // committed in three snapshots so planning order varies; mean 477.5 rows: 500 is nearest
    table.newAppend().appendFile(file(table, "ordered-d.parquet", 10)).commit();
    table
        .newAppend()
        .appendFile(file(table, "ordered-c.parquet", 1000))
        .appendFile(file(table, "ordered-b.parquet", 400))
        .commit();
    table.newAppend().appendFile(file(table, "ordered-a.parquet", 500)).commit();
    Path files = warehouse.root().resolve("files");
    assertThat(plan(table).files())
        .containsExactly(
            files.resolve("ordered-a.parquet").toString(),
            files.resolve("ordered-b.parquet").toString(),
            files.resolve("ordered-c.parquet").toString(),
            files.resolve("ordered-d.parquet").toString());

    // the nearest is not the first by name: it still leads, the others keep their name order
    Table other = table("reordered");
    other
        .newAppend()
        .appendFile(file(other, "reordered-a.parquet", 10))
        .appendFile(file(other, "reordered-b.parquet", 2000))
        .appendFile(file(other, "reordered-c.parquet", 700))
        .commit();
    assertThat(plan(other).files())
        .containsExactly(
            files.resolve("reordered-c.parquet").toString(),
            files.resolve("reordered-a.parquet").toString(),
            files.resolve("reordered-b.parquet").toString());
  }

  private static ParquetTable plan(Table table) {
    return ParquetTable.plan(
        table, TableIdentifier.of("plan", table.name().replaceAll(".*\\.", "")));
  }

  @Test
  void plansTheCurrentFilesIntoAView() throws IOException {
    Table table = table("plain");
    DataFile first = file(table, "plain-1.parquet");
    DataFile second = file(table, "plain-2.parquet");
    table.newAppend().appendFile(first).appendFile(second).commit();
    table.newDelete().deleteFile(first).commit();
    table.newAppend().appendFile(file(table, "it's-3.parquet")).commit();

    ParquetTable planned = plan(table);
    assertThat(planned.schema()).isEqualTo("plan");
    assertThat(planned.name()).isEqualTo("plain");
    assertThat(planned.columns()).containsExactly("id", "name");
    assertThat(planned.files())
        .containsExactlyInAnyOrder(
            warehouse.root().resolve("files/plain-2.parquet").toString(),
            warehouse.root().resolve("files/it's-3.parquet").toString());
    assertThat(planned.bytes()).isEqualTo(200);
    assertThat(planned.createView())
        .startsWith("CREATE OR REPLACE VIEW \"plan\".\"plain\" AS SELECT \"id\", \"name\" FROM")
        .contains("it''s-3.parquet'")
        .doesNotContain("plain-1")
        .endsWith("], hive_partitioning = false, union_by_name = false)");
  }

  @Test
  void appliesPositionDeletesToTheFilesIcebergAppliesThemTo() throws IOException {
    Table table = table("deleted");
    DataFile first = file(table, "deleted-1.parquet");
    table.newAppend().appendFile(first).commit();
    table.newRowDelta().addDeletes(positionDeletes(table, "deletes-1.parquet")).commit();
    // added after the delete file: Iceberg does not apply it here
    table.newAppend().appendFile(file(table, "deleted-2.parquet")).commit();

    ParquetTable planned = plan(table);
    assertThat(planned.deletes())
        .containsExactly(warehouse.root().resolve("files/deletes-1.parquet").toString());
    int firstIndex = planned.files().indexOf(Path.of(URI.create(first.location())).toString());
    assertThat(firstIndex).isNotNegative();
    assertThat(planned.applied())
        .containsExactly(new ParquetTable.AppliedDelete(0, first.location(), firstIndex));
    assertThat(planned.bytes()).isEqualTo(250);
    assertThat(planned.createView())
        .contains(" AS d ANTI JOIN (SELECT a.data_file, p.pos FROM read_parquet([")
        .contains("deletes-1.parquet'], hive_partitioning = false, union_by_name = true)")
        .contains("(VALUES (0::UBIGINT, '" + first.location() + "', " + firstIndex + "::UBIGINT))")
        .endsWith(" ON d.file_index = x.data_file AND d.file_row_number = x.pos)");
  }

  @Test
  void refusesDeletesDuckDbReadsDoNotApply() throws IOException {
    Table equality = table("equality");
    equality.newAppend().appendFile(file(equality, "equality-1.parquet")).commit();
    equality
        .newRowDelta()
        .addDeletes(
            FileMetadata.deleteFileBuilder(equality.spec())
                .ofEqualityDeletes(1)
                .withPath(deleteFile("equality-deletes.parquet"))
                .withFileSizeInBytes(50)
                .withRecordCount(1)
                .withFormat(FileFormat.PARQUET)
                .build())
        .commit();
    assertThatThrownBy(() -> plan(equality))
        .isInstanceOfSatisfying(
            LagoaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
        .hasMessageStartingWith("cannot read plan.equality with DuckDB: delete file ")
        .hasMessageEndingWith(
            "equality-deletes.parquet holds equality deletes, which DuckDB reads do not apply;"
                + " rewrite its data files to apply them first");

    Table avro = table("avro_deletes");
    avro.newAppend().appendFile(file(avro, "avro-1.parquet")).commit();
    avro.newRowDelta()
        .addDeletes(positionDeletes(avro, deleteFile("deletes.avro"), FileFormat.AVRO))
        .commit();
    assertThatThrownBy(() -> plan(avro))
        .hasMessageContaining("deletes.avro is AVRO and DuckDB reads position deletes in Parquet");

    Table missing = table("missing_deletes");
    missing.newAppend().appendFile(file(missing, "missing-1.parquet")).commit();
    String gone = warehouse.root().resolve("files/gone.parquet").toString();
    missing.newRowDelta().addDeletes(positionDeletes(missing, gone, FileFormat.PARQUET)).commit();
    assertThatThrownBy(() -> plan(missing))
        .hasMessageContaining("delete file ")
        .hasMessageContaining("gone.parquet does not exist on this machine");

    Table hidden =
        catalog.createTable(
            TableIdentifier.of("plan", "hidden"),
            new Schema(Types.NestedField.required(1, "File_Row_Number", Types.LongType.get())),
            PartitionSpec.unpartitioned(),
            Map.of("format-version", "2"));
    hidden.newAppend().appendFile(file(hidden, "hidden-1.parquet")).commit();
    hidden.newRowDelta().addDeletes(positionDeletes(hidden, "hidden-deletes.parquet")).commit();
    assertThatThrownBy(() -> plan(hidden))
        .hasMessageContaining("it has delete files and a column named File_Row_Number");
  }

  private static DeleteFile positionDeletes(Table table, String name) throws IOException {
    return positionDeletes(table, deleteFile(name), FileFormat.PARQUET);
  }

  private static DeleteFile positionDeletes(Table table, String path, FileFormat format) {
    return FileMetadata.deleteFileBuilder(table.spec())
        .ofPositionDeletes()
        .withPath(path)
        .withFileSizeInBytes(50)
        .withRecordCount(1)
        .withFormat(format)
        .build();
  }

  private static String deleteFile(String name) throws IOException {
    Path path = Files.createDirectories(warehouse.root().resolve("files")).resolve(name);
    Files.writeString(path, "not read here");
    return path.toString();
  }

  @Test
  void refusesSchemaChangesSinceFilesWereWrittenOnly() throws IOException {
    Table renamed = table("renamed");
    renamed.newAppend().appendFile(file(renamed, "renamed-1.parquet")).commit();
    renamed.updateSchema().renameColumn("name", "label").commit();
    assertThatThrownBy(() -> plan(renamed))
        .hasMessageContaining("cannot read plan.renamed with DuckDB: column label was name")
        .hasMessageContaining("Iceberg reads by field id, DuckDB by name");

    Table added = table("added");
    added.newAppend().appendFile(file(added, "added-1.parquet")).commit();
    added.updateSchema().addColumn("extra", Types.IntegerType.get()).commit();
    added.newAppend().appendFile(file(added, "added-2.parquet")).commit();
    assertThatThrownBy(() -> plan(added))
        .hasMessageContaining(
            "column extra was added after some of its data files were written (schema 0)");

    Table promoted = table("promoted");
    promoted.updateSchema().addColumn("n", Types.IntegerType.get()).commit();
    promoted.newAppend().appendFile(file(promoted, "promoted-1.parquet")).commit();
    promoted.updateSchema().updateColumn("n", Types.LongType.get()).commit();
    assertThatThrownBy(() -> plan(promoted))
        .hasMessageContaining("column n was int when some of its data files were written");

    // Changed before any file was written: every file has the current schema, nothing to refuse.
    Table before = table("before");
    before
        .updateSchema()
        .renameColumn("name", "label")
        .addColumn("extra", Types.DateType.get())
        .commit();
    before.newAppend().appendFile(file(before, "before-1.parquet")).commit();
    assertThat(plan(before).columns()).containsExactly("id", "label", "extra");
  }

  @Test
  void refusesWhatDuckDbCannotReadWithoutAnExtension() throws IOException {
    Table remote = table("remote");
    remote
        .newAppend()
        .appendFile(
            DataFiles.builder(remote.spec())
                .withPath("s3://bucket/remote-1.parquet")
                .withFileSizeInBytes(100)
                .withRecordCount(10)
                .withFormat(FileFormat.PARQUET)
                .build())
        .commit();
    assertThatThrownBy(() -> plan(remote))
        .hasMessageContaining(
            "its data files are not on the local file system (s3://bucket/remote-1.parquet)")
        .hasMessageContaining("httpfs extension");

    Table empty = table("empty");
    assertThatThrownBy(() -> plan(empty)).hasMessageContaining("it has no snapshot");

    Table orc = table("orc");
    orc.newAppend()
        .appendFile(
            DataFiles.builder(orc.spec())
                .withPath(file(orc, "orc-1.orc").location())
                .withFileSizeInBytes(100)
                .withRecordCount(10)
                .withFormat(FileFormat.ORC)
                .build())
        .commit();
    assertThatThrownBy(() -> plan(orc)).hasMessageContaining("is ORC and DuckDB reads Parquet");

    assertThatThrownBy(
            () ->
                ParquetTable.plan(
                    catalog.loadTable(TableIdentifier.of("plan", "orc")),
                    TableIdentifier.of(Namespace.of("a", "b"), "orc")))
        .hasMessageContaining("its namespace has 2 levels");
  }
}
