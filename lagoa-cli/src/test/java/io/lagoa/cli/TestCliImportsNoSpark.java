package io.lagoa.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The CLI is an adapter over the services: it names no Spark or Scala type. */
class TestCliImportsNoSpark {
  private static final Pattern ENGINE = Pattern.compile("org\\.apache\\.spark|scala\\.");

  @Test
  void cliSourcesNameNoSparkOrScala() throws IOException {
    Path sources = Path.of("src/main/java");
    assertThat(sources).isDirectory();
    List<String> offending;
    try (Stream<Path> files = Files.walk(sources)) {
      offending = files
          .filter(file -> file.toString().endsWith(".java"))
          .flatMap(TestCliImportsNoSpark::engineLines)
          .toList();
    }
    assertThat(offending).isEmpty();
  }

  private static Stream<String> engineLines(Path file) {
    try {
      List<String> lines = Files.readAllLines(file);
      return java.util.stream.IntStream.range(0, lines.size())
          .filter(i -> ENGINE.matcher(lines.get(i)).find())
          .mapToObj(i -> file + ":" + (i + 1) + ": " + lines.get(i).strip());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
