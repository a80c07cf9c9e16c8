package io.lagoa.spark.pipeline.source;

import java.util.Map;
import java.util.OptionalLong;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * What one source call reads in one run: the records new since the stored position, the ones it
 * could not read, and the position to store with the commit that writes them.
 *
 * @param rows the readable records, as the query sees the source
 * @param rejected records that cannot be read (invalid JSON, wrong types, oversized), in the source
 *     quarantine table's shape
 * @param position snapshot summary entries to commit with the target's data: the next position to
 *     read, and the schema learned so far
 * @param hasNew whether anything was read
 * @param addsColumns whether the source found fields its earlier batches did not have
 * @param description where the batch starts and ends, for logs and errors
 * @param release frees what the batch holds (cached data); run after the flow, committed or not
 * @param committed run once the target's commit that stores {@link #position} succeeded, before
 *     {@code release}: a source that must acknowledge what it delivered (a replication slot) does
 *     it here, never earlier
 * @param order when {@code rejected} may be written: before the target's commit (the batch is
 *     cached, reading {@code rejected} costs nothing more) or after it (reading it reads the source
 *     again)
 * @param rejectedCount for {@link QuarantineOrder#AFTER_TARGET}: how many records were rejected, as
 *     counted while the rows were written
 */
public record SourceBatch(
    Dataset<Row> rows,
    Dataset<Row> rejected,
    Map<String, String> position,
    boolean hasNew,
    boolean addsColumns,
    String description,
    Runnable release,
    Runnable committed,
    QuarantineOrder order,
    RejectedCount rejectedCount) {

  /**
   * How many records of a batch were rejected, as counted while its rows were read for the target.
   */
  @FunctionalInterface
  public interface RejectedCount {
    /** Never known: read {@link SourceBatch#rejected} to find out. */
    RejectedCount UNKNOWN = OptionalLong::empty;

    /**
     * The number of rejected records, when the reads so far have seen every record of the batch
     * (call it after the target's commit); empty when that is not certain (the query did not read
     * the whole batch, the count did not arrive), and then only reading {@link
     * SourceBatch#rejected} tells.
     */
    OptionalLong afterRead();
  }

  /** A batch with nothing to acknowledge after the commit, read into a cache. */
  public SourceBatch(
      Dataset<Row> rows,
      Dataset<Row> rejected,
      Map<String, String> position,
      boolean hasNew,
      boolean addsColumns,
      String description,
      Runnable release) {
    this(rows, rejected, position, hasNew, addsColumns, description, release, () -> {});
  }

  /** A batch read into a cache, so its rejected records are known before the target's commit. */
  public SourceBatch(
      Dataset<Row> rows,
      Dataset<Row> rejected,
      Map<String, String> position,
      boolean hasNew,
      boolean addsColumns,
      String description,
      Runnable release,
      Runnable committed) {
    this(
        rows,
        rejected,
        position,
        hasNew,
        addsColumns,
        description,
        release,
        committed,
        QuarantineOrder.BEFORE_TARGET,
        RejectedCount.UNKNOWN);
  }
}
