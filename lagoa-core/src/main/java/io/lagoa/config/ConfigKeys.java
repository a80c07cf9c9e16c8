package io.lagoa.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Every key lagoa.yaml accepts, declared in one place with its type, default and doc. */
public final class ConfigKeys {
  public static final ConfigKey WAREHOUSE =
      ConfigKey.of(
          "warehouse",
          ValueType.STRING,
          "./lagoa-warehouse",
          "Where table data and metadata live: a local folder (relative to this file) or"
              + " s3://bucket/prefix (s3a:// works too; see storage.s3).");
  public static final ConfigKey CATALOG_TYPE =
      ConfigKey.of(
          "catalog.type",
          ValueType.oneOf("sqlite", "postgres", "rest"),
          "sqlite",
          "sqlite (embedded, one file), postgres (shared by a team) or rest (an Iceberg REST"
              + " catalog).");
  public static final ConfigKey CATALOG_URI =
      ConfigKey.of(
          "catalog.uri",
          ValueType.STRING,
          null,
          "sqlite: jdbc:sqlite:<file> (default <warehouse>/catalog.db); postgres:"
              + " jdbc:postgresql://host:5432/db; rest: http(s)://host:port/path.");
  public static final ConfigKey CATALOG_USER =
      ConfigKey.of("catalog.user", ValueType.STRING, null, "PostgreSQL user name.");
  public static final ConfigKey CATALOG_PASSWORD =
      ConfigKey.secret("catalog.password", "PostgreSQL password. Prefer password-file or the env.");
  public static final ConfigKey CATALOG_TOKEN =
      ConfigKey.secret("catalog.token", "Bearer token for a REST catalog.");
  public static final ConfigKey CATALOG_CREDENTIAL =
      ConfigKey.secret(
          "catalog.credential", "client_id:client_secret for a REST catalog's OAuth2 endpoint.");
  public static final ConfigKey CATALOG_CONNECT_TIMEOUT =
      ConfigKey.of(
          "catalog.connect-timeout-seconds",
          ValueType.POSITIVE_INT,
          "10",
          "How long to wait for the catalog database before giving up.");
  public static final ConfigKey CATALOG_PROPERTIES =
      ConfigKey.of(
          "catalog.properties",
          ValueType.MAP,
          null,
          "Extra Iceberg catalog properties, passed through as they are (e.g. io-impl).");
  public static final ConfigKey STORAGE_S3_ENDPOINT =
      ConfigKey.of(
          "storage.s3.endpoint",
          ValueType.STRING,
          null,
          "The S3 API endpoint of an S3-compatible store (MinIO, Ceph, R2...), e.g."
              + " http://localhost:9000. Unset: AWS S3.");
  public static final ConfigKey STORAGE_S3_REGION =
      ConfigKey.of(
          "storage.s3.region",
          ValueType.STRING,
          null,
          "The bucket's region, e.g. eu-west-1. Unset: the AWS default (AWS_REGION, the AWS"
              + " profile); with an endpoint set, AWS_REGION or else us-east-1.");
  public static final ConfigKey STORAGE_S3_PATH_STYLE_ACCESS =
      ConfigKey.of(
          "storage.s3.path-style-access",
          ValueType.BOOLEAN,
          null,
          "Address buckets as <endpoint>/<bucket> rather than <bucket>.<endpoint>. Default: true"
              + " when an endpoint is set (MinIO, Ceph need it), false for AWS S3.");
  public static final ConfigKey STORAGE_S3_ACCESS_KEY_ID =
      ConfigKey.of(
          "storage.s3.access-key-id",
          ValueType.STRING,
          null,
          "Access key id, set with secret-access-key. Unset: the AWS default credentials"
              + " (AWS_ACCESS_KEY_ID, the AWS profile, an instance or pod role).");
  public static final ConfigKey STORAGE_S3_SECRET_ACCESS_KEY =
      ConfigKey.secret(
          "storage.s3.secret-access-key",
          "Secret access key for access-key-id. Prefer secret-access-key-file or the env.");
  public static final ConfigKey STORAGE_S3_SESSION_TOKEN =
      ConfigKey.secret(
          "storage.s3.session-token",
          "Session token of temporary credentials, with access-key-id and secret-access-key.");
  public static final ConfigKey SPARK_MASTER =
      ConfigKey.of(
          "spark.master", ValueType.STRING, "local[*]", "Spark master; local[*] uses every core.");
  public static final ConfigKey SPARK_SHUFFLE_PARTITIONS =
      ConfigKey.of(
          "spark.shuffle-partitions",
          ValueType.POSITIVE_INT_OR_AUTO,
          "auto",
          "Shuffle partitions; auto uses the number of cores (Spark's own default of 200 makes"
              + " small local aggregations several times slower).");
  public static final ConfigKey SPARK_ACCELERATOR =
      ConfigKey.of(
          "spark.accelerator",
          ValueType.oneOf(Accelerator.configNames()),
          Accelerator.AUTO.configName(),
          "comet runs scans, filters, aggregations, joins and shuffles of Iceberg tables in Apache"
              + " DataFusion Comet's native vectorized engine, with the same answers (Linux x86_64"
              + " and aarch64 only; elsewhere plain Spark with a warning); auto is comet where it"
              + " can run and plain Spark elsewhere; none is plain Spark.");
  public static final ConfigKey SPARK_OFF_HEAP_MB =
      ConfigKey.of(
          "spark.off-heap-mb",
          ValueType.POSITIVE_INT_OR_AUTO,
          "auto",
          "Off-heap memory for the accelerator's native operators, in MiB; auto is half the JVM's"
              + " maximum heap (at least 1024). Unused with accelerator none.");
  public static final ConfigKey SPARK_DUCKDB_READS =
      ConfigKey.of(
          "spark.duckdb-reads",
          ValueType.BOOLEAN,
          "true",
          "true runs aggregations over Iceberg tables on the local file system in an in-process"
              + " DuckDB over the Parquet files Iceberg planned, where DuckDB gives exactly Spark's"
              + " answer (other queries and parts of queries run in Spark as before; local"
              + " masters only); false runs everything in Spark.");
  public static final ConfigKey SPARK_CONF =
      ConfigKey.of(
          "spark.conf",
          ValueType.MAP,
          null,
          "Any Spark setting, e.g. spark.sql.adaptive.enabled: true. Applied last.");

  public static final ConfigKey LINEAGE_TRANSPORT =
      ConfigKey.of(
          "lineage.transport",
          ValueType.oneOf("none", "file", "http", "console"),
          "none",
          "Where pipeline runs send OpenLineage events: none, file (JSON lines appended to"
              + " lineage.file), http (POSTed to lineage.url, e.g. Marquez) or console (stderr).");
  public static final ConfigKey LINEAGE_FILE =
      ConfigKey.of(
          "lineage.file",
          ValueType.STRING,
          null,
          "The file OpenLineage events are appended to, one JSON object a line (transport file).");
  public static final ConfigKey LINEAGE_URL =
      ConfigKey.of(
          "lineage.url",
          ValueType.STRING,
          null,
          "The OpenLineage HTTP endpoint (transport http): a base URL such as"
              + " http://localhost:5000 gets /api/v1/lineage; a URL with a path is used as it is.");
  public static final ConfigKey LINEAGE_API_KEY =
      ConfigKey.secret("lineage.api-key", "Sent as 'Authorization: Bearer <key>' to lineage.url.");
  public static final ConfigKey LINEAGE_NAMESPACE =
      ConfigKey.of(
          "lineage.namespace",
          ValueType.STRING,
          "lagoa",
          "The OpenLineage job namespace of pipelines and their flows.");
  public static final ConfigKey LINEAGE_TIMEOUT =
      ConfigKey.of(
          "lineage.timeout-seconds",
          ValueType.POSITIVE_INT,
          "5",
          "How long to wait for the lineage endpoint; after a failure the run sends no more.");

  public static final ConfigKey SERVER_HOST =
      ConfigKey.of(
          "server.host",
          ValueType.STRING,
          "0.0.0.0",
          "The address lagoa server listens on (0.0.0.0: every interface; 127.0.0.1: this"
              + " machine only).");
  public static final ConfigKey SERVER_PORT =
      ConfigKey.of(
          "server.port",
          ValueType.PORT,
          "8181",
          "The one port lagoa server serves on: the Iceberg REST catalog under /v1, health at"
              + " /healthz and /readyz, the version at /version. 0 picks a free port.");
  public static final ConfigKey SERVER_MAX_BODY_BYTES =
      ConfigKey.of(
          "server.max-body-bytes",
          ValueType.POSITIVE_INT,
          "16777216",
          "The largest request body the server reads; a larger one is refused with 413.");
  public static final ConfigKey SERVER_SHUTDOWN_GRACE_SECONDS =
      ConfigKey.of(
          "server.shutdown-grace-seconds",
          ValueType.POSITIVE_INT,
          "30",
          "On SIGTERM, how long requests in flight may take to finish before the server stops.");
  public static final ConfigKey SERVER_AUTH_ANONYMOUS_ROLE =
      ConfigKey.of(
          "server.auth.anonymous-role",
          ValueType.STRING,
          null,
          "The role a request without a token acts as. Unset (the default): every request but"
              + " the token endpoint and health needs a bearer token.");
  public static final ConfigKey SERVER_AUTH_TOKEN_LIFETIME =
      ConfigKey.of(
          "server.auth.token-lifetime-seconds",
          ValueType.POSITIVE_INT,
          "3600",
          "How long a token from the OAuth2 token endpoint stays valid.");
  public static final ConfigKey SERVER_TLS_KEYSTORE =
      ConfigKey.of(
          "server.tls.keystore",
          ValueType.STRING,
          null,
          "A PKCS12 or JKS keystore with the server's certificate and key; set it (or"
              + " certificate and private-key) to serve HTTPS.");
  public static final ConfigKey SERVER_TLS_KEYSTORE_PASSWORD =
      ConfigKey.secret("server.tls.keystore-password", "The keystore's password.");
  public static final ConfigKey SERVER_TLS_CERTIFICATE =
      ConfigKey.of(
          "server.tls.certificate",
          ValueType.STRING,
          null,
          "A PEM file with the server's certificate chain (with server.tls.private-key).");
  public static final ConfigKey SERVER_TLS_PRIVATE_KEY =
      ConfigKey.of(
          "server.tls.private-key",
          ValueType.STRING,
          null,
          "A PEM file with the server's unencrypted PKCS#8 private key (with"
              + " server.tls.certificate).");

  private static final List<ConfigKey> DECLARED =
      List.of(
          WAREHOUSE,
          CATALOG_TYPE,
          CATALOG_URI,
          CATALOG_USER,
          CATALOG_PASSWORD,
          CATALOG_TOKEN,
          CATALOG_CREDENTIAL,
          CATALOG_CONNECT_TIMEOUT,
          CATALOG_PROPERTIES,
          STORAGE_S3_ENDPOINT,
          STORAGE_S3_REGION,
          STORAGE_S3_PATH_STYLE_ACCESS,
          STORAGE_S3_ACCESS_KEY_ID,
          STORAGE_S3_SECRET_ACCESS_KEY,
          STORAGE_S3_SESSION_TOKEN,
          SPARK_MASTER,
          SPARK_SHUFFLE_PARTITIONS,
          SPARK_ACCELERATOR,
          SPARK_OFF_HEAP_MB,
          SPARK_DUCKDB_READS,
          SPARK_CONF,
          LINEAGE_TRANSPORT,
          LINEAGE_FILE,
          LINEAGE_URL,
          LINEAGE_API_KEY,
          LINEAGE_NAMESPACE,
          LINEAGE_TIMEOUT,
          SERVER_HOST,
          SERVER_PORT,
          SERVER_MAX_BODY_BYTES,
          SERVER_SHUTDOWN_GRACE_SECONDS,
          SERVER_AUTH_ANONYMOUS_ROLE,
          SERVER_AUTH_TOKEN_LIFETIME,
          SERVER_TLS_KEYSTORE,
          SERVER_TLS_KEYSTORE_PASSWORD,
          SERVER_TLS_CERTIFICATE,
          SERVER_TLS_PRIVATE_KEY);

  private static final Map<String, ConfigKey> BY_NAME = index();

  private ConfigKeys() {}

  /** Declared keys plus, for each secret, its {@code -file} companion. */
  public static List<ConfigKey> all() {
    return List.copyOf(BY_NAME.values());
  }

  public static ConfigKey byName(String name) {
    return BY_NAME.get(name);
  }

  public static String fileKeyOf(ConfigKey secret) {
    return secret.name() + "-file";
  }

  private static Map<String, ConfigKey> index() {
    Map<String, ConfigKey> byName = new LinkedHashMap<>();
    List<ConfigKey> keys = new ArrayList<>(DECLARED);
    for (ConfigKey key : DECLARED) {
      if (key.secret()) {
        keys.add(
            ConfigKey.of(
                fileKeyOf(key),
                ValueType.STRING,
                null,
                "A file whose contents are " + key.name() + " (e.g. a mounted secret)."));
      }
    }
    for (ConfigKey key : keys) {
      byName.put(key.name(), key);
    }
    return Collections.unmodifiableMap(byName);
  }
}
