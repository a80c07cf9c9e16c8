package io.lagoa.testing;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trino's server as {@link TestingTrino} runs it: {@code lib/} and the Iceberg plugin, unpacked
 * once from the {@code trino-server} tarball that Maven fetched into the local repository, and a
 * Java 24+ to run it. Uses only the JDK: Trino's jars never reach a Lagoa class path.
 *
 * <p>The unpacked server lives in {@code ~/.cache/lagoa/trino-server-<version>} (or under {@code
 * -Dlagoa.trino.cache}), shared by every build and worktree on the machine. It is unpacked into a
 * temporary folder beside it and renamed into place, under a file lock, so a folder of that name is
 * always complete and two test JVMs never unpack at once.
 */
final class TrinoDistribution {
  private static final Logger LOG = LoggerFactory.getLogger(TrinoDistribution.class);

  /** The version the build fetches (lagoa-testing/pom.xml's trino.version). */
  static final String DEFAULT_VERSION = "476";

  /** Set by the build (the trino-server profile of lagoa-testing/pom.xml) to the tarball's path. */
  static final String TARBALL_PROPERTY = "lagoa.trino.server.tarball";

  static final String CACHE_PROPERTY = "lagoa.trino.cache";
  static final String JAVA_PROPERTY = "lagoa.trino.java";
  static final String JAVA_ENVIRONMENT = "LAGOA_TRINO_JAVA";
  static final int MINIMUM_JAVA = 24;

  private static final Pattern TARBALL_NAME = Pattern.compile("trino-server-(.+)\\.tar\\.gz");
  private static final Pattern JAVA_VERSION =
      Pattern.compile("(?m)^JAVA_VERSION=\"?(1\\.)?(\\d+)[^\\n]*$");
  private static final Pattern JAVA_VERSION_OUTPUT = Pattern.compile("version \"(1\\.)?(\\d+)");

  private TrinoDistribution() {}

  /** An unpacked server: {@code lib/} (the server's class path) and {@code plugin/iceberg/}. */
  record Installation(Path home, String version) {
    Path lib() {
      return home.resolve("lib");
    }

    Path plugins() {
      return home.resolve("plugin");
    }
  }

  /** The unpacked server, unpacking the tarball first when no earlier run did. */
  static synchronized Installation install() {
    Path tarball = tarball();
    String version = version(tarball);
    Path cache = cacheRoot();
    Path home = cache.resolve("trino-server-" + version);
    Installation installation = new Installation(home, version);
    if (isComplete(installation)) {
      return installation;
    }
    if (!Files.isRegularFile(tarball)) {
      throw new IllegalStateException(
          "cannot start Trino "
              + version
              + ": its server tarball "
              + tarball
              + " is missing and "
              + home
              + " was never unpacked; run the tests through Maven"
              + " (./mvnw test -pl <module> -am fetches io.trino:trino-server:"
              + version
              + ":tar.gz) or set -D"
              + TARBALL_PROPERTY
              + " to the tarball");
    }
    try {
      Files.createDirectories(cache);
      try (FileChannel channel =
              FileChannel.open(
                  cache.resolve("trino-server-" + version + ".lock"),
                  StandardOpenOption.CREATE,
                  StandardOpenOption.WRITE);
          FileLock lock = channel.lock()) {
        if (isComplete(installation)) {
          return installation; // another JVM unpacked it while this one waited
        }
        long started = System.nanoTime();
        Path staging = Files.createTempDirectory(cache, "trino-server-" + version + ".unpacking-");
        try {
          unpack(tarball, staging);
          try {
            Files.move(staging, home, StandardCopyOption.ATOMIC_MOVE);
          } catch (AtomicMoveNotSupportedException | FileAlreadyExistsException e) {
            // a half folder left by a JVM killed before the lock existed: replace it
            TestingWarehouse.deleteRecursively(home);
            Files.move(staging, home, StandardCopyOption.ATOMIC_MOVE);
          }
        } finally {
          TestingWarehouse.deleteRecursively(staging);
        }
        LOG.info(
            "unpacked Trino {} to {} in {} ms",
            version,
            home,
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot unpack Trino " + version + " from " + tarball, e);
    }
    if (!isComplete(installation)) {
      throw new IllegalStateException(
          "cannot start Trino "
              + version
              + ": "
              + tarball
              + " holds no lib/ or plugin/iceberg/ (is it a trino-server tarball?)");
    }
    return installation;
  }

  private static boolean isComplete(Installation installation) {
    return Files.isDirectory(installation.lib())
        && Files.isDirectory(installation.plugins().resolve("iceberg"));
  }

  /** The tarball the build resolved, or where Maven's default local repository keeps it. */
  static Path tarball() {
    String configured = System.getProperty(TARBALL_PROPERTY);
    if (configured != null && !configured.isBlank() && !configured.startsWith("${")) {
      return Path.of(configured);
    }
    return Path.of(
        System.getProperty("user.home"),
        ".m2",
        "repository",
        "io",
        "trino",
        "trino-server",
        DEFAULT_VERSION,
        "trino-server-" + DEFAULT_VERSION + ".tar.gz");
  }

  private static String version(Path tarball) {
    Matcher matcher = TARBALL_NAME.matcher(tarball.getFileName().toString());
    if (!matcher.matches()) {
      throw new IllegalArgumentException(
          "cannot use " + tarball + " as Trino's server: expected a trino-server-<version>.tar.gz");
    }
    return matcher.group(1);
  }

  private static Path cacheRoot() {
    String configured = System.getProperty(CACHE_PROPERTY);
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured);
    }
    return Path.of(System.getProperty("user.home"), ".cache", "lagoa");
  }

  /** What the fixture needs of the tarball: the server's class path and the Iceberg plugin. */
  private static boolean wanted(String path) {
    return path.startsWith("lib/") || path.startsWith("plugin/iceberg/");
  }

  /**
   * Unpacks {@code lib/} and {@code plugin/iceberg/} of the tarball into the folder, without the
   * tarball's top folder. The plugin's jars are mostly hard links to files stored earlier in the
   * archive, in {@code lib/} or in other plugins: a first pass reads the headers to learn which
   * files those are, the second writes them too and links the plugin's names to them.
   */
  static void unpack(Path tarball, Path destination) throws IOException {
    Map<String, String> links = new LinkedHashMap<>();
    readTar(
        tarball,
        entry -> {
          if (entry.isHardLink() && wanted(entry.path())) {
            links.put(entry.path(), entry.linkTarget());
          }
          return null;
        });
    Set<String> targets = new HashSet<>(links.values());
    readTar(
        tarball,
        entry -> {
          if (entry.isFile() && (wanted(entry.path()) || targets.contains(entry.path()))) {
            return destination.resolve(entry.path());
          }
          return null;
        });
    for (Map.Entry<String, String> link : links.entrySet()) {
      Path name = destination.resolve(link.getKey());
      Path target = destination.resolve(link.getValue());
      if (!Files.isRegularFile(target)) {
        throw new IOException(
            "the archive links " + link.getKey() + " to " + link.getValue() + ", which it lacks");
      }
      Files.createDirectories(name.getParent());
      try {
        Files.createLink(name, target);
      } catch (UnsupportedOperationException | IOException e) {
        Files.copy(target, name, StandardCopyOption.REPLACE_EXISTING);
      }
    }
    // Files of other plugins were written only as link targets; the links keep their content.
    Path plugins = destination.resolve("plugin");
    if (Files.isDirectory(plugins)) {
      try (DirectoryStream<Path> folders = Files.newDirectoryStream(plugins)) {
        for (Path folder : folders) {
          if (!folder.getFileName().toString().equals("iceberg")) {
            TestingWarehouse.deleteRecursively(folder);
          }
        }
      }
    }
  }

  /** One entry of a tar archive, its path without the archive's top folder. */
  record TarEntry(String path, char type, String linkTarget, long size) {
    boolean isFile() {
      return type == '0' || type == '\0' || type == '7';
    }

    boolean isHardLink() {
      return type == '1';
    }
  }

  /** Says where to write a file entry's content, or null to skip it. */
  interface TarVisitor {
    Path visit(TarEntry entry) throws IOException;
  }

  /**
   * Reads a gzipped tar archive (ustar, with PAX and GNU long names) and hands every entry to the
   * visitor. Entries whose paths climb out of the archive ({@code ..}) are refused.
   */
  static void readTar(Path tarball, TarVisitor visitor) throws IOException {
    try (InputStream in =
        new GZIPInputStream(
            new BufferedInputStream(Files.newInputStream(tarball), 1 << 16), 1 << 16)) {
      byte[] header = new byte[512];
      Map<String, String> pax = new HashMap<>();
      String longName = null;
      String longLink = null;
      while (true) {
        int read = in.readNBytes(header, 0, header.length);
        if (read < header.length || isZero(header)) {
          return;
        }
        char type = (char) header[156];
        long size = pax.containsKey("size") ? Long.parseLong(pax.get("size")) : size(header);
        if (type == 'x' || type == 'g' || type == 'L' || type == 'K') {
          byte[] data = in.readNBytes(Math.toIntExact(size));
          in.skipNBytes(padding(size));
          switch (type) {
            case 'x' -> pax.putAll(paxRecords(data));
            case 'L' -> longName = cString(data, 0, data.length);
            case 'K' -> longLink = cString(data, 0, data.length);
            default -> {} // global PAX headers carry nothing the fixture needs
          }
          continue;
        }
        String name = pax.getOrDefault("path", longName != null ? longName : ustarName(header));
        String link =
            pax.getOrDefault("linkpath", longLink != null ? longLink : cString(header, 157, 100));
        pax.clear();
        longName = null;
        longLink = null;
        TarEntry entry = new TarEntry(withoutTopFolder(name), type, withoutTopFolder(link), size);
        Path destination = entry.path().isEmpty() ? null : visitor.visit(entry);
        if (destination != null && entry.isFile()) {
          Files.createDirectories(destination.getParent());
          try (OutputStream out = Files.newOutputStream(destination)) {
            copy(in, out, size);
          }
        } else {
          in.skipNBytes(size);
        }
        in.skipNBytes(padding(size));
      }
    }
  }

  private static void copy(InputStream in, OutputStream out, long size) throws IOException {
    byte[] buffer = new byte[1 << 16];
    long left = size;
    while (left > 0) {
      int read = in.read(buffer, 0, (int) Math.min(buffer.length, left));
      if (read < 0) {
        throw new IOException("the archive ends inside a file");
      }
      out.write(buffer, 0, read);
      left -= read;
    }
  }

  private static long padding(long size) {
    return (512 - size % 512) % 512;
  }

  private static boolean isZero(byte[] block) {
    for (byte b : block) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }

  /** The size field: octal digits, or base-256 when its first byte's high bit is set. */
  private static long size(byte[] header) {
    if ((header[124] & 0x80) != 0) {
      long value = header[124] & 0x7f;
      for (int i = 125; i < 136; i++) {
        value = (value << 8) | (header[i] & 0xff);
      }
      return value;
    }
    String octal = cString(header, 124, 12).trim();
    return octal.isEmpty() ? 0 : Long.parseLong(octal, 8);
  }

  private static String ustarName(byte[] header) {
    String name = cString(header, 0, 100);
    boolean ustar = cString(header, 257, 6).startsWith("ustar");
    String prefix = ustar ? cString(header, 345, 155) : "";
    return prefix.isEmpty() ? name : prefix + "/" + name;
  }

  private static String cString(byte[] bytes, int offset, int length) {
    int end = offset;
    while (end < offset + length && bytes[end] != 0) {
      end++;
    }
    return new String(bytes, offset, end - offset, StandardCharsets.UTF_8);
  }

  /** PAX records: {@code "<length> <key>=<value>\n"}, the length counting the whole record. */
  private static Map<String, String> paxRecords(byte[] data) {
    Map<String, String> records = new HashMap<>();
    int position = 0;
    while (position < data.length) {
      int space = position;
      while (space < data.length && data[space] != ' ') {
        space++;
      }
      if (space >= data.length) {
        break;
      }
      int length =
          Integer.parseInt(new String(data, position, space - position, StandardCharsets.UTF_8));
      String record =
          new String(data, space + 1, position + length - space - 2, StandardCharsets.UTF_8);
      int equals = record.indexOf('=');
      if (equals > 0) {
        records.put(record.substring(0, equals), record.substring(equals + 1));
      }
      position += length;
    }
    return records;
  }

  /** {@code trino-server-476/lib/x.jar} → {@code lib/x.jar}; refuses {@code ..} components. */
  private static String withoutTopFolder(String name) {
    if (name.isEmpty()) {
      return name;
    }
    for (String part : name.split("/")) {
      if (part.equals("..")) {
        throw new IllegalArgumentException(
            "cannot unpack " + name + ": it climbs out of the folder");
      }
    }
    int slash = name.indexOf('/');
    String path = slash < 0 ? "" : name.substring(slash + 1);
    return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }

  /**
   * A Java 24 or later to run Trino: the one named by {@code -Dlagoa.trino.java} or {@code
   * LAGOA_TRINO_JAVA} (a JDK folder or its {@code bin/java}), else this JVM if it is recent enough,
   * else {@code JAVA_HOME}, else the newest found in the usual JDK folders ({@code /usr/lib/jvm},
   * {@code /usr/java}, {@code /opt/java}, macOS's {@code /Library/Java/JavaVirtualMachines},
   * SDKMAN's and IntelliJ's). Returns the {@code java} executable.
   *
   * @throws IllegalStateException when the named Java is missing or older than 24
   */
  static Optional<Path> findJava24() {
    String named = System.getProperty(JAVA_PROPERTY);
    String source = "-D" + JAVA_PROPERTY;
    if (named == null || named.isBlank()) {
      named = System.getenv(JAVA_ENVIRONMENT);
      source = JAVA_ENVIRONMENT;
    }
    if (named != null && !named.isBlank()) {
      Path given = Path.of(named);
      Path java = Files.isRegularFile(given) ? given : executable(given);
      int feature = java == null ? -1 : featureVersion(java);
      if (feature < MINIMUM_JAVA) {
        throw new IllegalStateException(
            "cannot run Trino with "
                + source
                + "="
                + named
                + ": "
                + (java == null ? "no bin/java there" : "it is Java " + feature)
                + "; Trino needs Java "
                + MINIMUM_JAVA
                + " or later");
      }
      return Optional.of(java);
    }
    List<Path> homes = new ArrayList<>();
    homes.add(Path.of(System.getProperty("java.home")));
    String javaHome = System.getenv("JAVA_HOME");
    if (javaHome != null && !javaHome.isBlank()) {
      homes.add(Path.of(javaHome));
    }
    String userHome = System.getProperty("user.home");
    for (Path folder :
        List.of(
            Path.of("/usr/lib/jvm"),
            Path.of("/usr/java"),
            Path.of("/opt/java"),
            Path.of("/Library/Java/JavaVirtualMachines"),
            Path.of(userHome, ".sdkman", "candidates", "java"),
            Path.of(userHome, ".jdks"))) {
      if (!Files.isDirectory(folder)) {
        continue;
      }
      try (DirectoryStream<Path> children = Files.newDirectoryStream(folder)) {
        for (Path child : children) {
          homes.add(child);
          homes.add(child.resolve("Contents").resolve("Home")); // macOS bundles
        }
      } catch (IOException e) {
        // an unreadable folder holds no usable JDK
      }
    }
    Path best = null;
    int bestFeature = MINIMUM_JAVA - 1;
    for (Path home : homes) {
      Path java = executable(home);
      if (java == null) {
        continue;
      }
      int feature = featureVersion(java);
      if (feature > bestFeature) {
        best = java;
        bestFeature = feature;
      }
      if (home == homes.get(0) && feature >= MINIMUM_JAVA) {
        return Optional.of(java); // this JVM is recent enough
      }
    }
    return Optional.ofNullable(best);
  }

  private static Path executable(Path home) {
    Path java = home.resolve("bin").resolve("java");
    return Files.isRegularFile(java) && Files.isExecutable(java) ? java : null;
  }

  /** The feature version (25 for 25.0.3) from the JDK's release file, else from -version. */
  static int featureVersion(Path java) {
    Path home = java.toAbsolutePath().getParent().getParent();
    Path release = home.resolve("release");
    try {
      if (Files.isRegularFile(release)) {
        Matcher matcher = JAVA_VERSION.matcher(Files.readString(release, StandardCharsets.UTF_8));
        if (matcher.find()) {
          return Integer.parseInt(matcher.group(2));
        }
      }
      Process process =
          new ProcessBuilder(java.toString(), "-version").redirectErrorStream(true).start();
      process.getOutputStream().close();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return -1;
      }
      Matcher matcher = JAVA_VERSION_OUTPUT.matcher(output);
      return matcher.find() ? Integer.parseInt(matcher.group(2)) : -1;
    } catch (IOException | NumberFormatException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }
}
