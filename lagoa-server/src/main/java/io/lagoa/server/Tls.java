package io.lagoa.server;

import io.javalin.config.JavalinConfig;
import io.lagoa.config.Secret;
import io.lagoa.config.ServerConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/** HTTPS from a keystore or from PEM files, on the server's one port. */
final class Tls {
  private static final Pattern PRIVATE_KEY =
      Pattern.compile("-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

  private Tls() {}

  static void configure(JavalinConfig javalin, ServerConfig server, ServerConfig.Tls tls) {
    KeyStore keyStore = keyStore(tls);
    String password =
        tls instanceof ServerConfig.Tls.Keystore keystore
            ? keystore.password().map(Secret::value).orElse("")
            : "";
    javalin.jetty.addConnector(
        (jetty, http) -> {
          SslContextFactory.Server ssl = new SslContextFactory.Server();
          ssl.setKeyStore(keyStore);
          ssl.setKeyStorePassword(password);
          ssl.setKeyManagerPassword(password);
          HttpConfiguration https = new HttpConfiguration(http);
          SecureRequestCustomizer customizer = new SecureRequestCustomizer();
          // Clients reach the server by whatever name routes to it; the certificate is theirs to
          // check, not ours.
          customizer.setSniHostCheck(false);
          https.addCustomizer(customizer);
          ServerConnector connector =
              new ServerConnector(
                  jetty,
                  new SslConnectionFactory(ssl, "http/1.1"),
                  new HttpConnectionFactory(https));
          connector.setHost(server.host());
          connector.setPort(server.port());
          return connector;
        });
  }

  static KeyStore keyStore(ServerConfig.Tls tls) {
    try {
      if (tls instanceof ServerConfig.Tls.Keystore keystore) {
        return load(keystore);
      }
      ServerConfig.Tls.Pem pem = (ServerConfig.Tls.Pem) tls;
      return fromPem(pem.certificate(), pem.privateKey());
    } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
      throw new ServerStartException(
          "cannot read the server's TLS certificate (" + describe(tls) + "): " + e.getMessage(), e);
    }
  }

  private static String describe(ServerConfig.Tls tls) {
    if (tls instanceof ServerConfig.Tls.Keystore keystore) {
      return "server.tls.keystore " + keystore.file();
    }
    ServerConfig.Tls.Pem pem = (ServerConfig.Tls.Pem) tls;
    return "server.tls.certificate "
        + pem.certificate()
        + ", server.tls.private-key "
        + pem.privateKey();
  }

  private static KeyStore load(ServerConfig.Tls.Keystore keystore)
      throws IOException, GeneralSecurityException {
    char[] password = keystore.password().map(Secret::value).orElse("").toCharArray();
    for (String type : List.of("PKCS12", "JKS")) {
      KeyStore store = KeyStore.getInstance(type);
      try (InputStream in = Files.newInputStream(keystore.file())) {
        store.load(in, password);
        return store;
      } catch (IOException e) {
        if (e.getCause() instanceof java.security.UnrecoverableKeyException) {
          throw new IOException("wrong server.tls.keystore-password", e);
        }
        // try the next type
      }
    }
    throw new IOException("not a PKCS12 or JKS keystore, or the password is wrong");
  }

  private static KeyStore fromPem(Path certificateFile, Path keyFile)
      throws IOException, GeneralSecurityException {
    List<? extends Certificate> chain;
    try (InputStream in = Files.newInputStream(certificateFile)) {
      chain = List.copyOf(CertificateFactory.getInstance("X.509").generateCertificates(in));
    }
    if (chain.isEmpty()) {
      throw new IllegalArgumentException(certificateFile + " holds no certificate");
    }
    String keyText = Files.readString(keyFile, StandardCharsets.US_ASCII);
    Matcher matcher = PRIVATE_KEY.matcher(keyText);
    if (!matcher.find()) {
      throw new IllegalArgumentException(
          keyFile
              + " holds no '-----BEGIN PRIVATE KEY-----' block (an unencrypted PKCS#8 key;"
              + " convert with: openssl pkcs8 -topk8 -nocrypt -in key.pem -out key.pk8.pem)");
    }
    byte[] der = Base64.getMimeDecoder().decode(matcher.group(1));
    PrivateKey key = privateKey(der, chain.get(0).getPublicKey().getAlgorithm());
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setKeyEntry("lagoa", key, new char[0], chain.toArray(new Certificate[0]));
    return store;
  }

  private static PrivateKey privateKey(byte[] der, String algorithm)
      throws GeneralSecurityException {
    return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
  }
}
