package io.lagoa.pipeline;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * A run that noted its tables in the {@link RunJournal} and never ended: its process was killed or
 * its machine went down part way.
 *
 * @param tables each table the run may have written, with the metadata file it had before the run
 *     (empty when the table did not exist)
 * @param holder who ran it, e.g. {@code host (pid 1234)}
 */
public record InterruptedRun(
    String runId, Instant startedAt, String holder, Map<String, Optional<String>> tables) {
  public InterruptedRun {
    tables = Map.copyOf(tables);
  }
}
