package io.lagoa.cli.output;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagoa.spark.JobProgress;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TestProgressDisplay {
  @Test
  void drawsTasksDoneStageAndElapsedTime() {
    String line =
        ProgressDisplay.line(
            "query", new JobProgress.Snapshot(15, 60, 1, 1), TimeUnit.SECONDS.toNanos(75));
    assertThat(line)
        .isEqualTo("query [=======>                      ]  25% 15/60 tasks, stage 2, 1:15");
  }

  @Test
  void aFinishedStageFillsTheBar() {
    String line = ProgressDisplay.line("query", new JobProgress.Snapshot(4, 4, 1, 0), 0);
    assertThat(line).startsWith("query [==============================] 100% 4/4 tasks");
  }
}
