package io.lagoa.spark.pipeline;

import io.lagoa.error.ErrorCode;
import io.lagoa.pipeline.ConcurrentRunException;
import io.lagoa.pipeline.FlowException;
import java.util.Optional;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.exceptions.ValidationException;

/**
 * A flow's commit lost to another run of the same pipeline: the catalog refused it because the
 * table's last pipeline commit moved since the batch started, another run created the table first,
 * or Iceberg found that a MERGE's target files changed meanwhile. Nothing of the refused commit is
 * in the table; the runner plans the flow again from the table's new state. Its code is {@link
 * ErrorCode#TABLE_CONFLICT}, also when the runner gives up.
 */
final class ConcurrentRunConflict extends FlowException {
  private static final long serialVersionUID = 1L;

  ConcurrentRunConflict(String message, Throwable cause) {
    super(ErrorCode.TABLE_CONFLICT, message, cause);
  }

  /**
   * What the conflict was, when {@code error} is one: a commit refused for another run's, a table
   * another run created first, or one that vanished since the flow was planned (another runner's
   * failed run dropped the table it had created).
   */
  static Optional<String> describe(Throwable error) {
    for (Throwable cause = error; cause != null; cause = cause.getCause()) {
      if (cause instanceof ConcurrentRunException conflict) {
        return Optional.of(conflict.getMessage());
      }
      if (cause instanceof ValidationException validation && isFileConflict(validation)) {
        // Iceberg's own check of a MERGE against files another writer committed meanwhile,
        // e.g. a compaction that rewrote the files this batch's deletes point at
        return Optional.of(
            "another writer changed the rows this batch merges into ("
                + validation.getMessage().lines().findFirst().orElse("")
                + ")");
      }
      if (cause instanceof CommitFailedException failed) {
        return Optional.of("the commit kept losing to other writers (" + failed.getMessage() + ")");
      }
      if (cause instanceof AlreadyExistsException exists) {
        return Optional.of("another run created the table first (" + exists.getMessage() + ")");
      }
      if (cause.getClass().getSimpleName().equals("TableAlreadyExistsException")) {
        return Optional.of("another run created the table first");
      }
      if (cause instanceof NoSuchTableException
          || cause.getClass().getSimpleName().equals("NoSuchTableException")
          || String.valueOf(cause.getMessage()).contains("[TABLE_OR_VIEW_NOT_FOUND]")) {
        // a failed run of another runner dropped the table it had created
        return Optional.of("the table was dropped since this batch was planned");
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    return Optional.empty();
  }

  /**
   * Iceberg's validation messages for files changed since the batch's snapshot (in
   * MergingSnapshotProducer): new or deleted files that may hold the rows, data files rewritten
   * away under the batch's position deletes, or a deletion vector added meanwhile.
   */
  private static boolean isFileConflict(ValidationException validation) {
    String message = validation.getMessage();
    return message != null
        && (message.contains("conflicting")
            || message.startsWith("Cannot commit, missing data files")
            || message.contains("for replaced data file")
            || message.startsWith("Found concurrently added DV"));
  }
}
