package io.lagoa.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lagoa.config.LagoaConfig;
import io.lagoa.testing.AuditContract;
import io.lagoa.testing.TestingWarehouse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The audit contract on the default catalog: SQLite in the warehouse folder. */
class TestSqliteAuditTrail extends AuditContract {
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

  @Test
  void logLinesAreOneJsonObjectWithEveryField() throws Exception {
    AuditEvent event =
        new AuditEvent(
            Instant.parse("2026-12-01T10:00:00Z"),
            "alice",
            "10.0.0.1",
            "grant",
            "namespace:sales",
            AuditEvent.Outcome.ALLOWED,
            0,
            null,
            "read to analysts\nsecond line");
    String line = CatalogAuditLog.json(42, event);
    assertThat(line).doesNotContain("\n");
    JsonNode json = new ObjectMapper().readTree(line);
    assertThat(json.get("id").asLong()).isEqualTo(42);
    assertThat(json.get("time").asText()).isEqualTo("2026-12-01T10:00:00Z");
    assertThat(json.get("principal").asText()).isEqualTo("alice");
    assertThat(json.get("client_address").asText()).isEqualTo("10.0.0.1");
    assertThat(json.get("action").asText()).isEqualTo("grant");
    assertThat(json.get("resource").asText()).isEqualTo("namespace:sales");
    assertThat(json.get("outcome").asText()).isEqualTo("ALLOWED");
    assertThat(json.get("http_status").asInt()).isZero();
    assertThat(json.get("request_id").asText()).isEmpty();
    assertThat(json.get("detail").asText()).isEqualTo("read to analysts\nsecond line");
  }
}
