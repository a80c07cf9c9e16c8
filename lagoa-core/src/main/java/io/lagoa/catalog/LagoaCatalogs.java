package io.lagoa.catalog;

import io.lagoa.config.CatalogConfig;
import io.lagoa.config.CatalogType;
import io.lagoa.config.ConfigException;
import io.lagoa.config.ConfigKey;
import io.lagoa.config.ConfigKeys;
import io.lagoa.config.LagoaConfig;
import io.lagoa.config.S3Config;
import io.lagoa.config.Secrets;
import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import io.lagoa.text.SecretPatterns;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.CatalogUtil;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.FileInfo;
import org.apache.iceberg.io.SupportsPrefixOperations;

/** Opens the Iceberg catalog a configuration names, after checking it can be reached. */
public final class LagoaCatalogs {
  private static final Pattern DATABASE_IN_URI =
      Pattern.compile("^jdbc:postgresql://[^/]*/([^?;]+)");

  private LagoaCatalogs() {}

  /** Opens the catalog through the Iceberg API, no engine needed. Close it when done. */
  public static Catalog open(LagoaConfig config) {
    prepare(config);
    Map<String, String> properties = CatalogProperties.of(config);
    try {
      return CatalogUtil.buildIcebergCatalog(
          CatalogProperties.CATALOG_NAME, properties, new Configuration());
    } catch (RuntimeException e) {
      throw new LagoaException(
          ErrorCode.CATALOG_UNREACHABLE,
          Secrets.of(config)
              .mask(
                  "cannot open the "
                      + config.catalog().type().configName()
                      + " catalog at "
                      + config.catalog().displayUri()
                      + " ("
                      + config.describeSource()
                      + "): "
                      + LagoaException.rootMessage(e)),
          e);
    }
  }

  /**
   * Makes sure the catalog can be used before anything starts: creates the local folders the
   * embedded default needs and checks that a catalog database answers, so an unreachable PostgreSQL
   * is one clear error rather than a stack trace from deep inside a query.
   */
  public static void prepare(LagoaConfig config) {
    config
        .localWarehouse()
        .ifPresent(folder -> createFolder(config, folder, "the warehouse", ConfigKeys.WAREHOUSE));
    CatalogConfig catalog = config.catalog();
    if (catalog.type() == CatalogType.SQLITE) {
      Path file =
          Path.of(catalog.uri().substring("jdbc:sqlite:".length()).replaceFirst("\\?.*$", ""));
      if (file.getParent() != null) {
        // The default catalog.db sits in the warehouse: a problem there is the warehouse's.
        ConfigKey setBy =
            config.origins().containsKey(ConfigKeys.CATALOG_URI.name())
                ? ConfigKeys.CATALOG_URI
                : ConfigKeys.WAREHOUSE;
        createFolder(
            config, file.toAbsolutePath().getParent(), "the sqlite catalog's folder", setBy);
      }
    }
    if (catalog.type() != CatalogType.REST) {
      checkDatabase(config);
    }
    config
        .storage()
        .s3()
        .ifPresent(
            s3 -> {
              relaxChecksums(s3);
              // A landing bucket is checked when a pipeline reads it, with its own clear error;
              // a SELECT on local tables must not fail because that bucket is down.
              if (config.warehouseOnS3()) {
                checkObjectStore(config, s3);
              }
            });
  }

  /** The AWS SDK's process-wide setting for when uploads carry a checksum. */
  static final String CHECKSUM_PROPERTY = "aws.requestChecksumCalculation";

  /**
   * Since AWS SDK 2.30 every upload carries a CRC32 trailer, which many S3-compatible stores reject
   * ("x-amz-content-sha256 does not match", "header not implemented"). With an endpoint set, ask
   * for checksums only where S3 requires them, unless the user chose
   * (AWS_REQUEST_CHECKSUM_CALCULATION or -Daws.requestChecksumCalculation). Iceberg 1.12 has no
   * per-client property for this, so it is the SDK's process-wide setting; AWS S3 itself keeps the
   * SDK default when no endpoint is set.
   */
  private static void relaxChecksums(S3Config s3) {
    if (s3.endpoint().isPresent()
        && System.getProperty(CHECKSUM_PROPERTY) == null
        && System.getenv("AWS_REQUEST_CHECKSUM_CALCULATION") == null) {
      System.setProperty(CHECKSUM_PROPERTY, "when_required");
    }
  }

  /**
   * Opens a file client of class {@code impl} with the catalog's properties; a failure names {@code
   * what} was being opened, plus {@code hint}, with the configuration's secrets masked.
   */
  public static FileIO openFileIO(LagoaConfig config, String impl, String what, String hint) {
    try {
      return CatalogUtil.loadFileIO(impl, CatalogProperties.of(config), new Configuration());
    } catch (RuntimeException | LinkageError e) {
      throw new LagoaException(
          ErrorCode.INTERNAL_ERROR,
          Secrets.of(config)
              .mask("cannot open " + what + ": " + LagoaException.rootMessage(e) + hint),
          e);
    }
  }

  /**
   * Lists the warehouse prefix once (one request), so a wrong endpoint, bucket or key is one clear
   * error before anything starts rather than a failed write deep inside a query.
   */
  private static void checkObjectStore(LagoaConfig config, S3Config s3) {
    String impl =
        CatalogProperties.of(config).getOrDefault("io-impl", CatalogProperties.S3_FILE_IO);
    FileIO io =
        openFileIO(
            config,
            impl,
            "the S3 client " + impl + " for the warehouse " + config.warehouse(),
            " (is org.apache.iceberg:iceberg-aws-bundle on the class path?)");
    try (FileIO closing = io) {
      if (closing instanceof SupportsPrefixOperations prefixes) {
        Iterator<FileInfo> files = prefixes.listPrefix(config.warehouse() + "/").iterator();
        files.hasNext();
      }
    } catch (RuntimeException e) {
      String where =
          s3.endpoint()
              .map(endpoint -> " at " + endpoint + " (storage.s3.endpoint, from ")
              .orElse(" on AWS S3 (warehouse, from ");
      throw new LagoaException(
          ErrorCode.STORAGE_UNREACHABLE,
          Secrets.of(config)
              .mask(
                  "cannot reach the warehouse "
                      + config.warehouse()
                      + where
                      + config.describeSource()
                      + "): "
                      + storageMessage(e)
                      + storageHint(e, s3)),
          e);
    }
  }

  /** The AWS SDK's own message is the useful one (it names the host); the root cause's is terse. */
  static String storageMessage(Throwable error) {
    for (Throwable cause = error; cause != null; cause = cause.getCause()) {
      if (cause.getClass().getName().startsWith("software.amazon.awssdk.")
          && cause.getMessage() != null) {
        return shortenChainMessage(SecretPatterns.maskText(cause.getMessage().strip()));
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    return shortenChainMessage(LagoaException.rootMessage(error));
  }

  /** The SDK lists every provider it asked, with object ids; say what it means instead. */
  private static String shortenChainMessage(String message) {
    if (message.startsWith("Unable to load region from any of the providers")) {
      return "no AWS region found (looked at AWS_REGION, the AWS profile and the EC2 instance"
          + " metadata)";
    }
    if (message.startsWith("Unable to load credentials from any of the providers")) {
      return "no AWS credentials found (looked at AWS_ACCESS_KEY_ID, web identity, the AWS"
          + " profile, the container and the EC2 instance role)";
    }
    return message;
  }

  /** What to change, judged from the S3 status or the client's complaint. */
  static String storageHint(Throwable error, S3Config s3) {
    String text =
        (error.getClass().getSimpleName()
                + " "
                + storageMessage(error)
                + " "
                + LagoaException.rootMessage(error))
            .toLowerCase(Locale.ROOT);
    String credentials =
        s3.defaultCredentials()
            ? "the AWS credentials in the environment (AWS_ACCESS_KEY_ID, AWS_PROFILE), or set"
                + " storage.s3.access-key-id and storage.s3.secret-access-key"
            : "storage.s3.access-key-id and storage.s3.secret-access-key";
    if (text.contains("no aws credentials found")) {
      return ". Set storage.s3.access-key-id and storage.s3.secret-access-key, or"
          + " AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE)";
    }
    if (text.contains("no aws region found")) {
      return ". Set storage.s3.region (or AWS_REGION) to the bucket's region";
    }
    if (text.contains("nosuchbucket") || text.contains("bucket does not exist")) {
      return ". Create the bucket, or fix the bucket name in warehouse";
    }
    if (text.contains("status code: 403")) {
      return ". Check " + credentials + ", and that they may list and write the bucket";
    }
    if (text.contains("status code: 301") || text.contains("permanentredirect")) {
      return ". The bucket is in another region: set storage.s3.region to it";
    }
    if (text.contains("unable to execute http request")
        || text.contains("connect")
        || text.contains("unknownhost")
        || text.contains("timed out")) {
      return s3.endpoint().isPresent()
          ? ". Check that the server is running and storage.s3.endpoint is right"
          : ". Check the network connection to AWS S3, or set storage.s3.endpoint for an"
              + " S3-compatible store";
    }
    return "";
  }

  private static void checkDatabase(LagoaConfig config) {
    CatalogConfig catalog = config.catalog();
    int timeout = catalog.connectTimeoutSeconds();
    Properties properties = new Properties();
    catalog.user().ifPresent(user -> properties.setProperty("user", user));
    catalog.password().ifPresent(password -> properties.setProperty("password", password.value()));
    // PostgreSQL: connectTimeout bounds the TCP connect, loginTimeout the whole handshake and
    // socketTimeout any read, so a server that accepts but never answers fails in time too.
    properties.setProperty("connectTimeout", Integer.toString(timeout));
    properties.setProperty("loginTimeout", Integer.toString(timeout));
    properties.setProperty("socketTimeout", Integer.toString(timeout));
    long started = System.nanoTime();
    try (Connection connection = DriverManager.getConnection(catalog.uri(), properties)) {
      if (!connection.isValid(timeout)) {
        throw new SQLException("the database did not answer a test query within " + timeout + " s");
      }
    } catch (SQLException e) {
      long waited = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
      String hint = hint(config, e, waited);
      String problem = hint.isEmpty() ? describe(e) : describe(e).replaceAll("\\.$", "") + hint;
      // The driver's message may quote the URL it was given, password and all.
      throw new LagoaException(
          ErrorCode.CATALOG_UNREACHABLE,
          Secrets.of(config)
              .mask(
                  "cannot connect to the "
                      + catalog.type().configName()
                      + " catalog at "
                      + catalog.displayUri()
                      + " (catalog.uri, from "
                      + config.origin(ConfigKeys.CATALOG_URI)
                      + "): "
                      + problem),
          e);
    }
  }

  /** What to check next, by the SQL state the driver reported. */
  private static String hint(LagoaConfig config, SQLException e, long waitedSeconds) {
    CatalogConfig catalog = config.catalog();
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    if (state.equals("28P01") || state.equals("28000")) {
      String user =
          catalog
              .user()
              .map(name -> name + ", from " + config.origin(ConfigKeys.CATALOG_USER))
              .orElse("not set");
      String password =
          catalog.password().isPresent()
              ? "from " + config.origin(ConfigKeys.CATALOG_PASSWORD)
              : "not set";
      return "; check catalog.user (" + user + ") and catalog.password (" + password + ")";
    }
    if (state.equals("3D000")) {
      Matcher database = DATABASE_IN_URI.matcher(catalog.uri());
      return "; create it (CREATE DATABASE "
          + (database.find() ? database.group(1) : "...")
          + ") or fix the database name in catalog.uri";
    }
    if (state.startsWith("08") && waitedSeconds >= catalog.connectTimeoutSeconds()) {
      return "; nothing answered within "
          + catalog.connectTimeoutSeconds()
          + " s (catalog.connect-timeout-seconds): is a PostgreSQL server listening there?";
    }
    return "";
  }

  /**
   * The driver's message on one line, plus the root cause when the message alone says nothing, as
   * in "The connection attempt failed." for an unknown host.
   */
  private static String describe(SQLException e) {
    String message = e.getMessage() == null ? "" : SecretPatterns.maskText(e.getMessage().strip());
    message = message.replaceAll("\\s*\\R\\s*", " ");
    String root = LagoaException.rootMessage(e);
    if (message.isEmpty()) {
      return root;
    }
    Throwable cause = e.getCause();
    if (cause != null
        && cause != e
        && !message.contains(root)
        && !(cause instanceof java.net.ConnectException)) {
      return message.replaceAll("\\.$", "")
          + " ("
          + rootCause(e).getClass().getSimpleName()
          + ": "
          + root
          + ")";
    }
    return message;
  }

  private static Throwable rootCause(Throwable error) {
    Throwable root = error;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root;
  }

  /**
   * Creates a local folder Lagoa writes to, or says why it cannot: the folder, the cause (a file in
   * the way, permission denied) and where the setting came from. A folder Lagoa cannot write is a
   * configuration problem (exit 2), found before anything starts.
   */
  private static void createFolder(LagoaConfig config, Path folder, String what, ConfigKey setBy) {
    String problem = unusable(folder).orElse(null);
    if (problem == null) {
      try {
        Files.createDirectories(folder);
        if (!Files.isWritable(folder)) {
          problem = folder + " is not writable (permission denied)";
        }
      } catch (IOException e) {
        problem = unusable(folder).orElse(describe(e));
      }
    }
    if (problem != null) {
      String origin = config.origin(setBy);
      String location =
          origin.equals("the default")
              ? setBy.name() + " (the default, " + setBy.defaultValue() + ")"
              : origin;
      throw new ConfigException(
          location,
          "cannot use "
              + folder
              + " as "
              + what
              + ": "
              + problem
              + "; set "
              + setBy.name()
              + " to a folder you can write, or fix the permissions");
    }
  }

  /**
   * Why a folder cannot be created or written, judged from the nearest part of its path that
   * exists, or empty when nothing is in the way.
   */
  private static Optional<String> unusable(Path folder) {
    Path existing = folder.toAbsolutePath().normalize();
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing == null) {
      return Optional.empty();
    }
    if (!Files.isDirectory(existing)) {
      return Optional.of(existing + " is a file, not a folder");
    }
    if (!Files.isWritable(existing)) {
      return Optional.of(
          existing.equals(folder.toAbsolutePath().normalize())
              ? existing + " is not writable (permission denied)"
              : "cannot create folders in " + existing + " (permission denied)");
    }
    return Optional.empty();
  }

  private static String describe(IOException e) {
    if (e instanceof AccessDeniedException) {
      return "permission denied on " + e.getMessage();
    }
    if (e instanceof FileSystemException fs && fs.getReason() != null) {
      return fs.getFile() + ": " + fs.getReason().toLowerCase(Locale.ROOT);
    }
    return LagoaException.rootMessage(e);
  }
}
