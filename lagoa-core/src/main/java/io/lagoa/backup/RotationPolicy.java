package io.lagoa.backup;

import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which backups to keep, grandfather-father-son: the newest {@code last} backups, and the newest
 * backup of each of the last {@code daily} days, {@code weekly} ISO weeks and {@code monthly}
 * months that have one (UTC). The newest backup is always kept.
 */
public record RotationPolicy(int last, int daily, int weekly, int monthly) {
  public RotationPolicy {
    check("last", last);
    check("daily", daily);
    check("weekly", weekly);
    check("monthly", monthly);
    if (last + daily + weekly + monthly == 0) {
      throw new LagoaException(
          ErrorCode.INVALID_ARGUMENT,
          "Cannot rotate backups: the policy keeps nothing; name how many daily, weekly, monthly"
              + " or last backups to keep");
    }
  }

  private static void check(String what, int count) {
    if (count < 0) {
      throw new LagoaException(
          ErrorCode.INVALID_ARGUMENT,
          "Cannot rotate backups: keep " + what + " is " + count + ", it must be 0 or more");
    }
  }

  /**
   * For each kept backup (newest first), why it is kept; the others are not in the map.
   *
   * @param backups oldest first
   */
  public Map<String, String> keep(List<BackupManifest> backups) {
    List<BackupManifest> newestFirst = new ArrayList<>(backups);
    java.util.Collections.reverse(newestFirst);
    Map<String, List<String>> reasons = new LinkedHashMap<>();
    for (BackupManifest backup : newestFirst) {
      reasons.put(backup.id(), new ArrayList<>());
    }
    if (!newestFirst.isEmpty()) {
      reasons.get(newestFirst.get(0).id()).add("newest");
    }
    for (int i = 0; i < Math.min(last, newestFirst.size()); i++) {
      reasons.get(newestFirst.get(i).id()).add("last " + last);
    }
    bucket(newestFirst, daily, "daily", t -> t.toLocalDate().toString(), reasons);
    bucket(
        newestFirst,
        weekly,
        "weekly",
        t -> t.get(IsoFields.WEEK_BASED_YEAR) + "-W" + t.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR),
        reasons);
    bucket(newestFirst, monthly, "monthly", t -> t.getYear() + "-" + t.getMonthValue(), reasons);
    Map<String, String> kept = new LinkedHashMap<>();
    reasons.forEach(
        (id, why) -> {
          if (!why.isEmpty()) {
            kept.put(id, String.join(", ", why));
          }
        });
    return kept;
  }

  private static void bucket(
      List<BackupManifest> newestFirst,
      int count,
      String label,
      java.util.function.Function<ZonedDateTime, String> key,
      Map<String, List<String>> reasons) {
    Set<String> seen = new HashSet<>();
    for (BackupManifest backup : newestFirst) {
      if (seen.size() == count) {
        return;
      }
      String bucket = key.apply(backup.started().atZone(ZoneOffset.UTC));
      if (seen.add(bucket)) {
        reasons.get(backup.id()).add(label + " " + bucket);
      }
    }
  }
}
