package io.lagoa.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TestTestingS3 {
  @Test
  void servesAPrivateBucketUntilClosed() throws Exception {
    String endpoint;
    try (TestingS3 s3 = TestingS3.start("private-bucket")) {
      endpoint = s3.endpoint();
      assertThat(endpoint).startsWith("http://127.0.0.1:");
      assertThat(s3.location("a/b")).isEqualTo("s3://private-bucket/a/b");
      assertThat(s3.objectKeys("")).isEmpty();
      // A real S3 API: unsigned requests are refused with an S3 error document.
      HttpURLConnection connection =
          (HttpURLConnection) new URI(endpoint + "/private-bucket/").toURL().openConnection();
      assertThat(connection.getResponseCode()).isEqualTo(403);
      assertThat(new String(connection.getErrorStream().readAllBytes())).contains("AccessDenied");
      connection.disconnect();
    }
    HttpURLConnection after = (HttpURLConnection) new URI(endpoint).toURL().openConnection();
    assertThatThrownBy(after::getResponseCode).isInstanceOf(ConnectException.class);
  }

  @Test
  void childEndsWhenItsParentGoesAway() throws IOException, InterruptedException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child =
        new ProcessBuilder(
                List.of(
                    java,
                    "-cp",
                    System.getProperty("java.class.path"),
                    ChildProcessMain.class.getName(),
                    Sleeper.class.getName()))
            .redirectErrorStream(true)
            .start();
    assertThat(child.waitFor(1, TimeUnit.SECONDS)).isFalse(); // the server's main runs on
    child.getOutputStream().close(); // what the OS does when the parent dies
    assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
  }

  /** A stand-in server main that never returns. */
  public static final class Sleeper {
    public static void main(String[] args) throws InterruptedException {
      Thread.sleep(Long.MAX_VALUE);
    }
  }
}
