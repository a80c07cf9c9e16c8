package io.lagoa.cli.logging;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagoa.config.Secrets;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Map;
import java.util.Properties;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.impl.Log4jLogEvent;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.apache.logging.log4j.message.SimpleMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What a library logs goes through the same masking rule as what Lagoa prints. */
class TestMaskingConverter {
  @AfterEach
  void forget() {
    MaskingConverter.use(Secrets.none());
  }

  private static String format(String pattern, LogEvent event) {
    return PatternLayout.newBuilder().withPattern(pattern).build().toSerializable(event);
  }

  private static LogEvent event(String message, Throwable thrown) {
    return Log4jLogEvent.newBuilder()
        .setLoggerName("org.example.Driver")
        .setLevel(Level.WARN)
        .setMessage(new SimpleMessage(message))
        .setThrown(thrown)
        .build();
  }

  @Test
  void masksMessagesAndExceptionsByTheKeyPatternRule() {
    LogEvent event =
        event(
            "connecting to jdbc:postgresql://db/lagoa?user=u&password=logged-pw",
            new SQLException("No suitable driver found for jdbc:postgresql://u:trace-pw@db:x/l"));

    String logged = format("%mask{%level %msg%n%ex}", event);

    assertThat(logged)
        .startsWith("WARN connecting to jdbc:postgresql://db/lagoa?user=u&password=******\n")
        .contains(
            "java.sql.SQLException: No suitable driver found for"
                + " jdbc:postgresql://u:******@db:x/l")
        .doesNotContain("logged-pw")
        .doesNotContain("trace-pw");
    // The exception is printed once, masked, not appended again by the layout.
    assertThat(logged.split("SQLException", -1)).hasSize(2);
  }

  @Test
  void masksTheConfiguredSecretValues() {
    MaskingConverter.use(Secrets.fromEnvironment(Map.of("LAGOA_CATALOG_PASSWORD", "bare-pw-1")));

    assertThat(format("%mask{%msg}", event("login with bare-pw-1 failed", null)))
        .isEqualTo("login with ****** failed");
  }

  @Test
  void theDistributionsLogConfigurationUsesIt() throws IOException {
    Properties properties = new Properties();
    try (InputStream in = Files.newInputStream(Path.of("src/main/resources/log4j2.properties"))) {
      properties.load(in);
    }
    String pattern = properties.getProperty("appender.stderr.layout.pattern");
    assertThat(pattern).startsWith("%mask{");
    assertThat(format(pattern, event("uri?password=p-1", new IllegalStateException("token=t-1"))))
        .contains("password=******")
        .contains("token=******")
        .doesNotContain("p-1")
        .doesNotContain("t-1");
  }
}
