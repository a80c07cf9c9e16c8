package io.lagoa.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagoa.testing.TestingWarehouse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code lagoa demo} the way the README's first line runs it: the packaged distribution in a
 * separate JVM, in an empty folder, with no configuration at all. Catches what the in-process tests
 * cannot: a missing runtime class, a missing --add-opens, warnings on stderr.
 */
class DemoDistributionIT {
  private TestingWarehouse folder;

  @BeforeEach
  void create() {
    folder = TestingWarehouse.create();
  }

  @AfterEach
  void delete() {
    folder.close();
  }

  @Test
  void runsInAnEmptyFolderWithDefaults() throws Exception {
    Path distribution = Path.of(System.getProperty("lagoa.distribution"));
    String flags = Files.readString(distribution.resolve("jvm.options")).strip();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(Arrays.asList(flags.split("\\s+")));
    command.addAll(PackagedCli.fastStartOptions(List.of("demo")));
    command.add("-cp");
    command.add(distribution.resolve("lib") + "/*");
    command.add("io.lagoa.cli.Main");
    command.addAll(List.of("demo", "--rows", "1000"));
    ProcessBuilder builder = new ProcessBuilder(command).directory(folder.root().toFile());
    // A fresh machine: no LAGOA_* settings from whoever runs the build.
    builder.environment().keySet().removeIf(name -> name.startsWith("LAGOA_"));
    Path stdout = folder.root().resolve("stdout.txt");
    Path stderr = folder.root().resolve("stderr.txt");
    builder.redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
    Process process = builder.start();
    if (!process.waitFor(5, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new AssertionError("lagoa demo did not finish within 5 minutes");
    }
    String out = Files.readString(stdout, StandardCharsets.UTF_8);
    String err = Files.readString(stderr, StandardCharsets.UTF_8);

    assertThat(process.exitValue()).as(err).isZero();
    Path warehouse = folder.root().toRealPath().resolve("lagoa-warehouse");
    assertThat(out)
        .contains("warehouse: " + warehouse)
        .contains("[8/8] change feed")
        .containsPattern("updated ([0-9]+) rows and inserted 10 in one commit")
        .containsPattern("([0-9]+) updates \\(before/after\\), 10 inserts, 0 deletes");
    // Nothing but the demo's own output: no log lines, warnings or stack traces.
    assertThat(err).isEmpty();
    assertThat(warehouse.resolve("catalog.db")).exists();
  }
}
