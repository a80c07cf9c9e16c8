package io.lagoa.backup;

import java.util.List;

/**
 * What verifying a backup found: every file checked against its size and checksum, every table
 * opened and read from the backup's copies.
 *
 * @param problems what is wrong, one line each, naming the table and the file
 */
public record VerifyReport(
    String backupId,
    long filesChecked,
    long bytesChecked,
    List<TableCheck> tables,
    List<String> problems) {

  /** One table read from the backup: the rows of its backed-up snapshot, or why it could not be. */
  public record TableCheck(String table, long rows, String error) {}

  public boolean ok() {
    return problems.isEmpty();
  }
}
