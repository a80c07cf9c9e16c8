package io.lagoa.bench.duckdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lagoa.catalog.LagoaCatalogs;
import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import io.lagoa.spark.duckdb.ParquetTable;
import io.lagoa.testing.TestingWarehouse;
import java.io.IOException;
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
    Path path = Files.createDirectories(warehouse.root().resolve("files")).resolve(name);
    Files.writeString(path, "not read here");
    return DataFiles.builder(table.spec())
        .withPath(path.toUri().toString())
        .withFileSizeInBytes(100)
        .withRecordCount(10)
        .withFormat(FileFormat.PARQUET)
        .build();
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
  void refusesDeleteFiles() throws IOException {
    Table table = table("deleted");
    table.newAppend().appendFile(file(table, "deleted-1.parquet")).commit();
    DeleteFile deletes =
        FileMetadata.deleteFileBuilder(table.spec())
            .ofPositionDeletes()
            .withPath(warehouse.root().resolve("files/deletes.parquet").toString())
            .withFileSizeInBytes(50)
            .withRecordCount(1)
            .withFormat(FileFormat.PARQUET)
            .build();
    table.newRowDelta().addDeletes(deletes).commit();
    assertThatThrownBy(() -> plan(table))
        .isInstanceOfSatisfying(
            LagoaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
        .hasMessage(
            "cannot read plan.deleted with DuckDB: its current snapshot has 1 delete file (rows"
                + " deleted or updated in merge-on-read mode) that read_parquet would not apply;"
                + " rewrite its data files to apply them first");
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
