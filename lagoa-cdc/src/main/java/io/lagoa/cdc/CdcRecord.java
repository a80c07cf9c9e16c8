package io.lagoa.cdc;

/**
 * One record of the change stream, as Debezium JSON with its schema ({@code
 * {"schema":...,"payload":...}}, Kafka Connect's JsonConverter with {@code schemas.enable=true}).
 *
 * @param kind a change of the table, transaction metadata, or Lagoa's own marker
 * @param topic the topic Debezium gives it ({@code <slot>.<schema>.<table>})
 * @param json the record's value; null for a record without one
 * @param position the connector's position after this record ({@link CdcOffsets#position})
 */
public record CdcRecord(Kind kind, String topic, String json, String position) {

  /** What a record is. */
  public enum Kind {
    /** A change event of the captured table (c, u, d, r, t). */
    CHANGE,
    /** A transaction's BEGIN or END (provide.transaction.metadata). */
    TRANSACTION,
    /** A logical decoding message Lagoa wrote to learn where the stream ends. */
    MARKER
  }
}
