package io.lagoa.audit;

import io.lagoa.config.LagoaConfig;
import io.lagoa.testing.AuditContract;
import io.lagoa.testing.TestingPostgres;
import io.lagoa.testing.TestingWarehouse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/** The audit contract on PostgreSQL: a new database (and warehouse) per call of newDatabase. */
class TestPostgresAuditTrail extends AuditContract {
  private static final AtomicInteger DATABASES = new AtomicInteger();
  private static TestingPostgres postgres;
  private final List<TestingWarehouse> warehouses = new ArrayList<>();

  @BeforeAll
  static void start() {
    postgres = TestingPostgres.start();
  }

  @AfterAll
  static void stop() {
    if (postgres != null) {
      postgres.close();
    }
  }

  @AfterEach
  void deleteWarehouses() {
    warehouses.forEach(TestingWarehouse::close);
    warehouses.clear();
  }

  @Override
  protected LagoaConfig newDatabase() {
    String database = "audit_" + DATABASES.incrementAndGet();
    postgres.createDatabase(database);
    TestingWarehouse warehouse = TestingWarehouse.create();
    warehouses.add(warehouse);
    return warehouse.config(postgres.catalogEnvironment(database));
  }
}
