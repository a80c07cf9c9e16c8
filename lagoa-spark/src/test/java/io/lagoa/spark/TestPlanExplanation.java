package io.lagoa.spark;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TestPlanExplanation {
  @Test
  void sortsOperatorsIntoNativeSparkAndTransitions() {
    String plan =
        """
        == Physical Plan ==
        AdaptiveSparkPlan (6)
        +- HashAggregate (5)
           +- CometColumnarToRow (4)
              +- CometExchange (3)
                 +- CometHashAggregate (2)
                    +- CometIcebergNativeScan (1)


        (1) CometIcebergNativeScan
        Output [1]: [id#1L]

        (2) CometHashAggregate
        Keys [1]: [id#1L]

        (3) CometExchange
        Arguments: hashpartitioning(id#1L, 2)

        (4) CometColumnarToRow
        Input [1]: [id#1L]

        (5) HashAggregate
        Functions [1]: [count_distinct(id#1L)]

        (6) AdaptiveSparkPlan
        Arguments: isFinalPlan=false
        """;
    PlanExplanation explained = PlanExplanation.of(plan);
    assertThat(explained.nativeOperators())
        .containsExactly("CometIcebergNativeScan", "CometHashAggregate", "CometExchange");
    assertThat(explained.sparkOperators()).containsExactly("HashAggregate");
    assertThat(explained.transitions()).containsExactly("CometColumnarToRow");
    assertThat(explained.plan()).isEqualTo(plan);
  }

  @Test
  void aPlainSparkPlanHasNoNativeOperators() {
    PlanExplanation explained =
        PlanExplanation.of("== Physical Plan ==\n* Project (2)\n\n(1) BatchScan\n\n(2) Project\n");
    assertThat(explained.nativeOperators()).isEmpty();
    assertThat(explained.sparkOperators()).containsExactly("BatchScan", "Project");
  }
}
