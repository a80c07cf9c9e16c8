package io.lagoa.config;

import io.lagoa.text.EditDistance;
import io.lagoa.text.SecretPatterns;
import io.lagoa.text.Utf8Files;
import io.lagoa.text.YamlNodes;
import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads lagoa.yaml. Where from: {@code --config}, else {@code LAGOA_CONFIG}, else {@code
 * ./lagoa.yaml}, else built-in defaults. Every key can then be overridden by its environment
 * variable ({@link ConfigKey#envName()}); values may refer to the environment as {@code
 * ${env:NAME}}. Every error names the file, line and column, or the variable, it came from.
 *
 * <p>Relative paths (the warehouse, secret files) are resolved against the folder of the file that
 * set them, or against the current folder when they come from the environment or the default
 * applies without a file.
 */
public final class ConfigLoader {
  public static final String FILE_NAME = "lagoa.yaml";
  public static final String CONFIG_ENV = "LAGOA_CONFIG";

  /** {@code LAGOA_*} variables that are read elsewhere, not configuration keys. */
  private static final Set<String> OTHER_VARIABLES =
      Set.of(
          CONFIG_ENV,
          "LAGOA_JAVA_OPTS",
          "LAGOA_CDS",
          "LAGOA_HISTORY_FILE",
          "LAGOA_KAFKA_JAVA_OPTS");

  private static final Pattern ENV_REFERENCE =
      Pattern.compile("\\$\\{env:([A-Za-z_][A-Za-z0-9_]*)}");

  private final Map<String, String> env;
  private final Path workingDir;

  public ConfigLoader(Map<String, String> env, Path workingDir) {
    this.env = Map.copyOf(env);
    this.workingDir = workingDir.toAbsolutePath().normalize();
  }

  /** The loader for this process: its real environment and current folder. */
  public static ConfigLoader forProcess() {
    return new ConfigLoader(System.getenv(), Path.of(""));
  }

  /**
   * Loads the configuration; {@code explicitFile} is the file the caller named (the CLI's {@code
   * --config}), or null.
   *
   * @throws ExplicitConfigFileException when {@code explicitFile} cannot be read; its message does
   *     not say how the file was named, which the adapter adds
   */
  public LagoaConfig load(Path explicitFile) {
    return explain(explicitFile).config();
  }

  /** Loads the configuration and says where each value came from. */
  public EffectiveConfig explain(Path explicitFile) {
    Optional<Path> file = locate(explicitFile);
    RawConfig raw = new RawConfig();
    if (file.isPresent()) {
      readFile(file.get(), raw);
    }
    applyEnvironment(raw);
    Path baseDir = file.map(path -> path.toAbsolutePath().getParent()).orElse(workingDir);
    LagoaConfig config = build(file, baseDir, raw);
    return new EffectiveConfig(config, describe(raw, config), ignoredEnvironment());
  }

  private Optional<Path> locate(Path explicitFile) {
    if (explicitFile != null) {
      return Optional.of(requireReadable(explicitFile, null));
    }
    String fromEnv = env.get(CONFIG_ENV);
    if (fromEnv != null && !fromEnv.isBlank()) {
      return Optional.of(requireReadable(Path.of(fromEnv), CONFIG_ENV));
    }
    Path local = workingDir.resolve(FILE_NAME);
    return Files.isRegularFile(local) ? Optional.of(local) : Optional.empty();
  }

  /** {@code origin} is the environment variable that named the file, or null when explicit. */
  private Path requireReadable(Path file, String origin) {
    Path resolved = workingDir.resolve(file).normalize();
    if (!Files.exists(resolved)) {
      throw unreadable(
          origin,
          "config file not found: "
              + resolved
              + " (create it with 'lagoa init', or "
              + (origin == null ? "name" : "point " + origin + " at")
              + " an existing file)");
    }
    if (!Files.isRegularFile(resolved)) {
      throw unreadable(origin, "config file " + resolved + " is not a regular file");
    }
    if (!Files.isReadable(resolved)) {
      throw unreadable(origin, "config file " + resolved + " is not readable");
    }
    return resolved;
  }

  private static ConfigException unreadable(String origin, String problem) {
    return origin == null
        ? new ExplicitConfigFileException(problem)
        : new ConfigException(origin, problem);
  }

  /** How errors name a file: relative to the current folder when inside it, else absolute. */
  private String displayName(Path file) {
    Path absolute = file.toAbsolutePath().normalize();
    return absolute.startsWith(workingDir)
        ? workingDir.relativize(absolute).toString()
        : absolute.toString();
  }

  // ---- reading the file ----

  private void readFile(Path file, RawConfig raw) {
    String name = displayName(file);
    String text;
    try {
      text = Utf8Files.read(file);
    } catch (Utf8Files.NotUtf8Exception e) {
      throw new ConfigException(name + ":" + e.line() + ":" + e.column(), e.problem());
    } catch (IOException e) {
      throw new ConfigException(name, "cannot read config file: " + e.getMessage());
    }
    Node root;
    try {
      root = new Yaml(new LoaderOptions()).compose(new StringReader(text));
    } catch (MarkedYAMLException e) {
      Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      throw new ConfigException(where(name, mark), "invalid YAML: " + YamlNodes.problem(e));
    } catch (YAMLException e) {
      throw new ConfigException(name, "invalid YAML: " + e.getMessage());
    }
    if (root == null || YamlNodes.isNull(root)) {
      return; // an empty file means "all defaults"
    }
    if (!(root instanceof MappingNode mapping)) {
      throw new ConfigException(
          where(name, root.getStartMark()),
          "the top level must be a mapping of keys to values, not " + YamlNodes.describe(root));
    }
    readMapping(name, "", mapping, raw);
  }

  private void readMapping(String file, String prefix, MappingNode mapping, RawConfig raw) {
    for (NodeTuple tuple : mapping.getValue()) {
      Node keyNode = tuple.getKeyNode();
      if (!(keyNode instanceof ScalarNode scalarKey)) {
        throw new ConfigException(
            where(file, keyNode.getStartMark()),
            "keys must be plain names, not " + YamlNodes.describe(keyNode));
      }
      String path = prefix + scalarKey.getValue();
      String location = where(file, keyNode.getStartMark());
      Node value = tuple.getValueNode();
      ConfigKey key = ConfigKeys.byName(path);
      if (key != null && key.isMap()) {
        checkNotSeen(raw, path, location);
        raw.keyLocations.put(path, location);
        readStringMap(file, key, value, raw);
      } else if (key != null) {
        checkNotSeen(raw, path, location);
        raw.keyLocations.put(path, location);
        if (!(value instanceof ScalarNode scalar)) {
          throw new ConfigException(
              where(file, value.getStartMark()),
              "'"
                  + path
                  + "' must be a single value ("
                  + key.type().describe()
                  + "), not "
                  + YamlNodes.describe(value));
        }
        if (!isNull(scalar)) {
          Located located =
              new Located(scalar.getValue(), where(file, value.getStartMark()), false);
          checkType(key, located);
          raw.values.put(path, located);
        }
      } else if (isSection(path)) {
        if (value instanceof ScalarNode scalar && isNull(scalar)) {
          continue; // "spark:" with nothing under it
        }
        if (!(value instanceof MappingNode nested)) {
          throw new ConfigException(
              where(file, value.getStartMark()),
              "'" + path + "' must be a section of keys, not " + YamlNodes.describe(value));
        }
        readMapping(file, path + ".", nested, raw);
      } else {
        throw new ConfigException(location, "unknown key '" + path + "'" + suggestion(path));
      }
    }
  }

  /**
   * A bad value in the file is an error even when an environment variable overrides it, so the file
   * does not break on the next machine. Values that refer to the environment are checked once they
   * are filled in.
   */
  private static void checkType(ConfigKey key, Located located) {
    if (ENV_REFERENCE.matcher(located.value()).find()) {
      return;
    }
    try {
      key.type().normalize(located.value());
    } catch (IllegalArgumentException e) {
      throw new ConfigException(located.location(), key.name() + ": " + e.getMessage());
    }
  }

  /** A key may appear once, whether written nested (spark: master:) or dotted (spark.master:). */
  private static void checkNotSeen(RawConfig raw, String path, String location) {
    String first = raw.keyLocations.get(path);
    if (first != null) {
      throw new ConfigException(
          location, "duplicate key '" + path + "' (first set at " + first + "); keep one of them");
    }
  }

  private void readStringMap(String file, ConfigKey key, Node value, RawConfig raw) {
    if (value instanceof ScalarNode scalar && isNull(scalar)) {
      return;
    }
    if (!(value instanceof MappingNode mapping)) {
      throw new ConfigException(
          where(file, value.getStartMark()),
          "'"
              + key.name()
              + "' must be a mapping of keys to values, not "
              + YamlNodes.describe(value));
    }
    Map<String, Located> entries = raw.maps.computeIfAbsent(key.name(), k -> new LinkedHashMap<>());
    for (NodeTuple tuple : mapping.getValue()) {
      if (!(tuple.getKeyNode() instanceof ScalarNode entryKey)
          || !(tuple.getValueNode() instanceof ScalarNode entryValue)) {
        Node wrong =
            tuple.getKeyNode() instanceof ScalarNode ? tuple.getValueNode() : tuple.getKeyNode();
        throw new ConfigException(
            where(file, wrong.getStartMark()),
            "entries under '"
                + key.name()
                + "' must be 'name: value' pairs of single values,"
                + " not "
                + YamlNodes.describe(wrong));
      }
      String entryLocation = where(file, entryKey.getStartMark());
      Located previous = entries.get(entryKey.getValue());
      if (previous != null) {
        throw new ConfigException(
            entryLocation,
            "duplicate key '"
                + entryKey.getValue()
                + "' under '"
                + key.name()
                + "' (first set at "
                + previous.location()
                + "); keep one of them");
      }
      if (isNull(entryValue)) {
        throw new ConfigException(
            entryLocation,
            "'" + entryKey.getValue() + "' under '" + key.name() + "' needs a value");
      }
      entries.put(
          entryKey.getValue(),
          new Located(entryValue.getValue(), where(file, entryValue.getStartMark()), false));
    }
  }

  private static boolean isNull(ScalarNode node) {
    return node.getTag().equals(Tag.NULL);
  }

  private static boolean isSection(String path) {
    return ConfigKeys.all().stream().anyMatch(key -> key.name().startsWith(path + "."));
  }

  private static String suggestion(String unknown) {
    return closest(unknown, ConfigKeys.all().stream().map(ConfigKey::name).toList())
        .map(best -> " (did you mean '" + best + "'?)")
        .orElse(" (known keys: " + String.join(", ", knownTopLevel(unknown)) + ")");
  }

  private static Optional<String> closest(String unknown, List<String> known) {
    return EditDistance.closest(unknown, known);
  }

  private static Set<String> knownTopLevel(String unknown) {
    int dot = unknown.lastIndexOf('.');
    String section = dot < 0 ? "" : unknown.substring(0, dot + 1);
    Set<String> names = new TreeSet<>();
    for (ConfigKey key : ConfigKeys.all()) {
      if (key.name().startsWith(section)) {
        String rest = key.name().substring(section.length());
        int next = rest.indexOf('.');
        names.add(section + (next < 0 ? rest : rest.substring(0, next)));
      }
    }
    return names;
  }

  private static String where(String file, Mark mark) {
    return mark == null ? file : file + ":" + (mark.getLine() + 1) + ":" + (mark.getColumn() + 1);
  }

  // ---- environment ----

  private void applyEnvironment(RawConfig raw) {
    for (ConfigKey key : ConfigKeys.all()) {
      String value = env.get(key.envName());
      if (value == null || key.isMap()) {
        continue;
      }
      raw.values.put(key.name(), new Located(value, "environment variable " + key.envName(), true));
    }
  }

  private List<String> ignoredEnvironment() {
    List<String> known = new ArrayList<>();
    for (ConfigKey key : ConfigKeys.all()) {
      if (!key.isMap()) {
        known.add(key.envName());
      }
    }
    List<String> ignored = new ArrayList<>();
    for (String name : new TreeSet<>(env.keySet())) {
      if (name.startsWith("LAGOA_") && !known.contains(name) && !OTHER_VARIABLES.contains(name)) {
        // Only near misses: other tools' LAGOA_* variables (the launcher's, say) are not typos.
        closest(name, known).ifPresent(best -> ignored.add(name + " (did you mean " + best + "?)"));
      }
    }
    return ignored;
  }

  // ---- typed configuration ----

  private LagoaConfig build(Optional<Path> file, Path baseDir, RawConfig raw) {
    String warehouseText = raw.value(ConfigKeys.WAREHOUSE, this);
    Located warehouseAt = raw.located(ConfigKeys.WAREHOUSE);
    if (warehouseText.isBlank()) {
      // An empty path would resolve to the config file's own folder and fill it with tables.
      throw new ConfigException(
          warehouseAt.location(),
          "warehouse is empty; name a folder (relative to "
              + (warehouseAt.fromEnvironment() ? "the current folder" : "this file")
              + ") or s3://bucket/prefix, or "
              + (warehouseAt.fromEnvironment() ? "unset the variable" : "leave the key out")
              + " for the default, "
              + ConfigKeys.WAREHOUSE.defaultValue());
    }
    Optional<Path> localWarehouse = Optional.empty();
    String warehouse;
    if (hasScheme(warehouseText) && !warehouseText.startsWith("file:")) {
      warehouse = warehouseText.replaceAll("/+$", "");
    } else {
      String pathText =
          warehouseText.startsWith("file:") ? warehouseText.substring(5) : warehouseText;
      Path path = baseFor(warehouseAt, baseDir).resolve(pathText).toAbsolutePath().normalize();
      if (Files.exists(path) && !Files.isDirectory(path)) {
        throw new ConfigException(
            warehouseAt == null ? "warehouse" : warehouseAt.location(),
            "warehouse must be a folder, but " + path + " is a file");
      }
      localWarehouse = Optional.of(path);
      warehouse = path.toUri().toString().replaceAll("/+$", "");
    }

    StorageConfig storage = storage(raw, warehouse, baseDir);

    CatalogType type = CatalogType.fromName(raw.value(ConfigKeys.CATALOG_TYPE, this));
    String uri = raw.value(ConfigKeys.CATALOG_URI, this);
    String uriLocation =
        raw.located(ConfigKeys.CATALOG_URI) == null
            ? "catalog.uri"
            : raw.located(ConfigKeys.CATALOG_URI).location();
    switch (type) {
      case SQLITE -> {
        if (uri == null) {
          if (localWarehouse.isEmpty()) {
            throw new ConfigException(
                "catalog.uri",
                "the sqlite catalog is a file on local disk, so with the warehouse on "
                    + warehouse
                    + " ("
                    + (warehouseAt == null ? "warehouse" : warehouseAt.location())
                    + ")"
                    + " catalog.uri must name one, e.g. jdbc:sqlite:/var/lib/lagoa/catalog.db"
                    + " (this machine only); or set catalog.type: postgres to share the catalog");
          }
          uri = "jdbc:sqlite:" + localWarehouse.get().resolve("catalog.db");
        } else if (!uri.startsWith("jdbc:sqlite:")) {
          throw new ConfigException(
              uriLocation,
              "a sqlite catalog.uri must start with jdbc:sqlite: but is '" + uri + "'");
        } else {
          uri = resolveSqlite(uri, baseFor(raw.located(ConfigKeys.CATALOG_URI), baseDir));
        }
      }
      case POSTGRES -> {
        if (uri == null) {
          throw missingUri(raw, type, "jdbc:postgresql://localhost:5432/lagoa");
        }
        if (!uri.startsWith("jdbc:postgresql:")) {
          throw new ConfigException(
              uriLocation,
              "a postgres catalog.uri must start with jdbc:postgresql: but is '"
                  + CatalogConfig.redact(uri)
                  + "'");
        }
      }
      case REST -> {
        if (uri == null) {
          throw missingUri(raw, type, "http://localhost:8181");
        }
        if (!uri.startsWith("http://") && !uri.startsWith("https://")) {
          throw new ConfigException(
              uriLocation,
              "a rest catalog.uri must be an http:// or https:// URL but is '"
                  + CatalogConfig.redact(uri)
                  + "'");
        }
      }
    }

    Map<String, String> catalogProperties = raw.map(ConfigKeys.CATALOG_PROPERTIES, this);
    CatalogConfig catalog =
        new CatalogConfig(
            type,
            uri,
            Optional.ofNullable(raw.value(ConfigKeys.CATALOG_USER, this)),
            secret(raw, ConfigKeys.CATALOG_PASSWORD, baseDir),
            secret(raw, ConfigKeys.CATALOG_TOKEN, baseDir),
            secret(raw, ConfigKeys.CATALOG_CREDENTIAL, baseDir),
            Integer.parseInt(raw.value(ConfigKeys.CATALOG_CONNECT_TIMEOUT, this)),
            catalogProperties);

    String partitions = raw.value(ConfigKeys.SPARK_SHUFFLE_PARTITIONS, this);
    String offHeap = raw.value(ConfigKeys.SPARK_OFF_HEAP_MB, this);
    SparkSettings spark =
        new SparkSettings(
            raw.value(ConfigKeys.SPARK_MASTER, this),
            partitions.equals("auto")
                ? Runtime.getRuntime().availableProcessors()
                : Integer.parseInt(partitions),
            Accelerator.fromName(raw.value(ConfigKeys.SPARK_ACCELERATOR, this)),
            offHeap.equals("auto")
                ? SparkSettings.autoOffHeapMb(Runtime.getRuntime().maxMemory())
                : Long.parseLong(offHeap),
            Boolean.parseBoolean(raw.value(ConfigKeys.SPARK_DUCKDB_READS, this)),
            raw.map(ConfigKeys.SPARK_CONF, this));
    Map<String, String> origins = new LinkedHashMap<>();
    raw.values.forEach((name, located) -> origins.put(name, located.location()));
    LineageConfig lineage = lineage(raw, baseDir);
    ServerConfig server = server(raw, baseDir);
    return new LagoaConfig(
        file, warehouse, localWarehouse, storage, catalog, spark, lineage, server, origins);
  }

  // ---- server ----

  private ServerConfig server(RawConfig raw, Path baseDir) {
    Optional<String> keystore = nonBlank(raw, ConfigKeys.SERVER_TLS_KEYSTORE);
    Optional<String> certificate = nonBlank(raw, ConfigKeys.SERVER_TLS_CERTIFICATE);
    Optional<String> privateKey = nonBlank(raw, ConfigKeys.SERVER_TLS_PRIVATE_KEY);
    Optional<ServerConfig.Tls> tls = Optional.empty();
    if (keystore.isPresent()) {
      if (certificate.isPresent() || privateKey.isPresent()) {
        throw new ConfigException(
            locationOf(raw, ConfigKeys.SERVER_TLS_KEYSTORE),
            "set either server.tls.keystore or server.tls.certificate with"
                + " server.tls.private-key, not both");
      }
      tls =
          Optional.of(
              new ServerConfig.Tls.Keystore(
                  existingFile(raw, ConfigKeys.SERVER_TLS_KEYSTORE, keystore.get(), baseDir),
                  secret(raw, ConfigKeys.SERVER_TLS_KEYSTORE_PASSWORD, baseDir)));
    } else if (certificate.isPresent() != privateKey.isPresent()) {
      ConfigKey set =
          certificate.isPresent()
              ? ConfigKeys.SERVER_TLS_CERTIFICATE
              : ConfigKeys.SERVER_TLS_PRIVATE_KEY;
      throw new ConfigException(
          locationOf(raw, set),
          "server.tls.certificate and server.tls.private-key go together, but only "
              + set.name()
              + " is set");
    } else if (certificate.isPresent()) {
      tls =
          Optional.of(
              new ServerConfig.Tls.Pem(
                  existingFile(raw, ConfigKeys.SERVER_TLS_CERTIFICATE, certificate.get(), baseDir),
                  existingFile(raw, ConfigKeys.SERVER_TLS_PRIVATE_KEY, privateKey.get(), baseDir)));
    }
    return new ServerConfig(
        raw.value(ConfigKeys.SERVER_HOST, this).strip(),
        Integer.parseInt(raw.value(ConfigKeys.SERVER_PORT, this)),
        Long.parseLong(raw.value(ConfigKeys.SERVER_MAX_BODY_BYTES, this)),
        Duration.ofSeconds(
            Long.parseLong(raw.value(ConfigKeys.SERVER_SHUTDOWN_GRACE_SECONDS, this))),
        nonBlank(raw, ConfigKeys.SERVER_AUTH_ANONYMOUS_ROLE).map(String::strip),
        Duration.ofSeconds(Long.parseLong(raw.value(ConfigKeys.SERVER_AUTH_TOKEN_LIFETIME, this))),
        tls);
  }

  /** A file named by {@code key}, relative to where the key was set; it must exist. */
  private Path existingFile(RawConfig raw, ConfigKey key, String text, Path baseDir) {
    Path path = baseFor(raw.located(key), baseDir).resolve(text).toAbsolutePath().normalize();
    if (!Files.isRegularFile(path)) {
      throw new ConfigException(
          locationOf(raw, key), key.name() + " names " + path + ", which is not a file");
    }
    return path;
  }

  // ---- lineage ----

  /** The lineage keys; the transport decides which of file and url must be set. */
  private LineageConfig lineage(RawConfig raw, Path baseDir) {
    LineageConfig.Transport transport =
        LineageConfig.Transport.fromName(raw.value(ConfigKeys.LINEAGE_TRANSPORT, this));
    Optional<Path> file = Optional.empty();
    Optional<URI> url = Optional.empty();
    Optional<String> fileText = nonBlank(raw, ConfigKeys.LINEAGE_FILE);
    Optional<String> urlText = nonBlank(raw, ConfigKeys.LINEAGE_URL);
    if (transport == LineageConfig.Transport.FILE) {
      if (fileText.isEmpty()) {
        throw new ConfigException(
            locationOf(raw, ConfigKeys.LINEAGE_TRANSPORT),
            "lineage.transport is file, so lineage.file must name the file events are appended"
                + " to, e.g. file: ./lineage/events.jsonl");
      }
      Path path =
          baseFor(raw.located(ConfigKeys.LINEAGE_FILE), baseDir)
              .resolve(fileText.get())
              .toAbsolutePath()
              .normalize();
      if (Files.isDirectory(path)) {
        throw new ConfigException(
            locationOf(raw, ConfigKeys.LINEAGE_FILE),
            "lineage.file must be a file, but " + path + " is a folder");
      }
      file = Optional.of(path);
    }
    if (urlText.isPresent()) {
      url = Optional.of(lineageEndpoint(urlText.get(), locationOf(raw, ConfigKeys.LINEAGE_URL)));
    }
    if (transport == LineageConfig.Transport.HTTP && url.isEmpty()) {
      throw new ConfigException(
          locationOf(raw, ConfigKeys.LINEAGE_TRANSPORT),
          "lineage.transport is http, so lineage.url must be set too, e.g."
              + " url: http://localhost:5000 for Marquez");
    }
    if (transport != LineageConfig.Transport.HTTP) {
      url = Optional.empty();
    }
    Optional<Secret> apiKey =
        secret(raw, ConfigKeys.LINEAGE_API_KEY, baseDir).filter(key -> !key.value().isBlank());
    String namespace = raw.value(ConfigKeys.LINEAGE_NAMESPACE, this).strip();
    if (namespace.isEmpty()) {
      throw new ConfigException(
          locationOf(raw, ConfigKeys.LINEAGE_NAMESPACE),
          "lineage.namespace must not be empty; leave it out for the default, lagoa");
    }
    return new LineageConfig(
        transport,
        file,
        url,
        apiKey,
        namespace,
        Duration.ofSeconds(Integer.parseInt(raw.value(ConfigKeys.LINEAGE_TIMEOUT, this))));
  }

  /**
   * Like OpenLineage's own HTTP transport: a URL without a path gets {@code /api/v1/lineage}, a URL
   * with a path is the endpoint itself.
   */
  private static URI lineageEndpoint(String text, String location) {
    String problem = null;
    URI uri = null;
    try {
      uri = new URI(text);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https")) {
        problem = "it is not an http:// or https:// URL";
      } else if (uri.getHost() == null) {
        problem = "it names no host";
      }
    } catch (URISyntaxException e) {
      problem = e.getReason() + " at index " + e.getIndex();
    }
    if (problem != null) {
      throw new ConfigException(
          location,
          "lineage.url must be an http:// or https:// URL such as http://localhost:5000, but is '"
              + text
              + "': "
              + problem);
    }
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    if (path.isEmpty() || path.equals("/")) {
      return uri.resolve(LineageConfig.DEFAULT_ENDPOINT);
    }
    return uri;
  }

  /** Names where catalog.type was set, since that asks for a URI, and both ways to set one. */
  private static ConfigException missingUri(RawConfig raw, CatalogType type, String example) {
    Located typeAt = raw.located(ConfigKeys.CATALOG_TYPE);
    return new ConfigException(
        typeAt == null ? ConfigKeys.CATALOG_TYPE.name() : typeAt.location(),
        "catalog.type is "
            + type.configName()
            + ", so catalog.uri must be set too: add it under"
            + " catalog: in "
            + FILE_NAME
            + " or set "
            + ConfigKeys.CATALOG_URI.envName()
            + ", e.g. "
            + example);
  }

  /**
   * SQLite would open a relative database path against whatever the current folder is; resolve it
   * like every other path, so the same file is used wherever lagoa runs from.
   */
  private static String resolveSqlite(String uri, Path base) {
    String rest = uri.substring("jdbc:sqlite:".length());
    int query = rest.indexOf('?');
    String path = query < 0 ? rest : rest.substring(0, query);
    if (path.isEmpty()
        || path.startsWith(":")
        || path.startsWith("file:")
        || Path.of(path).isAbsolute()) {
      return uri;
    }
    return "jdbc:sqlite:"
        + base.resolve(path).normalize()
        + (query < 0 ? "" : rest.substring(query));
  }

  /** Paths from the environment are relative to the current folder, from a file to its folder. */
  private Path baseFor(Located located, Path fileBaseDir) {
    return located != null && located.fromEnvironment() ? workingDir : fileBaseDir;
  }

  // ---- object storage ----

  private static final Pattern S3_LOCATION = Pattern.compile("^(?i:s3a?)://([^/]*)(/.*)?$");

  /**
   * The storage.s3 keys: how to reach an S3 warehouse, and the s3:// folders pipelines read
   * (landing folders), which may be on S3 while the warehouse is a local folder. They are checked
   * the same way in both cases.
   */
  private StorageConfig storage(RawConfig raw, String warehouse, Path baseDir) {
    Matcher s3Location = S3_LOCATION.matcher(warehouse);
    boolean s3Warehouse = s3Location.matches();
    if (s3Warehouse && s3Location.group(1).isEmpty()) {
      throw new ConfigException(
          locationOf(raw, ConfigKeys.WAREHOUSE),
          "warehouse '" + warehouse + "' names no bucket; write it as s3://bucket/prefix");
    }
    if (!s3Warehouse && !anyS3KeySet(raw)) {
      return StorageConfig.local();
    }

    Optional<String> endpoint =
        nonBlank(raw, ConfigKeys.STORAGE_S3_ENDPOINT).map(url -> url.replaceAll("/+$", ""));
    if (endpoint.isPresent() && !endpoint.get().matches("(?i)^https?://[^/\\s]+(/\\S*)?$")) {
      throw new ConfigException(
          locationOf(raw, ConfigKeys.STORAGE_S3_ENDPOINT),
          "storage.s3.endpoint must be an http:// or https:// URL such as http://localhost:9000,"
              + " but is '"
              + endpoint.get()
              + "'");
    }
    Optional<String> region = nonBlank(raw, ConfigKeys.STORAGE_S3_REGION);
    if (region.isEmpty() && endpoint.isPresent()) {
      // S3-compatible stores sign with a region too; most accept the AWS default.
      String fromEnv = env.get("AWS_REGION");
      region =
          Optional.of(
              fromEnv == null || fromEnv.isBlank() ? S3Config.DEFAULT_COMPATIBLE_REGION : fromEnv);
    }
    boolean pathStyle =
        nonBlank(raw, ConfigKeys.STORAGE_S3_PATH_STYLE_ACCESS)
            .map(Boolean::parseBoolean)
            .orElse(endpoint.isPresent());

    Optional<String> accessKeyId = nonBlank(raw, ConfigKeys.STORAGE_S3_ACCESS_KEY_ID);
    Optional<Secret> secretAccessKey =
        secret(raw, ConfigKeys.STORAGE_S3_SECRET_ACCESS_KEY, baseDir)
            .filter(secret -> !secret.value().isBlank());
    Optional<Secret> sessionToken =
        secret(raw, ConfigKeys.STORAGE_S3_SESSION_TOKEN, baseDir)
            .filter(secret -> !secret.value().isBlank());
    if (accessKeyId.isPresent() != secretAccessKey.isPresent()) {
      ConfigKey given =
          accessKeyId.isPresent()
              ? ConfigKeys.STORAGE_S3_ACCESS_KEY_ID
              : ConfigKeys.STORAGE_S3_SECRET_ACCESS_KEY;
      throw new ConfigException(
          locationOf(raw, given),
          "storage.s3.access-key-id and storage.s3.secret-access-key go together, but only "
              + given.name()
              + " is set; set both, or neither to use the AWS default credentials");
    }
    if (sessionToken.isPresent() && accessKeyId.isEmpty()) {
      throw new ConfigException(
          locationOf(raw, ConfigKeys.STORAGE_S3_SESSION_TOKEN),
          "storage.s3.session-token needs storage.s3.access-key-id and"
              + " storage.s3.secret-access-key (the temporary credentials it belongs to)");
    }
    return new StorageConfig(
        Optional.of(
            new S3Config(endpoint, region, pathStyle, accessKeyId, secretAccessKey, sessionToken)));
  }

  private static boolean anyS3KeySet(RawConfig raw) {
    for (ConfigKey key : ConfigKeys.all()) {
      Located located = raw.located(key);
      if (key.name().startsWith("storage.s3.") && located != null && !located.value().isBlank()) {
        return true;
      }
    }
    return false;
  }

  private Optional<String> nonBlank(RawConfig raw, ConfigKey key) {
    return Optional.ofNullable(raw.value(key, this)).map(String::strip).filter(v -> !v.isEmpty());
  }

  /** Where a key was set, or its own name when it was not (or only its -file companion was). */
  private static String locationOf(RawConfig raw, ConfigKey key) {
    Located located = raw.located(key);
    if (located == null && key.secret()) {
      located = raw.located(ConfigKeys.byName(ConfigKeys.fileKeyOf(key)));
    }
    return located == null ? key.name() : located.location();
  }

  private Optional<Secret> secret(RawConfig raw, ConfigKey key, Path baseDir) {
    ConfigKey fileKey = ConfigKeys.byName(ConfigKeys.fileKeyOf(key));
    String inline = raw.value(key, this);
    String fileName = raw.value(fileKey, this);
    Located fileAt = raw.located(fileKey);
    if (inline != null && fileName != null) {
      throw new ConfigException(
          fileAt.location(),
          "set either "
              + key.name()
              + " (set at "
              + raw.located(key).location()
              + ") or "
              + fileKey.name()
              + ", not both");
    }
    if (fileName == null) {
      return Optional.ofNullable(inline).map(Secret::new);
    }
    Path secretFile = baseFor(fileAt, baseDir).resolve(fileName).normalize();
    String problem;
    try {
      String value = Files.readString(secretFile, StandardCharsets.UTF_8).strip();
      if (!value.isEmpty()) {
        return Optional.of(new Secret(value));
      }
      problem = secretFile + " is empty";
    } catch (NoSuchFileException e) {
      problem = secretFile + " does not exist";
    } catch (AccessDeniedException e) {
      problem = secretFile + " is not readable (permission denied)";
    } catch (IOException e) {
      problem =
          Files.isDirectory(secretFile)
              ? secretFile + " is a folder, not a file"
              : secretFile + ": " + e.getClass().getSimpleName();
    }
    throw new ConfigException(fileAt.location(), "cannot read " + fileKey.name() + ": " + problem);
  }

  private static boolean hasScheme(String location) {
    return location.matches("^[A-Za-z][A-Za-z0-9+.-]*:.*") && !location.matches("^[A-Za-z]:\\\\.*");
  }

  /** Replaces {@code ${env:NAME}} with the variable's value; an unset variable is an error. */
  String interpolate(Located located) {
    Matcher matcher = ENV_REFERENCE.matcher(located.value());
    StringBuilder result = new StringBuilder();
    while (matcher.find()) {
      String value = env.get(matcher.group(1));
      if (value == null) {
        throw new ConfigException(
            located.location(),
            "environment variable "
                + matcher.group(1)
                + " is not set (it is used as ${env:"
                + matcher.group(1)
                + "}); set it, or write the value here");
      }
      matcher.appendReplacement(result, Matcher.quoteReplacement(value));
    }
    matcher.appendTail(result);
    return result.toString();
  }

  // ---- where each value came from ----

  private List<ConfigValue> describe(RawConfig raw, LagoaConfig config) {
    List<ConfigValue> values = new ArrayList<>();
    for (ConfigKey key : displayOrder()) {
      if (key.isMap()) {
        Map<String, Located> entries = raw.maps.getOrDefault(key.name(), Map.of());
        if (entries.isEmpty()) {
          values.add(new ConfigValue(key.name(), null, "default"));
        }
        for (Map.Entry<String, Located> entry : entries.entrySet()) {
          // jdbc.password under catalog.properties, fs.s3a.secret.key under spark.conf...
          values.add(
              new ConfigValue(
                  key.name() + "[" + entry.getKey() + "]",
                  SecretPatterns.maskValue(entry.getKey(), interpolate(entry.getValue())),
                  origin(entry.getValue())));
        }
        continue;
      }
      Located located = raw.located(key);
      String origin = located == null ? "default" : origin(located);
      String value = raw.value(key, this);
      if (key.secret() && value == null) {
        Located fileAt = raw.located(ConfigKeys.byName(ConfigKeys.fileKeyOf(key)));
        if (fileAt != null) {
          value = "";
          origin = "read from " + ConfigKeys.fileKeyOf(key);
        }
      }
      if (key.secret() && value != null) {
        value = new Secret(value).toString();
      } else if (key == ConfigKeys.WAREHOUSE) {
        value = SecretPatterns.maskText(config.warehouse());
      } else if (key == ConfigKeys.CATALOG_URI) {
        value = config.catalog().displayUri(); // a password written into the URL stays hidden
        if (located == null) {
          origin = "default (catalog.db in the warehouse)";
        }
      } else if (key == ConfigKeys.SPARK_SHUFFLE_PARTITIONS && "auto".equals(value)) {
        value = "auto (" + config.spark().shufflePartitions() + ", the number of cores)";
      } else if (key == ConfigKeys.SPARK_OFF_HEAP_MB && "auto".equals(value)) {
        value = "auto (" + config.spark().offHeapMb() + ", half the heap)";
      } else {
        value =
            SecretPatterns.maskText(value); // an api_key in lineage.url, user:password@ anywhere
      }
      values.add(new ConfigValue(key.name(), value, origin));
    }
    return values;
  }

  /** Declaration order, with each secret's {@code -file} key right after the secret. */
  static List<ConfigKey> displayOrder() {
    List<ConfigKey> ordered = new ArrayList<>();
    for (ConfigKey key : ConfigKeys.all()) {
      if (ordered.contains(key)) {
        continue;
      }
      ordered.add(key);
      if (key.secret()) {
        ConfigKey fileKey = ConfigKeys.byName(ConfigKeys.fileKeyOf(key));
        if (fileKey != null) {
          ordered.add(fileKey);
        }
      }
    }
    return ordered;
  }

  private String origin(Located located) {
    Matcher matcher = ENV_REFERENCE.matcher(located.value());
    List<String> references = new ArrayList<>();
    while (matcher.find()) {
      references.add(matcher.group());
    }
    return references.isEmpty()
        ? located.location()
        : located.location() + " via " + String.join(", ", references);
  }

  /**
   * A raw value and where it was written.
   *
   * @param fromEnvironment set by a {@code LAGOA_*} variable rather than a file
   */
  record Located(String value, String location, boolean fromEnvironment) {}

  /** Text values by key, before types are checked. */
  private static final class RawConfig {
    final Map<String, Located> values = new LinkedHashMap<>();
    final Map<String, Map<String, Located>> maps = new LinkedHashMap<>();

    /** Where the file named each key, to catch duplicates across nested and dotted forms. */
    final Map<String, String> keyLocations = new LinkedHashMap<>();

    Located located(ConfigKey key) {
      return values.get(key.name());
    }

    /** The checked value, the default when unset, or null when it has no default. */
    String value(ConfigKey key, ConfigLoader loader) {
      Located located = values.get(key.name());
      if (located == null) {
        return key.defaultValue() == null ? null : key.type().normalize(key.defaultValue());
      }
      String text = loader.interpolate(located);
      try {
        return key.type().normalize(text);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(located.location(), key.name() + ": " + e.getMessage());
      }
    }

    Map<String, String> map(ConfigKey key, ConfigLoader loader) {
      Map<String, String> result = new LinkedHashMap<>();
      for (Map.Entry<String, Located> entry : maps.getOrDefault(key.name(), Map.of()).entrySet()) {
        result.put(entry.getKey(), loader.interpolate(entry.getValue()));
      }
      return result;
    }
  }
}
