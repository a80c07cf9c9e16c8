package io.lagoa.backup;

import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Removes the backups a policy does not keep, with the files only they need: reference counting by
 * manifests. A removed backup's manifest goes first, so a rotation cut short leaves copies no
 * manifest names (wasted space, see docs/backup.md) and never a listed backup with files missing.
 */
public final class BackupRotation {
  private final BackupLocation location;

  public BackupRotation(BackupLocation location) {
    this.location = location;
  }

  public RotationPlan plan(RotationPolicy policy) {
    List<String> unreadable = new ArrayList<>();
    List<BackupManifest> backups = location.manifests(unreadable);
    if (!unreadable.isEmpty()) {
      // an unreadable manifest may name files a kept backup needs: delete nothing
      throw new LagoaException(
          ErrorCode.IO_ERROR,
          "Cannot rotate the backups in "
              + location.root()
              + ": "
              + unreadable.get(0)
              + "; move it aside or repair it, and rotate again");
    }
    Map<String, String> kept = policy.keep(backups);
    Set<String> needed = new HashSet<>();
    List<String> removed = new ArrayList<>();
    Map<String, Long> candidates = new LinkedHashMap<>();
    for (BackupManifest backup : backups) {
      boolean keep = kept.containsKey(backup.id());
      if (!keep) {
        removed.add(backup.id());
      }
      for (BackedUpTable table : backup.tables()) {
        for (BackedUpFile file : table.files()) {
          if (keep) {
            needed.add(file.path());
          } else {
            candidates.put(file.path(), file.size());
          }
        }
      }
    }
    List<String> files = new ArrayList<>();
    long bytes = 0;
    for (Map.Entry<String, Long> candidate : candidates.entrySet()) {
      if (!needed.contains(candidate.getKey())) {
        files.add(candidate.getKey());
        bytes += candidate.getValue();
      }
    }
    return new RotationPlan(kept, removed, files, bytes);
  }

  /** Removes what the plan says: manifests first, then the files no kept backup needs. */
  public void run(RotationPlan plan) {
    for (String id : plan.removed()) {
      location.deleteManifest(id);
    }
    for (String path : plan.files()) {
      location.io().deleteFile(location.copyOf(path));
    }
  }
}
