package io.lagoa.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The answer cross-check: sorted rows, exact integers and decimals, tolerant floating point. */
class TestAnswers {
  private static List<Object> row(Object... values) {
    return Arrays.asList(values);
  }

  @Test
  void sameRowsInAnotherOrderAndOtherJavaTypesMatch() {
    List<List<Object>> spark =
        List.of(
            row("PROD_2", 3L, new BigDecimal("10.50"), java.sql.Date.valueOf("2023-01-02")),
            row("PROD_1", 7L, new BigDecimal("99.00"), java.sql.Date.valueOf("2023-11-24")),
            row(null, 0L, null, null));
    List<List<Object>> duckDb =
        List.of(
            row(null, BigInteger.ZERO, null, null),
            row(
                "PROD_1",
                BigInteger.valueOf(7),
                new BigDecimal("99.0"),
                LocalDate.of(2023, 11, 24)),
            row("PROD_2", 3, new BigDecimal("10.500"), LocalDate.of(2023, 1, 2)));
    assertThat(Answers.difference(spark, duckDb, "Lagoa", "DuckDB")).isEmpty();
  }

  @Test
  void decimalsAndIntegersAreExactFloatingPointIsTolerant() {
    // Spark averages a DECIMAL(15,2) into DECIMAL(19,6), DuckDB into DOUBLE
    assertThat(
            Answers.difference(
                List.of(row(new BigDecimal("25.501235"))),
                List.of(row(25.50123449)),
                "Lagoa",
                "DuckDB"))
        .isEmpty();
    assertThat(
            Answers.difference(
                List.of(row(1.0e12 + 0.001)), List.of(row(1.0e12)), "Lagoa", "DuckDB"))
        .isEmpty();
    assertThat(
            Answers.difference(
                List.of(row(new BigDecimal("1234567.01"))),
                List.of(row(new BigDecimal("1234567.02"))),
                "Lagoa",
                "DuckDB"))
        .hasValueSatisfying(
            text ->
                assertThat(text)
                    .isEqualTo(
                        "sorted row 1 of 1 differs in column 1: Lagoa [1234567.01], DuckDB"
                            + " [1234567.02]"));
    assertThat(Answers.difference(List.of(row(5L)), List.of(row(BigInteger.valueOf(6))), "a", "b"))
        .isPresent();
    assertThat(Answers.difference(List.of(row(0.5)), List.of(row(0.50001)), "a", "b")).isPresent();
  }

  @Test
  void missingRowsColumnsAndNullsAreDifferences() {
    assertThat(Answers.difference(List.of(row(1L), row(2L)), List.of(row(1L)), "Lagoa", "DuckDB"))
        .contains("Lagoa returned 2 rows, DuckDB 1");
    assertThat(Answers.difference(List.of(row(1L, 2L)), List.of(row(1L)), "Lagoa", "DuckDB"))
        .contains("Lagoa returned 2 columns, DuckDB 1");
    assertThat(Answers.difference(List.of(row((Object) null)), List.of(row(0L)), "a", "b"))
        .isPresent();
    assertThat(Answers.difference(List.of(row("x")), List.of(row("y")), "a", "b")).isPresent();
  }
}
