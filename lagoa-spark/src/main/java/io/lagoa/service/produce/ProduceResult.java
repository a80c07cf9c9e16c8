package io.lagoa.service.produce;

import java.util.List;

/**
 * What was sent, as the broker acknowledged it.
 *
 * @param records records acknowledged
 * @param bytes bytes of their keys and values
 * @param nanos time from the first record to the last acknowledgement
 * @param stopped whether {@link ProduceService#stop()} ended the sending before the end
 * @param partitions per partition, in partition order
 */
public record ProduceResult(
    String topic,
    String bootstrapServers,
    long records,
    long bytes,
    long nanos,
    boolean stopped,
    List<PartitionOffsets> partitions) {
  public ProduceResult {
    partitions = List.copyOf(partitions);
  }

  public double recordsPerSecond() {
    return nanos == 0 ? 0 : records * 1e9 / nanos;
  }

  /** The acknowledged records of one partition and their offsets. */
  public record PartitionOffsets(int partition, long records, long firstOffset, long lastOffset) {}
}
