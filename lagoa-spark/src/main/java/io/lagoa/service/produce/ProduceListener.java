package io.lagoa.service.produce;

/**
 * Told what {@link ProduceService#produce} does, for progress lines. Every method may be skipped.
 */
public interface ProduceListener {
  ProduceListener NONE = new ProduceListener() {};

  /** The topic did not exist and was created. */
  default void topicCreated(String topic, int partitions) {}

  /** Sending begins; {@code expected} is the records to send, or -1 when not known in advance. */
  default void started(String source, String topic, int partitions, long expected) {}

  /** Records handed to the producer so far; called a few times a second at most. */
  default void progress(long sent, long expected, long nanos) {}

  /** Every record was acknowledged (or the sending was stopped). */
  default void finished(long nanos) {}
}
