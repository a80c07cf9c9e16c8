package io.lagoa.service.bench;

import io.lagoa.backup.BackupListener;
import io.lagoa.backup.BackupResult;
import io.lagoa.backup.RestoreRequest;
import io.lagoa.backup.Restorer;
import io.lagoa.backup.VerifyReport;
import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import io.lagoa.service.BackupService;
import io.lagoa.service.Lakehouse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;

/**
 * {@code lagoa bench backup}: throughput and duration of a full backup, of an incremental one after
 * a change of a share of the rows, of verification and of a restore, on one generated table; with a
 * plain recursive copy of the table's folder, measured in the same run, as the reference.
 */
public final class BackupBenchService {
  private static final TableIdentifier TABLE = TableIdentifier.of("bench_backup", "events");

  private final Lakehouse lakehouse;

  public BackupBenchService(Lakehouse lakehouse) {
    this.lakehouse = lakehouse;
  }

  /** One measured step: what was done, bytes moved and seconds it took. */
  public record Step(String name, long bytes, long files, double seconds) {
    public double megabytesPerSecond() {
      return seconds <= 0 ? 0 : bytes / 1e6 / seconds;
    }
  }

  /**
   * Runs the bench: generates {@code rows} rows (about 100 bytes each) in a fresh table, then times
   * each step, backing up to {@code folder}/backups.
   *
   * @param change the share of rows appended before the incremental backup, e.g. 0.01
   */
  public List<Step> run(long rows, double change, Path folder, Consumer<String> progress) {
    try (Stream<Path> entries = Files.exists(folder) ? Files.list(folder) : Stream.empty()) {
      if (entries.findAny().isPresent()) {
        throw new LagoaException(
            ErrorCode.INVALID_ARGUMENT,
            "Cannot run the backup bench in " + folder + ": the folder is not empty");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String to = folder.resolve("backups").toString();
    lakehouse.sql().run("CREATE NAMESPACE IF NOT EXISTS bench_backup");
    lakehouse.sql().run("DROP TABLE IF EXISTS " + TABLE + " PURGE");
    lakehouse.sql().run("CREATE TABLE " + TABLE + " (id BIGINT, payload STRING) USING iceberg");
    progress.accept("generating " + rows + " rows");
    insert(0, rows);
    BackupService backups = new BackupService(lakehouse);
    List<Step> steps = new ArrayList<>();

    Table table = lakehouse.catalog().loadTable(TABLE);
    if (table.location().startsWith("file:") || table.location().startsWith("/")) {
      progress.accept("reference: a plain copy of the table's folder");
      steps.add(plainCopy(local(table.location()), folder.resolve("reference-copy")));
    }

    progress.accept("full backup");
    steps.add(backup("full backup", backups, to));

    long added = Math.max(1, Math.round(rows * change));
    progress.accept("appending " + added + " rows");
    insert(rows, added);
    progress.accept("incremental backup");
    steps.add(backup("incremental backup after " + change * 100 + "% appended", backups, to));

    progress.accept("verify");
    long start = System.nanoTime();
    VerifyReport report = backups.verify(to, Optional.empty(), BackupListener.NONE);
    steps.add(
        new Step(
            "verify (checksums and every row read)",
            report.bytesChecked(),
            report.filesChecked(),
            seconds(start)));
    if (!report.ok()) {
      throw new IllegalStateException("the bench's backup does not verify: " + report.problems());
    }

    progress.accept("restore after the table is dropped with its files");
    lakehouse.sql().run("DROP TABLE " + TABLE + " PURGE");
    start = System.nanoTime();
    RestoreRequest request =
        new RestoreRequest(
            Optional.empty(), List.of(TABLE), Optional.empty(), Optional.empty(), false);
    Restorer.Plan plan = backups.planRestore(to, request);
    io.lagoa.backup.RestoredTable restored = backups.restore(to, plan, BackupListener.NONE).get(0);
    steps.add(
        new Step(
            "restore (all files copied back)",
            restored.copiedBytes(),
            restored.copiedFiles(),
            seconds(start)));
    return steps;
  }

  private void insert(long from, long count) {
    lakehouse
        .sql()
        .run(
            "INSERT INTO "
                + TABLE
                + " SELECT id, concat(sha2(cast(id AS STRING), 256), sha2(cast(-id AS STRING), 256))"
                + " FROM range("
                + from
                + ", "
                + (from + count)
                + ")");
  }

  private static Step backup(String name, BackupService backups, String to) {
    long start = System.nanoTime();
    BackupResult result = backups.create(to, List.of(TABLE), BackupListener.NONE);
    return new Step(
        name, result.manifest().copiedBytes(), result.manifest().copiedFiles(), seconds(start));
  }

  private static Step plainCopy(Path from, Path to) {
    long start = System.nanoTime();
    long[] totals = new long[2];
    try (Stream<Path> files = Files.walk(from)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        Path target = to.resolve(from.relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(target);
        } else {
          Files.copy(file, target);
          totals[0] += Files.size(file);
          totals[1]++;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Step(
        "reference: plain copy of the table folder", totals[0], totals[1], seconds(start));
  }

  private static Path local(String location) {
    return location.startsWith("file:") ? Path.of(URI.create(location)) : Path.of(location);
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }
}
