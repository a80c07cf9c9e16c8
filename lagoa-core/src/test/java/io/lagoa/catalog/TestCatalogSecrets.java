package io.lagoa.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagoa.config.ConfigLoader;
import io.lagoa.config.LagoaConfig;
import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A catalog that cannot be opened is reported without the password its URL carries. */
class TestCatalogSecrets {
  private static final String SECRET = "hunter2-in-the-url";

  @TempDir Path dir;

  private LagoaException prepareFails(String uri) {
    LagoaConfig config =
        new ConfigLoader(Map.of("LAGOA_CATALOG_TYPE", "postgres", "LAGOA_CATALOG_URI", uri), dir)
            .load(null);
    try {
      LagoaCatalogs.prepare(config);
    } catch (LagoaException e) {
      return e;
    }
    throw new AssertionError("expected the catalog to be unreachable");
  }

  @Test
  void aMalformedUrlIsShownMasked() {
    // The driver cannot parse the port and quotes the whole URL in its message.
    LagoaException error =
        prepareFails("jdbc:postgresql://host:notaport/db?user=u&password=" + SECRET);

    assertThat(error.code()).isEqualTo(ErrorCode.CATALOG_UNREACHABLE);
    assertThat(error.getMessage())
        .contains("jdbc:postgresql://host:notaport/db?user=u&password=******")
        .doesNotContain(SECRET);
    assertThat(LagoaException.rootMessage(error)).doesNotContain(SECRET);
  }

  @Test
  void anUnreachableServerIsShownMasked() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      port = socket.getLocalPort();
    }
    LagoaException error =
        prepareFails("jdbc:postgresql://127.0.0.1:" + port + "/db?password=" + SECRET);

    assertThat(error.code()).isEqualTo(ErrorCode.CATALOG_UNREACHABLE);
    assertThat(error.getMessage()).contains("?password=******").doesNotContain(SECRET);
  }

  @Test
  void userInfoPasswordsAreMaskedToo() {
    LagoaException error = prepareFails("jdbc:postgresql://ana:" + SECRET + "@host:x/db");

    assertThat(error.getMessage()).contains("//ana:******@host:x/db").doesNotContain(SECRET);
  }
}
