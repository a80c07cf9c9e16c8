package io.lagoa.pipeline;

import java.util.List;
import java.util.Locale;

/**
 * One node of a pipeline: a table the pipeline writes, or a temporary view it inlines.
 *
 * @param name {@code namespace.table} for tables, the bare name for temporary views; lower case
 * @param inputs what its query reads, in the order they appear
 */
public record Dataset(
    String name, DatasetKind kind, DatasetStatement statement, List<Input> inputs) {
  public Dataset {
    inputs = List.copyOf(inputs);
  }

  public SourcePosition position() {
    return statement.position();
  }

  /** The table's last name part, e.g. {@code users} for {@code silver.users}. */
  public String shortName() {
    int dot = name.lastIndexOf('.');
    return dot < 0 ? name : name.substring(dot + 1);
  }

  private static final String QUARANTINE_SUFFIX = "_quarantine";
  private static final String SOURCE_QUARANTINE_SUFFIX = "_source_quarantine";

  /** The quarantine table next to this table: {@code silver.users_quarantine}. */
  public String quarantineTable() {
    return name + QUARANTINE_SUFFIX;
  }

  /**
   * Where records its source functions could not read go, as they came: {@code
   * bronze.music_source_quarantine}.
   */
  public String sourceQuarantineTable() {
    return name + SOURCE_QUARANTINE_SUFFIX;
  }

  /**
   * The table a quarantine table (either kind) belongs to, from its name: {@code silver.users} for
   * {@code silver.users_quarantine}; empty for a name that is not a quarantine table's.
   */
  public static java.util.Optional<String> quarantinedTable(String quarantineName) {
    for (String suffix : List.of(SOURCE_QUARANTINE_SUFFIX, QUARANTINE_SUFFIX)) {
      if (quarantineName.endsWith(suffix)) {
        return java.util.Optional.of(
            quarantineName.substring(0, quarantineName.length() - suffix.length()));
      }
    }
    return java.util.Optional.empty();
  }

  public boolean hasSourceQuarantine() {
    return !statement.sources().isEmpty();
  }

  public boolean hasQuarantine() {
    return statement.expectations().stream()
        .anyMatch(expectation -> expectation.policy() == ExpectationPolicy.QUARANTINE);
  }

  public boolean merges() {
    return !statement.keys().isEmpty();
  }

  /** How an AUTO CDC flow applies changes to this table; empty for other datasets. */
  public java.util.Optional<AutoCdc> autoCdc() {
    return statement.autoCdc();
  }

  /**
   * Where an AUTO CDC table keeps what its rows do not show: the tombstones of deleted keys and
   * (SCD type 1) the last sequence value of every key, so late and replayed changes are recognized:
   * {@code silver.customers_cdc_state}.
   */
  public String cdcStateTable() {
    return name + "_cdc_state";
  }

  /** How a Data Vault hub, link or satellite loads its staged rows; empty for other datasets. */
  public java.util.Optional<VaultTable> vault() {
    return statement.vault();
  }

  /** Whether this table has a {@link #cdcStateTable()}: every AUTO CDC table has. */
  public boolean hasCdcState() {
    return autoCdc().isPresent();
  }

  /** The match rules of an identity graph's table ({@code CREATE IDENTITY GRAPH}). */
  public java.util.Optional<io.lagoa.identity.MatchRules> identityGraph() {
    return statement.identityGraph();
  }

  /**
   * The tables an identity graph keeps beside its own (one row per source record): the key index
   * {@code <graph>_keys}, the merges {@code <graph>_same_as}, the records splits moved {@code
   * <graph>_moves} and the audit {@code <graph>_audit}; empty for other datasets.
   */
  public List<String> identityTables() {
    return identityGraph().isEmpty()
        ? List.of()
        : List.of(name + "_keys", name + "_same_as", name + "_moves", name + "_audit");
  }

  static String normalize(String part) {
    return part.toLowerCase(Locale.ROOT);
  }
}
