package io.lagoa.pipeline;

import java.util.List;
import java.util.Optional;

/**
 * What an {@code AUTO CDC INTO} (or {@code APPLY CHANGES INTO}) flow says about applying a change
 * stream to its streaming table, in the clauses of Databricks / Spark Declarative Pipelines:
 *
 * <pre>
 * CREATE FLOW customers_cdc AS AUTO CDC INTO silver.customers
 * FROM STREAM(bronze.customers_changes)
 * KEYS (id)
 * APPLY AS DELETE WHEN _op = 'd'
 * APPLY AS TRUNCATE WHEN _op = 't'
 * SEQUENCE BY _sequence
 * COLUMNS * EXCEPT (_op, _sequence)
 * STORED AS SCD TYPE 2
 * TRACK HISTORY ON * EXCEPT (last_login)
 * </pre>
 *
 * <p>Expressions are kept as SQL text (the engine parses them) with where they are in the file.
 *
 * @param flowName the flow's name ({@code CREATE FLOW name}), empty for a bare {@code APPLY CHANGES
 *     INTO}
 * @param fromSnapshot {@code AUTO CDC FROM SNAPSHOT}: the source is a full snapshot of the data,
 *     diffed against the target on every run, rather than a stream of changes
 * @param keys the columns identifying a row of the target
 * @param sequenceBy the expressions ordering the changes of one key, compared in order (one for a
 *     column, several for {@code SEQUENCE BY (ts_ms, lsn)} or {@code struct(ts_ms, lsn)})
 * @param deleteWhen the condition that makes a change a delete of its key
 * @param truncateWhen the condition that makes a change a truncate of the whole table (SCD type 1)
 * @param columns which columns of the source go to the target
 * @param scdType 1 keeps the current row of each key; 2 keeps every version, with {@code
 *     __START_AT} and {@code __END_AT}
 * @param trackHistory SCD type 2: the columns whose changes make a new version (others are updated
 *     in place); {@link Columns#all()} when not given
 * @param ignoreNullUpdates {@code IGNORE NULL UPDATES}: a null in an update keeps the target's
 *     value
 * @param position where the flow statement starts (the AUTO CDC / APPLY CHANGES keyword)
 */
public record AutoCdc(
    Optional<String> flowName,
    boolean fromSnapshot,
    List<String> keys,
    List<Expression> sequenceBy,
    Optional<Expression> deleteWhen,
    Optional<Expression> truncateWhen,
    Columns columns,
    ScdType scdType,
    Columns trackHistory,
    boolean ignoreNullUpdates,
    SourcePosition position) {

  /** The column an SCD type 2 version starts at: the sequence value of its first change. */
  public static final String START_AT = "__START_AT";

  /**
   * The column an SCD type 2 version ends at: the next change's sequence value, null if current.
   */
  public static final String END_AT = "__END_AT";

  public AutoCdc {
    keys = List.copyOf(keys);
    sequenceBy = List.copyOf(sequenceBy);
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("Cannot apply changes: no KEYS");
    }
  }

  /** SQL text of a boolean or sequence expression, and where it starts in the file. */
  public record Expression(String sql, SourcePosition position) {}

  /** How changes are stored: the current row per key, or every version. */
  public enum ScdType {
    TYPE_1,
    TYPE_2;

    public int number() {
      return this == TYPE_1 ? 1 : 2;
    }
  }

  /**
   * A column selection: {@code *}, {@code * EXCEPT (a, b)} or {@code (a, b)}.
   *
   * @param include the columns named, empty for {@code *}
   * @param except the columns left out of {@code *}
   */
  public record Columns(List<String> include, List<String> except, SourcePosition position) {
    public Columns {
      include = List.copyOf(include);
      except = List.copyOf(except);
    }

    public static Columns all() {
      return new Columns(List.of(), List.of(), null);
    }

    public boolean isAll() {
      return include.isEmpty();
    }

    /** The selected columns of {@code available}, in its order (or in the order named). */
    public List<String> select(List<String> available) {
      if (!isAll()) {
        return include;
      }
      return available.stream()
          .filter(column -> except.stream().noneMatch(column::equalsIgnoreCase))
          .toList();
    }
  }
}
