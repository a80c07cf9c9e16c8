package io.lagoa.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagoa.config.LagoaConfig;
import io.lagoa.testing.TestingS3;
import io.lagoa.testing.TestingWarehouse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericFileWriterFactory;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.io.OutputFileFactory;
import org.apache.iceberg.rest.RESTCatalog;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A warehouse on S3 (a real S3 API server): a client that knows only the catalog's URI and its
 * client credentials writes and reads table files, with the storage settings the server hands out
 * in each table's config.
 */
class TestServerS3Storage {
  private static final Schema SCHEMA =
      new Schema(
          Types.NestedField.required(1, "id", Types.LongType.get()),
          Types.NestedField.optional(2, "name", Types.StringType.get()));

  private static TestingS3 s3;
  private static TestingWarehouse local;
  private static TestingLagoaServer server;

  @BeforeAll
  static void start() {
    s3 = TestingS3.start();
    local = TestingWarehouse.create();
    Map<String, String> env = new HashMap<>(s3.environment("served"));
    env.put("LAGOA_CATALOG_URI", "jdbc:sqlite:" + local.root().resolve("catalog.db"));
    LagoaConfig config = local.config(env);
    server = TestingLagoaServer.start(config);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
    if (local != null) {
      local.close();
    }
    if (s3 != null) {
      s3.close();
    }
  }

  @Test
  void aClientWithOnlyTheUriAndItsCredentialsUsesS3Tables() throws IOException {
    try (RESTCatalog client = new RESTCatalog()) {
      // no s3.* settings, no io-impl: only where the catalog is and who the client is
      client.initialize("lagoa", server.clientProperties());
      client.createNamespace(Namespace.of("lake"));
      Table table = client.createTable(TableIdentifier.of("lake", "people"), SCHEMA);
      assertThat(table.location()).startsWith("s3://" + s3.bucket() + "/served/");
      assertThat(table.io().getClass().getSimpleName()).isEqualTo("S3FileIO");

      table.newAppend().appendFile(write(table, person(1, "ana"), person(2, "rui"))).commit();

      Table again = client.loadTable(TableIdentifier.of("lake", "people"));
      List<String> names = new ArrayList<>();
      try (CloseableIterable<Record> rows = IcebergGenerics.read(again).build()) {
        rows.forEach(row -> names.add(row.getField("name").toString()));
      }
      assertThat(names).containsExactlyInAnyOrder("ana", "rui");
    }
    assertThat(s3.objectKeys("served/lake/people/data")).isNotEmpty();
  }

  private static Record person(long id, String name) {
    GenericRecord record = GenericRecord.create(SCHEMA);
    record.setField("id", id);
    record.setField("name", name);
    return record;
  }

  private static DataFile write(Table table, Record... records) {
    OutputFileFactory files =
        OutputFileFactory.builderFor(table, 1, System.nanoTime())
            .format(FileFormat.PARQUET)
            .build();
    DataWriter<Record> writer =
        new GenericFileWriterFactory.Builder(table)
            .dataFileFormat(FileFormat.PARQUET)
            .build()
            .newDataWriter(files.newOutputFile(), table.spec(), null);
    try (writer) {
      for (Record record : records) {
        writer.write(record);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return writer.toDataFile();
  }
}
