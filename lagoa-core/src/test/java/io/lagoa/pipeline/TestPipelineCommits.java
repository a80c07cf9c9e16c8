package io.lagoa.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The snapshot-summary keys stay what tables written by earlier versions hold. */
class TestPipelineCommits {
  @Test
  void keyNamesAreStable() {
    assertThat(PipelineCommits.RUN_ID).isEqualTo("lagoa.pipeline.run-id");
    assertThat(PipelineCommits.expectedBaseKey("Bronze.Events"))
        .isEqualTo("lagoa.pipeline.expected-base.bronze.events");
    assertThat(PipelineCommits.kafkaPositionKey("plays")).isEqualTo("lagoa.source.kafka.plays");
    assertThat(PipelineCommits.kafkaSchemaKey("plays"))
        .isEqualTo("lagoa.source.kafka-schema.plays");
    // the first 16 hex digits of the SHA-256 of the folder's qualified location
    assertThat(PipelineCommits.filesPositionKey("file:/landing/sales"))
        .isEqualTo("lagoa.source.files.ce9b4a1d4ec5abf8");
    assertThat(PipelineCommits.filesSchemaKey("file:/landing/sales"))
        .isEqualTo("lagoa.source.files-schema.ce9b4a1d4ec5abf8");
    assertThat(PipelineCommits.streamStateKey("bronze.plays"))
        .isEqualTo("lagoa.stream.bronze.plays");
    assertThat(PipelineCommits.TARGET_SNAPSHOT).isEqualTo("lagoa.pipeline.target-snapshot");
    assertThat(PipelineCommits.REPLAYS_PREFIX).isEqualTo("lagoa.pipeline.replays.");
    assertThat(PipelineCommits.INPUT_PREFIX).isEqualTo("lagoa.input.");
    assertThat(PipelineCommits.QUERY_HASH).isEqualTo("lagoa.query-hash");
  }

  @Test
  void kafkaOffsetsRoundTrip() {
    String json = PipelineCommits.kafkaOffsetsJson("plays", Map.of(1, 7L, 0, 42L));
    assertThat(json).isEqualTo("{\"plays\":{\"0\":42,\"1\":7}}");
    assertThat(PipelineCommits.parseKafkaOffsets("plays", json))
        .containsExactly(Map.entry(0, 42L), Map.entry(1, 7L));
    assertThat(PipelineCommits.parseKafkaOffsets("other", json)).isEmpty();
    assertThat(PipelineCommits.parseKafkaOffsets("plays", null)).isEmpty();
    assertThatThrownBy(() -> PipelineCommits.parseKafkaOffsets("plays", "{\"plays\":[1]}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("not offsets per partition as JSON ({\"plays\":{\"0\":42}}): {\"plays\":[1]}");
  }
}
