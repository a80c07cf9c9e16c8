package io.lagoa.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class TestDataSize {
  @Test
  void readsSizesAsPeopleWriteThem() {
    assertThat(DataSize.parse("1GB", "--size")).isEqualTo(1L << 30);
    assertThat(DataSize.parse("1 gb", "--size")).isEqualTo(1L << 30);
    assertThat(DataSize.parse("512MiB", "--size")).isEqualTo(512L << 20);
    assertThat(DataSize.parse("1.5g", "--size")).isEqualTo(3L << 29);
    assertThat(DataSize.parse("64k", "--size")).isEqualTo(64L << 10);
    assertThat(DataSize.parse("100", "--size")).isEqualTo(100);
    assertThat(DataSize.label(128L << 20)).isEqualTo("128MB");
    assertThat(DataSize.format(3L << 29)).isEqualTo("1.5 GiB");
  }

  @Test
  void rejectsUnknownUnitsAndZero() {
    for (String bad : List.of("1XB", "GB", "", "-1GB", "1 G B")) {
      assertThatThrownBy(() -> DataSize.parse(bad, "--size"))
          .isInstanceOfSatisfying(
              LagoaException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
          .hasMessageContaining("cannot read --size '" + bad + "'")
          .hasMessageContaining("B, KB, MB, GB or TB");
    }
    assertThatThrownBy(() -> DataSize.parse("0MB", "--file-size"))
        .hasMessageContaining("must be more than zero");
  }

  @Test
  void matrixCombinesEveryValueAndNamesEachCombination() {
    Matrix matrix =
        new Matrix(
            List.of("2g"),
            List.of(1, 2),
            List.of(4),
            Matrix.layouts(
                List.of(Layout.Partitioning.MONTHLY, Layout.Partitioning.DAILY),
                List.of("none", "valor"),
                List.of(OptionalLong.empty()),
                List.of(OptionalLong.of(8L << 20))));
    List<Matrix.Combination> combinations = matrix.combinations();
    assertThat(combinations).hasSize(8);
    assertThat(combinations.get(0).name())
        .isEqualTo("cores=1 mem=2g shuffle=4 monthly rowgroup=8MB");
    assertThat(combinations.get(3).name())
        .isEqualTo("cores=1 mem=2g shuffle=4 daily sort=valor rowgroup=8MB");
    assertThat(combinations.get(3).layout().tableSuffix()).isEqualTo("daily_valor_rg8mb");
    assertThat(new Matrix(List.of(), List.of(), List.of(), List.of()).combinations())
        .extracting(Matrix.Combination::name)
        .containsExactly("default");
    assertThatThrownBy(() -> Matrix.checkMemory("2 gigs")).hasMessageContaining("2g or 1500m");
    assertThatThrownBy(
            () ->
                new Matrix(
                        List.of(),
                        List.of(1, 2, 3, 4, 5, 6, 7, 8, 9),
                        List.of(1, 2, 3, 4, 5, 6, 7, 8),
                        List.of())
                    .combinations())
        .hasMessageContaining("cannot run a matrix of 72 combinations");
  }

  @Test
  void selectsQueriesByNameAndNamesTheValidOnes() {
    assertThat(Suite.SALES.select("needle, join").stream().map(BenchQuery::name))
        .containsExactly("join", "needle");
    assertThat(Suite.TPCH.queries()).hasSize(22);
    assertThat(Suite.TPCH.select("q15").get(0).setup())
        .singleElement()
        .asString()
        .startsWith("CREATE OR REPLACE TEMPORARY VIEW revenue");
    assertThatThrownBy(() -> Suite.SALES.select("needle,nope"))
        .hasMessageContaining("cannot run query nope: the sales suite has full_scan,");
    assertThatThrownBy(() -> Suite.parse("tpcds")).hasMessageContaining("expected sales or tpch");
  }
}
