package io.lagoa.access;

import io.lagoa.config.LagoaConfig;
import io.lagoa.testing.AccessContract;
import io.lagoa.testing.TestingPostgres;
import io.lagoa.testing.TestingWarehouse;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The access-control contract on PostgreSQL, where several servers share one catalog database: a
 * new database for every call of {@link #newDatabase()}.
 */
class TestPostgresAccessControl extends AccessContract {
  private static final AtomicInteger DATABASES = new AtomicInteger();
  private static TestingPostgres postgres;
  private static TestingWarehouse warehouse;

  @BeforeAll
  static void start() {
    postgres = TestingPostgres.start();
    warehouse = TestingWarehouse.create();
  }

  @AfterAll
  static void stop() {
    if (warehouse != null) {
      warehouse.close();
    }
    if (postgres != null) {
      postgres.close();
    }
  }

  @Override
  protected LagoaConfig newDatabase() {
    String database = "access_" + DATABASES.incrementAndGet();
    postgres.createDatabase(database);
    return warehouse.config(postgres.catalogEnvironment(database));
  }
}
