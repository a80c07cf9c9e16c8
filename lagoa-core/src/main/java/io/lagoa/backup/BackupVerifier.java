package io.lagoa.backup;

import io.lagoa.error.LagoaException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.BaseTable;
import org.apache.iceberg.StaticTableOperations;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.InputFile;

/**
 * Checks a backup the way a restore will need it: every file is there with its size and checksum,
 * and every table opens from the backup's own copies (its metadata, manifests, data and delete
 * files) and reads to the end through Iceberg.
 */
public final class BackupVerifier {
  private final BackupLocation location;

  public BackupVerifier(BackupLocation location) {
    this.location = location;
  }

  public VerifyReport verify(BackupManifest manifest, BackupListener listener) {
    List<String> problems = new ArrayList<>();
    List<VerifyReport.TableCheck> checks = new ArrayList<>();
    long files = 0;
    long bytes = 0;
    int index = 0;
    for (BackedUpTable table : manifest.tables()) {
      listener.table(table.name(), ++index, manifest.tables().size());
      boolean damaged = false;
      for (BackedUpFile file : table.files()) {
        String copy = location.copyOf(file.path());
        files++;
        InputFile input = location.io().newInputFile(copy);
        try {
          if (!input.exists()) {
            problems.add(table.name() + ": " + copy + " is missing (copy of " + file.path() + ")");
            damaged = true;
            continue;
          }
          FileCopier.Copied found = FileCopier.checksum(input);
          bytes += found.size();
          listener.file(copy, found.size());
          if (found.size() != file.size()) {
            problems.add(
                table.name()
                    + ": "
                    + copy
                    + " is "
                    + found.size()
                    + " bytes, the manifest says "
                    + file.size()
                    + " (copy of "
                    + file.path()
                    + ")");
            damaged = true;
          } else if (!found.crc32c().equals(file.crc32c())) {
            problems.add(
                table.name()
                    + ": "
                    + copy
                    + " has checksum "
                    + found.crc32c()
                    + ", the manifest says "
                    + file.crc32c()
                    + " (copy of "
                    + file.path()
                    + ")");
            damaged = true;
          }
        } catch (IOException | RuntimeException e) {
          problems.add(
              table.name() + ": " + copy + " cannot be read: " + LagoaException.rootMessage(e));
          damaged = true;
        }
      }
      checks.add(read(table, damaged, problems));
    }
    return new VerifyReport(manifest.id(), files, bytes, checks, problems);
  }

  /** Opens the table on the backup's copies and reads every row of its backed-up snapshot. */
  private VerifyReport.TableCheck read(
      BackedUpTable backedUp, boolean damaged, List<String> problems) {
    if (damaged) {
      return new VerifyReport.TableCheck(backedUp.name(), -1, "not read: files are damaged");
    }
    try {
      Table table = open(location, backedUp);
      long rows = 0;
      if (table.currentSnapshot() != null) {
        try (CloseableIterable<Record> records = IcebergGenerics.read(table).build()) {
          for (Record ignored : records) {
            rows++;
          }
        }
      }
      return new VerifyReport.TableCheck(backedUp.name(), rows, null);
    } catch (IOException | RuntimeException e) {
      String why = LagoaException.rootMessage(e);
      problems.add(backedUp.name() + ": cannot be read from the backup: " + why);
      return new VerifyReport.TableCheck(backedUp.name(), -1, why);
    }
  }

  /** The backed-up state of a table, read-only, every file served from the backup. */
  public static Table open(BackupLocation location, BackedUpTable backedUp) {
    return new BaseTable(
        new StaticTableOperations(backedUp.metadataFile(), new BackupFileIO(location)),
        "backup." + backedUp.name());
  }
}
