package io.lagoa.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lagoa.catalog.LagoaCatalogs;
import io.lagoa.config.LagoaConfig;
import io.lagoa.config.Secret;
import io.lagoa.config.ServerConfig;
import io.lagoa.server.rest.Audit;
import io.lagoa.server.rest.TableConfig;
import io.lagoa.testing.TestingWarehouse;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.iceberg.catalog.Catalog;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** HTTPS from a PKCS12 keystore and from PEM files, with a certificate keytool makes. */
class TestTls {
  private static final String PASSWORD = "s3cret-pass";
  private static TestingWarehouse warehouse;
  private static Path keystore;
  private static KeyStore store;

  @BeforeAll
  static void makeCertificate() throws Exception {
    warehouse = TestingWarehouse.create();
    keystore = warehouse.root().resolve("server.p12");
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    Process process =
        new ProcessBuilder(
                keytool.toString(),
                "-genkeypair",
                "-alias",
                "lagoa",
                "-keyalg",
                "EC",
                "-dname",
                "CN=localhost",
                "-ext",
                "SAN=ip:127.0.0.1,dns:localhost",
                "-validity",
                "2",
                "-storetype",
                "PKCS12",
                "-keystore",
                keystore.toString(),
                "-storepass",
                PASSWORD)
            .redirectErrorStream(true)
            .start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keystore)) {
      store.load(in, PASSWORD.toCharArray());
    }
  }

  @AfterAll
  static void cleanUp() {
    warehouse.close();
  }

  @Test
  void servesHttpsFromAKeystore() throws Exception {
    ServerConfig.Tls tls =
        new ServerConfig.Tls.Keystore(keystore, Optional.of(new Secret(PASSWORD)));
    try (LagoaServer server = start(tls)) {
      assertThat(server.uri().getScheme()).isEqualTo("https");
      assertThat(get(server.uri().resolve("/healthz")).body()).contains("ok");
    }
  }

  @Test
  void servesHttpsFromPemFiles() throws Exception {
    Certificate certificate = store.getCertificate("lagoa");
    Key key = store.getKey("lagoa", PASSWORD.toCharArray());
    Path certificateFile = write("server.crt", pem("CERTIFICATE", certificate.getEncoded()));
    Path keyFile = write("server.key", pem("PRIVATE KEY", key.getEncoded()));
    try (LagoaServer server = start(new ServerConfig.Tls.Pem(certificateFile, keyFile))) {
      assertThat(get(server.uri().resolve("/version")).body()).contains("iceberg");
    }
  }

  @Test
  void aWrongKeystorePasswordIsOneClearError() {
    ServerConfig.Tls tls =
        new ServerConfig.Tls.Keystore(keystore, Optional.of(new Secret("bad-pass-42")));
    assertThatThrownBy(() -> start(tls))
        .isInstanceOf(ServerStartException.class)
        .hasMessageContaining("server.tls.keystore " + keystore)
        .hasMessageContaining("wrong server.tls.keystore-password")
        .hasMessageNotContaining("bad-pass-42");
  }

  @Test
  void aKeyFileWithoutAPkcs8KeyIsOneClearError() throws Exception {
    Path certificateFile =
        write("only.crt", pem("CERTIFICATE", store.getCertificate("lagoa").getEncoded()));
    Path notAKey =
        write("not.key", "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n");
    assertThatThrownBy(() -> start(new ServerConfig.Tls.Pem(certificateFile, notAKey)))
        .isInstanceOf(ServerStartException.class)
        .hasMessageContaining("openssl pkcs8 -topk8");
  }

  private static LagoaServer start(ServerConfig.Tls tls) {
    LagoaConfig base = warehouse.config();
    LagoaConfig config =
        base.withServer(
            new ServerConfig(
                "127.0.0.1",
                0,
                1 << 20,
                Duration.ofSeconds(2),
                Optional.empty(),
                Duration.ofHours(1),
                Optional.of(tls)));
    Catalog catalog = LagoaCatalogs.open(config);
    return LagoaServer.start(
        config,
        new ServerComponents(
            catalog,
            new AllowAllGuard(),
            new TableConfig(Map.of()),
            Audit.NONE,
            Optional.empty(),
            List.of((AutoCloseable) catalog)));
  }

  private static HttpResponse<String> get(URI uri) throws Exception {
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    KeyStore trusted = KeyStore.getInstance("PKCS12");
    trusted.load(null, null);
    trusted.setCertificateEntry("lagoa", store.getCertificate("lagoa"));
    trust.init(trusted);
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(null, trust.getTrustManagers(), null);
    HttpClient client = HttpClient.newBuilder().sslContext(ssl).build();
    HttpResponse<String> response =
        client.send(
            HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return response;
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }

  private static Path write(String name, String text) throws Exception {
    Path file = warehouse.root().resolve(name);
    Files.writeString(file, text);
    return file;
  }
}
