package io.lagoa.backup;

/** Told how a backup, verification or restore goes, for progress displays; calls are cheap. */
public interface BackupListener {
  BackupListener NONE = new BackupListener() {};

  /** Work on a table begins: the {@code index}-th of {@code count}. */
  default void table(String name, int index, int count) {}

  /** A file was copied or checked: its size. */
  default void file(String path, long bytes) {}
}
