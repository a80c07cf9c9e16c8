package io.lagoa.access;

import io.lagoa.config.LagoaConfig;
import io.lagoa.testing.AccessContract;
import io.lagoa.testing.TestingWarehouse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

/** The access-control contract on the default catalog: SQLite in the warehouse folder. */
class TestSqliteAccessControl extends AccessContract {
  private final List<TestingWarehouse> warehouses = new ArrayList<>();

  @AfterEach
  void deleteWarehouses() {
    warehouses.forEach(TestingWarehouse::close);
    warehouses.clear();
  }

  @Override
  protected LagoaConfig newDatabase() {
    TestingWarehouse warehouse = TestingWarehouse.create();
    warehouses.add(warehouse);
    return warehouse.config();
  }
}
