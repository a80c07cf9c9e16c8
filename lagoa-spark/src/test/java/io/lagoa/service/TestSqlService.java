package io.lagoa.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import io.lagoa.testing.TestingWarehouse;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TestSqlService {
  private static TestingWarehouse warehouse;
  private static Lakehouse lakehouse;
  private static SqlService sql;

  @BeforeAll
  static void start() {
    warehouse = TestingWarehouse.create();
    lakehouse = Lakehouse.open(warehouse.config());
    sql = new SqlService(lakehouse);
  }

  @AfterAll
  static void stop() {
    lakehouse.close();
    warehouse.close();
  }

  @Test
  void runsStatementsInOrder() {
    SqlService.Script script =
        sql.script(
            "CREATE NAMESPACE IF NOT EXISTS s1;\n"
                + "CREATE TABLE s1.t (id INT) USING iceberg;\n"
                + "INSERT INTO s1.t VALUES (1), (2);\n"
                + "SELECT count(*) AS n FROM s1.t",
            Optional.empty());
    assertThat(script.statements()).hasSize(4);
    for (int i = 0; i < 3; i++) {
      assertThat(script.execute(i, 10).hasColumns()).isFalse();
    }
    assertThat(script.execute(3, 10).rows()).containsExactly(List.of(2L));
  }

  @Test
  void onlyCommentsIsAnEmptyScript() {
    try (Lakehouse unstarted = Lakehouse.open(warehouse.config())) {
      SqlService.Script script =
          new SqlService(unstarted).script("-- nothing\n\n/* here */", Optional.empty());
      assertThat(script.isEmpty()).isTrue();
      assertThat(unstarted.engineStarted()).as("splitting needs no engine").isFalse();
    }
  }

  @Test
  void anErrorSaysWhereInTheFileAndWhatRan() {
    SqlService.Script script =
        sql.script(
            "SELECT 1;\n\nSELECT no_such_column\n  FROM range(1);\nSELECT 3", Optional.of("q.sql"));
    script.execute(0, 10);
    assertThatThrownBy(() -> script.execute(1, 10))
        .isInstanceOfSatisfying(
            LagoaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.SQL_ERROR))
        .hasMessageStartingWith("q.sql:3:")
        .hasMessageContaining("no_such_column")
        .hasMessageContaining(
            "(statement 2 of 3; the 1 before it ran and stay committed,"
                + " the rest did not run)");
  }

  @Test
  void anInlineErrorSaysLineAndColumn() {
    SqlService.Script script = sql.script("SELECT 1,\nFROM x WHERE", Optional.empty());
    assertThatThrownBy(() -> script.execute(0, 10))
        .isInstanceOf(LagoaException.class)
        .hasMessageStartingWith("line 2, column ")
        .hasMessageContaining("PARSE_SYNTAX_ERROR")
        .hasMessageNotContaining("statement 1 of");
  }
}
