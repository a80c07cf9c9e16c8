package io.lagoa.lineage;

import io.openlineage.client.utils.UUIDUtils;
import java.time.Instant;

/** Run ids: UUIDv7, time-ordered, as OpenLineage asks run ids to be. */
public final class RunIds {
  private RunIds() {}

  public static String next(Instant now) {
    return UUIDUtils.generateNewUUID(now).toString();
  }
}
