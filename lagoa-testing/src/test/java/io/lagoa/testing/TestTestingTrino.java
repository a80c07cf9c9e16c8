package io.lagoa.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The parts of TestingTrino that need no server: finding a Java 24+ and unpacking the tarball.
 * lagoa-interop's TestTrinoInterop starts the one real Trino of the build, against lagoa server.
 */
class TestTestingTrino {
  @Test
  void findsAJava24OrRefusesAnOlderOneByName() {
    Optional<Path> java = TestingTrino.findJava24();
    assumeTrue(java.isPresent(), "no Java 24+ on this machine");
    assertThat(TrinoDistribution.featureVersion(java.get())).isGreaterThanOrEqualTo(24);

    int own = Runtime.version().feature();
    assumeTrue(own < 24, "the test JVM is itself Java 24+");
    String before = System.getProperty(TrinoDistribution.JAVA_PROPERTY);
    System.setProperty(TrinoDistribution.JAVA_PROPERTY, System.getProperty("java.home"));
    try {
      assertThatThrownBy(TestingTrino::findJava24)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("it is Java " + own)
          .hasMessageContaining("Trino needs Java 24 or later");
    } finally {
      if (before == null) {
        System.clearProperty(TrinoDistribution.JAVA_PROPERTY);
      } else {
        System.setProperty(TrinoDistribution.JAVA_PROPERTY, before);
      }
    }
  }

  @Test
  void unpacksTheServerAndTheIcebergPluginWithItsHardLinks(@TempDir Path folder)
      throws IOException, InterruptedException {
    // A small tarball shaped like Trino's: PAX long names, plugin jars hard-linked to lib/ and to
    // an earlier plugin, written by the system's tar (GNU tar on Linux).
    Path server = folder.resolve("trino-server-1");
    Files.createDirectories(server.resolve("lib"));
    Files.createDirectories(server.resolve("plugin/delta-lake"));
    Files.createDirectories(server.resolve("plugin/iceberg/hdfs"));
    Files.createDirectories(server.resolve("bin"));
    Files.writeString(server.resolve("lib/core.jar"), "core");
    Files.writeString(server.resolve("bin/launcher"), "launcher");
    String longName = "com.faster...on.module_" + "x".repeat(120) + ".jar";
    Files.writeString(server.resolve("plugin/delta-lake/" + longName), "shared by plugins");
    Files.createLink(
        server.resolve("plugin/iceberg/hdfs/" + longName),
        server.resolve("plugin/delta-lake/" + longName));
    Files.createLink(server.resolve("plugin/iceberg/core.jar"), server.resolve("lib/core.jar"));
    Files.writeString(server.resolve("plugin/iceberg/iceberg.jar"), "iceberg");
    Path tarball = folder.resolve("trino-server-1.tar.gz");
    Process tar =
        new ProcessBuilder(
                "tar",
                "--format=pax",
                "-czf",
                tarball.toString(),
                "-C",
                folder.toString(),
                "trino-server-1")
            .redirectErrorStream(true)
            .start();
    String output = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assumeTrue(tar.waitFor(60, TimeUnit.SECONDS) && tar.exitValue() == 0, "no GNU tar: " + output);

    Path target = folder.resolve("unpacked");
    TrinoDistribution.unpack(tarball, target);

    try (Stream<Path> files = Files.walk(target)) {
      assertThat(files.filter(Files::isRegularFile).map(f -> target.relativize(f).toString()))
          .containsExactlyInAnyOrder(
              "lib/core.jar",
              "plugin/iceberg/core.jar",
              "plugin/iceberg/iceberg.jar",
              "plugin/iceberg/hdfs/" + longName);
    }
    assertThat(target.resolve("plugin/iceberg/hdfs/" + longName)).hasContent("shared by plugins");
    assertThat(target.resolve("plugin/iceberg/core.jar")).hasContent("core");
    assertThat(target.resolve("plugin/delta-lake")).doesNotExist();
  }
}
