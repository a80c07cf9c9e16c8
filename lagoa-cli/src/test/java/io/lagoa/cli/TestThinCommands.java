package io.lagoa.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The commands whose work moved into services stay adapters: they parse, call the service and
 * print, with no Spark, Kafka client or Spark-side bench classes of their own.
 */
class TestThinCommands {
  private static final Path SOURCES = Path.of("src/main/java/io/lagoa/cli");

  @Test
  void produceAndBenchCommandsImportNoEngine() throws IOException {
    for (String command : List.of("ProduceCommand.java", "BenchCommand.java")) {
      List<String> imports =
          Files.readAllLines(SOURCES.resolve(command)).stream()
              .filter(line -> line.startsWith("import "))
              .toList();
      assertThat(imports)
          .as(command)
          .isNotEmpty()
          .noneMatch(line -> line.contains("org.apache.spark"))
          .noneMatch(line -> line.contains("org.apache.kafka"))
          .noneMatch(line -> line.contains("io.lagoa.spark."))
          .noneMatch(line -> line.contains("io.lagoa.bench.spark."));
    }
  }
}
