package io.lagoa.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagoa.config.LagoaConfig;
import io.lagoa.server.TestingLagoaServer;
import io.lagoa.testing.TestingPostgres;
import io.lagoa.testing.TestingWarehouse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
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
 * High availability: two {@code lagoa server}s on one PostgreSQL catalog, as behind a load
 * balancer. Clients (Iceberg's own RESTCatalog, no Lagoa code) commit to one table through both at
 * once; a commit that loses the catalog's compare-and-swap is answered 409 and Iceberg's client
 * retries it, so every commit lands once and both servers serve the same table.
 */
class TestRestCatalogHighAvailability {
  private static final String DATABASE = "lagoa_ha";
  private static final int WRITERS = 4;
  private static final int COMMITS_PER_WRITER = 10;
  private static final Schema EVENTS =
      new Schema(
          Types.NestedField.required(1, "id", Types.LongType.get()),
          Types.NestedField.required(2, "writer", Types.IntegerType.get()));

  private static TestingPostgres postgres;
  private static TestingWarehouse warehouse;
  private static TestingLagoaServer first;
  private static TestingLagoaServer second;
  private static final List<RESTCatalog> clients = new ArrayList<>();

  @BeforeAll
  static void start() {
    postgres = TestingPostgres.start();
    postgres.createDatabase(DATABASE);
    warehouse = TestingWarehouse.create();
    LagoaConfig config = warehouse.config(postgres.catalogEnvironment(DATABASE));
    first = TestingLagoaServer.start(config);
    second = TestingLagoaServer.start(config);
  }

  @AfterAll
  static void stop() throws IOException {
    for (RESTCatalog client : clients) {
      client.close();
    }
    for (AutoCloseable closeable : new AutoCloseable[] {first, second, warehouse, postgres}) {
      if (closeable != null) {
        try {
          closeable.close();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }
    }
  }

  @Test
  void concurrentCommitsThroughTwoServersAllLand() throws Exception {
    TableIdentifier name = TableIdentifier.of("ha", "events");
    RESTCatalog setup = client(first);
    setup.createNamespace(Namespace.of("ha"));
    setup.createTable(name, EVENTS);
    // the other server sees the table the first created at once: the catalog is PostgreSQL's
    assertThat(client(second).listTables(Namespace.of("ha"))).containsExactly(name);

    ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
    try {
      CyclicBarrier together = new CyclicBarrier(WRITERS);
      List<Future<?>> writers = new ArrayList<>();
      for (int writer = 0; writer < WRITERS; writer++) {
        // half the writers through each server, each with its own client
        Table table = client(writer % 2 == 0 ? first : second).loadTable(name);
        int id = writer;
        writers.add(
            pool.submit(
                () -> {
                  together.await(1, TimeUnit.MINUTES);
                  for (int i = 0; i < COMMITS_PER_WRITER; i++) {
                    table
                        .newAppend()
                        .appendFile(writeFile(table, id * 1000L + i, id))
                        .set("writer", Integer.toString(id))
                        .commit();
                  }
                  return null;
                }));
      }
      for (Future<?> writer : writers) {
        writer.get(5, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdownNow();
    }

    Table throughFirst = client(first).loadTable(name);
    Table throughSecond = client(second).loadTable(name);
    assertThat(throughSecond.currentSnapshot().snapshotId())
        .isEqualTo(throughFirst.currentSnapshot().snapshotId());
    List<Snapshot> snapshots = new ArrayList<>();
    throughFirst.snapshots().forEach(snapshots::add);
    assertThat(snapshots).hasSize(WRITERS * COMMITS_PER_WRITER);
    assertThat(snapshots).allSatisfy(s -> assertThat(s.operation()).isEqualTo("append"));
    Set<Long> expected = new HashSet<>();
    for (int writer = 0; writer < WRITERS; writer++) {
      for (int i = 0; i < COMMITS_PER_WRITER; i++) {
        expected.add(writer * 1000L + i);
      }
    }
    assertThat(ids(throughFirst)).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(ids(throughSecond)).containsExactlyInAnyOrderElementsOf(expected);
    // The writers really raced: in commit order, the writers alternate more than once each.
    List<Integer> order = new ArrayList<>();
    for (Snapshot snapshot : snapshots) {
      order.add(Integer.parseInt(snapshot.summary().get("writer")));
    }
    int changes = 0;
    for (int i = 1; i < order.size(); i++) {
      changes += order.get(i).equals(order.get(i - 1)) ? 0 : 1;
    }
    assertThat(changes).as("writers in commit order: %s", order).isGreaterThan(WRITERS);
  }

  /** Iceberg's own REST client on a server, closed after the class. */
  private static RESTCatalog client(TestingLagoaServer server) {
    RESTCatalog catalog = new RESTCatalog();
    catalog.initialize("ha", server.clientProperties());
    synchronized (clients) {
      clients.add(catalog);
    }
    return catalog;
  }

  /** One Parquet file of one row, written through the table's own file client. */
  private static DataFile writeFile(Table table, long id, int writer) {
    OutputFileFactory files =
        OutputFileFactory.builderFor(table, writer, id).format(FileFormat.PARQUET).build();
    DataWriter<Record> out =
        new GenericFileWriterFactory.Builder(table)
            .dataFileFormat(FileFormat.PARQUET)
            .build()
            .newDataWriter(files.newOutputFile(), table.spec(), null);
    try (out) {
      GenericRecord record = GenericRecord.create(EVENTS);
      record.setField("id", id);
      record.setField("writer", writer);
      out.write(record);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toDataFile();
  }

  private static List<Long> ids(Table table) {
    List<Long> ids = new ArrayList<>();
    try (CloseableIterable<Record> records = IcebergGenerics.read(table).build()) {
      records.forEach(record -> ids.add((Long) record.getField("id")));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return ids;
  }
}
