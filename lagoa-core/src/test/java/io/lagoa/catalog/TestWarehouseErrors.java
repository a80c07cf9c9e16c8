package io.lagoa.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.lagoa.config.ConfigException;
import io.lagoa.config.ConfigLoader;
import io.lagoa.config.LagoaConfig;
import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A local warehouse Lagoa cannot write is a configuration error before anything starts: it names
 * the folder, why, and where the setting came from.
 */
class TestWarehouseErrors {
  @TempDir Path dir;

  private LagoaException prepareFails(Map<String, String> env) {
    LagoaConfig config = new ConfigLoader(env, dir).load(null);
    try {
      LagoaCatalogs.prepare(config);
    } catch (LagoaException e) {
      assertThat(e).isInstanceOf(ConfigException.class);
      assertThat(e.code()).isEqualTo(ErrorCode.CONFIG_INVALID);
      assertThat(e.code().exitCode()).isEqualTo(2);
      return e;
    }
    throw new AssertionError("expected the warehouse to be refused");
  }

  @Test
  void aWarehouseUnderARegularFileNamesTheFileAndTheLine() throws IOException {
    Files.writeString(dir.resolve("data"), "a file, not a folder");
    Files.writeString(dir.resolve("lagoa.yaml"), "warehouse: data/lake\n");

    assertThat(prepareFails(Map.of()))
        .hasMessage(
            "lagoa.yaml:1:12: cannot use "
                + dir.resolve("data/lake")
                + " as the warehouse: "
                + dir.resolve("data")
                + " is a file, not a folder; set warehouse to a folder you"
                + " can write, or fix the permissions");
    assertThat(dir.resolve("data")).isRegularFile();
  }

  @Test
  void fromTheEnvironmentItNamesTheVariable() throws IOException {
    Files.writeString(dir.resolve("data"), "a file, not a folder");

    assertThat(prepareFails(Map.of("LAGOA_WAREHOUSE", "data/lake")))
        .hasMessageStartingWith(
            "environment variable LAGOA_WAREHOUSE: cannot use " + dir.resolve("data/lake"))
        .hasMessageContaining(dir.resolve("data") + " is a file, not a folder");
  }

  @Test
  void aSqliteCatalogUnderARegularFileNamesCatalogUri() throws IOException {
    Files.writeString(dir.resolve("db"), "a file, not a folder");
    Files.writeString(dir.resolve("lagoa.yaml"), "catalog:\n  uri: jdbc:sqlite:db/catalog.db\n");

    assertThat(prepareFails(Map.of()))
        .hasMessageStartingWith(
            "lagoa.yaml:2:8: cannot use "
                + dir.resolve("db")
                + " as the sqlite catalog's folder: "
                + dir.resolve("db")
                + " is a file, not a folder; set catalog.uri");
  }

  @Test
  void aFolderWithoutWritePermissionSaysPermissionDenied() throws IOException {
    Path readOnly = Files.createDirectory(dir.resolve("read-only"));
    Files.writeString(dir.resolve("lagoa.yaml"), "warehouse: read-only/lake\n");
    Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("r-xr-xr-x"));
    try {
      // Permission bits do not stop root (as in CI containers): nothing to test there.
      assumeThat(Files.isWritable(readOnly)).as("running as root").isFalse();
      assertThat(prepareFails(Map.of()))
          .hasMessageStartingWith("lagoa.yaml:1:12: cannot use " + readOnly.resolve("lake"))
          .hasMessageContaining("cannot create folders in " + readOnly + " (permission denied)");

      Files.writeString(dir.resolve("lagoa.yaml"), "warehouse: read-only\n");
      assertThat(prepareFails(Map.of()))
          .hasMessageContaining(readOnly + " is not writable (permission denied)");
    } finally {
      Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
  }

  @Test
  void aWritableWarehouseIsCreated() throws IOException {
    Files.writeString(dir.resolve("lagoa.yaml"), "warehouse: new/lake\n");
    // A REST catalog: nothing but the folder to prepare.
    Map<String, String> env =
        Map.of("LAGOA_CATALOG_TYPE", "rest", "LAGOA_CATALOG_URI", "http://127.0.0.1:1");
    LagoaCatalogs.prepare(new ConfigLoader(env, dir).load(null));
    assertThat(dir.resolve("new/lake")).isDirectory();
  }
}
