package io.lagoa.pipeline;

import io.lagoa.vault.HashStandard;
import java.util.List;

/**
 * How a hub, link, satellite or effectivity satellite is loaded, resolved across the pipeline's
 * files: what the writer needs besides the staged rows. The staged rows (the query of the table's
 * {@link DatasetStatement#engineSql()}) hold the business key parts as {@code __bk_1..n} (strings,
 * in the order of {@link #hubs()}), the satellite's attributes by name, {@code __seq} (the SEQUENCE
 * BY value), {@code __record_source} and {@code __flow} (the flow's number, for a stable order).
 *
 * @param hashKey the column of the table's hash key: the hub's or link's own; for a satellite its
 *     parent's; for an effectivity satellite its link's
 * @param businessKey a hub's business key columns
 * @param hubs the hubs whose business keys the staged rows hold, in order: the hub itself, a link's
 *     hubs, a satellite's parent's hubs
 * @param attributes a satellite's descriptive columns
 * @param drivingHub an effectivity satellite's driving hub, as an index into {@link #hubs()}; -1
 * @param standard how business keys become hash keys, recorded on the table
 * @param flows which lines of the table's query each LOAD flow wrote, to report an error the engine
 *     finds there at the flow
 */
public record VaultTable(
    VaultKind kind,
    String hashKey,
    List<String> businessKey,
    List<HubPart> hubs,
    List<String> attributes,
    int drivingHub,
    HashStandard standard,
    List<FlowLines> flows) {
  public static final String LOAD_DATE = "load_date";
  public static final String RECORD_SOURCE = "record_source";
  public static final String HASH_DIFF = "hash_diff";
  public static final String APPLIED_AT = "applied_at";
  public static final String START_DATE = "start_date";
  public static final String END_DATE = "end_date";

  /** Staged columns: the i-th business key part is {@code __bk_i} (1-based). */
  public static final String STAGED_KEY_PREFIX = "__bk_";

  public static final String STAGED_SEQUENCE = "__seq";
  public static final String STAGED_RECORD_SOURCE = "__record_source";
  public static final String STAGED_FLOW = "__flow";

  public VaultTable {
    businessKey = List.copyOf(businessKey);
    hubs = List.copyOf(hubs);
    attributes = List.copyOf(attributes);
    flows = List.copyOf(flows);
  }

  /**
   * The lines of the table's query a LOAD flow wrote (1-based, inclusive) and where the flow is.
   */
  public record FlowLines(int first, int last, SourcePosition position) {}

  /** This table with the lines its flows wrote. */
  public VaultTable withFlows(List<FlowLines> lines) {
    return new VaultTable(
        kind, hashKey, businessKey, hubs, attributes, drivingHub, standard, lines);
  }

  /** Where the flow that wrote a line of the table's query is; empty for other lines. */
  public java.util.Optional<SourcePosition> flowAt(int line) {
    return flows.stream()
        .filter(flow -> line >= flow.first() && line <= flow.last())
        .map(FlowLines::position)
        .findFirst();
  }

  /**
   * One hub's share of the staged business key parts.
   *
   * @param hub the hub's table name
   * @param column the column its hash key goes to (in a link: the hub's column there)
   * @param keys how many business key parts it has
   */
  public record HubPart(String hub, String column, int keys) {}

  /** How many business key parts the staged rows hold. */
  public int keyParts() {
    return hubs.stream().mapToInt(HubPart::keys).sum();
  }

  /** The 0-based index of the first staged part of hub {@code i}. */
  public int firstPart(int hub) {
    int first = 0;
    for (int i = 0; i < hub; i++) {
      first += hubs.get(i).keys();
    }
    return first;
  }
}
