package io.lagoa.bench.cdc;

import java.util.Locale;

/** How the target table applies the merges of AUTO CDC batches (Iceberg's row-level modes). */
public enum CdcWriteMode {
  /** Data files holding a changed row are rewritten: slower writes, reads as fast as ever. */
  COPY_ON_WRITE("copy-on-write"),
  /** Changed rows are marked in delete files: faster writes, reads merge them until compaction. */
  MERGE_ON_READ("merge-on-read");

  private final String label;

  CdcWriteMode(String label) {
    this.label = label;
  }

  /**
   * The value of {@code write.merge.mode}, {@code write.update.mode} and {@code write.delete.mode}.
   */
  public String label() {
    return label;
  }

  public static CdcWriteMode parse(String text) {
    String wanted = text.strip().toLowerCase(Locale.ROOT);
    for (CdcWriteMode mode : values()) {
      if (mode.label.equals(wanted)) {
        return mode;
      }
    }
    throw new IllegalArgumentException(
        "Cannot use write mode '" + text + "': expected copy-on-write or merge-on-read");
  }
}
