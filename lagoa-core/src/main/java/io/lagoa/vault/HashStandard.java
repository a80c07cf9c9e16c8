package io.lagoa.vault;

import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import io.lagoa.text.EditDistance;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A pinned, versioned way of turning business keys into hash keys and descriptive attributes into
 * hash diffs. The name is the identity a vault table records; a name, once released, never changes
 * meaning (a new rule gets a new name), so keys computed today match keys computed years later.
 *
 * <p>A <b>hash key</b> of parts {@code p1..pn} (in the order given, never sorted): each part goes
 * through {@link #normalization()} (for every built-in standard: NFKD with combining marks removed,
 * upper-cased, trimmed, empty as null); when every part is then null the key is null; otherwise
 * each null part is replaced by {@link #nullPlaceholder()}, the parts are joined with {@link
 * #delimiter()}, and the UTF-8 bytes of that text are digested by {@link #algorithm()} and written
 * in {@link #encoding()}. For {@link #DEFAULT}: {@code hash_key('João', NULL)} is {@code
 * MD5("JOAO||^^")} in upper-case hex.
 *
 * <p>A <b>hash diff</b> of attributes is the same, except that each attribute is only trimmed
 * (empty as null; case and accents kept, since they are real changes) and that it is never null:
 * all-null attributes hash {@code ^^||^^...}.
 *
 * <p>docs/datavault.md has the definition with worked examples and the Trino recipe.
 */
public record HashStandard(
    String name,
    HashAlgorithm algorithm,
    HashEncoding encoding,
    String delimiter,
    String nullPlaceholder,
    KeyNormalization normalization)
    implements Serializable {

  /** The table property naming the standard a vault table was written with. */
  public static final String PROPERTY = "lagoa.vault.hash-standard";

  /** The table property holding the standard's {@link #definition()}. */
  public static final String DEFINITION_PROPERTY = "lagoa.vault.hash-standard.definition";

  /** The pinned default: MD5, upper-case hex, {@code ||} between parts, {@code ^^} for nulls. */
  public static final HashStandard DEFAULT =
      new HashStandard(
          "lagoa-dv-v1",
          HashAlgorithm.MD5,
          HashEncoding.HEX_UPPER,
          "||",
          "^^",
          KeyNormalization.BUSINESS_KEY);

  private static final List<HashStandard> KNOWN =
      List.of(
          DEFAULT,
          DEFAULT.with("lagoa-dv-v1-sha256", HashAlgorithm.SHA256, HashEncoding.HEX_UPPER),
          DEFAULT.with("lagoa-dv-v1-md5-binary", HashAlgorithm.MD5, HashEncoding.BINARY),
          DEFAULT.with("lagoa-dv-v1-sha256-binary", HashAlgorithm.SHA256, HashEncoding.BINARY));

  public HashStandard {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(algorithm, "algorithm");
    Objects.requireNonNull(encoding, "encoding");
    Objects.requireNonNull(normalization, "normalization");
    if (name.isBlank()) {
      throw new IllegalArgumentException("Cannot define a hash standard without a name");
    }
    if (delimiter == null || delimiter.isEmpty()) {
      throw new IllegalArgumentException(
          "Cannot define hash standard '" + name + "': the delimiter is empty");
    }
    if (nullPlaceholder == null || nullPlaceholder.isEmpty()) {
      throw new IllegalArgumentException(
          "Cannot define hash standard '" + name + "': the null placeholder is empty");
    }
  }

  /** The built-in standards, the default first. */
  public static List<HashStandard> known() {
    return KNOWN;
  }

  /** A built-in standard by name; an unknown name is refused with the closest known one. */
  public static HashStandard named(String name) {
    String wanted = name == null ? "" : name.strip();
    for (HashStandard standard : KNOWN) {
      if (standard.name.equals(wanted)) {
        return standard;
      }
    }
    List<String> names = KNOWN.stream().map(HashStandard::name).toList();
    String suggestion =
        EditDistance.closest(wanted, names)
            .map(best -> " (did you mean '" + best + "'?)")
            .orElse("");
    throw new LagoaException(
        ErrorCode.INVALID_ARGUMENT,
        "Unknown hash standard '"
            + wanted
            + "'"
            + suggestion
            + "; the known standards are "
            + String.join(", ", names));
  }

  /**
   * The text that is digested for a hash key, or empty when every part is null after normalization
   * (the key is then null). Shown so that a key can be checked by hand.
   */
  public Optional<String> hashKeyInput(List<String> parts) {
    if (parts.isEmpty()) {
      throw new IllegalArgumentException("Cannot compute a hash key of no parts");
    }
    List<String> normalized = new ArrayList<>(parts.size());
    boolean any = false;
    for (String part : parts) {
      String value = normalization.apply(part);
      any |= value != null;
      normalized.add(value);
    }
    return any ? Optional.of(join(normalized)) : Optional.empty();
  }

  /** The text that is digested for a hash diff; never empty. */
  public String hashDiffInput(List<String> attributes) {
    if (attributes.isEmpty()) {
      throw new IllegalArgumentException("Cannot compute a hash diff of no attributes");
    }
    List<String> normalized = new ArrayList<>(attributes.size());
    for (String attribute : attributes) {
      normalized.add(KeyNormalization.ATTRIBUTE.apply(attribute));
    }
    return join(normalized);
  }

  /**
   * Hash key of business-key parts in the given order; null when every part is null or empty. For a
   * {@link HashEncoding#BINARY} standard this is the upper-case hex of {@link #hashKeyBytes}.
   */
  public String hashKey(List<String> parts) {
    byte[] digest = hashKeyBytes(parts);
    return digest == null ? null : encoding.text(digest);
  }

  /** The digest behind {@link #hashKey}, what a binary standard stores; null as there. */
  public byte[] hashKeyBytes(List<String> parts) {
    return hashKeyInput(parts).map(this::digest).orElse(null);
  }

  /** Hash diff of descriptive attributes in the given order; never null. */
  public String hashDiff(List<String> attributes) {
    return encoding.text(hashDiffBytes(attributes));
  }

  /** The digest behind {@link #hashDiff}, what a binary standard stores. */
  public byte[] hashDiffBytes(List<String> attributes) {
    return digest(hashDiffInput(attributes));
  }

  /**
   * Everything that decides a key, on one line, e.g. {@code algorithm=MD5;encoding=HEX_UPPER;
   * delimiter=||;null=^^;key=nfkd-no-marks,upper,trim,empty-null;diff=trim,empty-null;
   * charset=UTF-8}. Recorded next to the name, so a table also shows what its name meant.
   */
  public String definition() {
    return "algorithm="
        + algorithm
        + ";encoding="
        + encoding
        + ";delimiter="
        + delimiter
        + ";null="
        + nullPlaceholder
        + ";key="
        + normalization.describe()
        + ";diff="
        + KeyNormalization.ATTRIBUTE.describe()
        + ";charset=UTF-8";
  }

  /** The table properties that record this standard on a vault table. */
  public Map<String, String> tableProperties() {
    Map<String, String> properties = new LinkedHashMap<>();
    properties.put(PROPERTY, name);
    properties.put(DEFINITION_PROPERTY, definition());
    return properties;
  }

  /**
   * Refuses to go on when {@code table} records another standard than this one (or this name with
   * another definition): its stored keys would not match the keys computed now, and a run would
   * silently split every hub. A table that records no standard passes.
   *
   * @param properties the table's properties
   */
  public void checkTable(String table, Map<String, String> properties) {
    String recorded = properties.get(PROPERTY);
    if (recorded == null) {
      return;
    }
    String recordedDefinition = properties.get(DEFINITION_PROPERTY);
    if (!recorded.equals(name)) {
      throw new LagoaException(
          ErrorCode.TABLE_CONFLICT,
          "Cannot write "
              + table
              + " with hash standard '"
              + name
              + "': the table was written with hash standard '"
              + recorded
              + "'"
              + (recordedDefinition == null ? "" : " (" + recordedDefinition + ")")
              + ", so its hash keys would not match the new ones. Use '"
              + recorded
              + "' for this table, or rebuild it from its sources under '"
              + name
              + "'");
    }
    if (recordedDefinition != null && !recordedDefinition.equals(definition())) {
      throw new LagoaException(
          ErrorCode.TABLE_CONFLICT,
          "Cannot write "
              + table
              + " with hash standard '"
              + name
              + "': the table records that standard as '"
              + recordedDefinition
              + "' but it is now defined as '"
              + definition()
              + "', so its hash keys would not match the new ones");
    }
  }

  private HashStandard with(String newName, HashAlgorithm newAlgorithm, HashEncoding newEncoding) {
    return new HashStandard(
        newName, newAlgorithm, newEncoding, delimiter, nullPlaceholder, normalization);
  }

  private String join(List<String> normalized) {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < normalized.size(); i++) {
      if (i > 0) {
        text.append(delimiter);
      }
      String value = normalized.get(i);
      text.append(value == null ? nullPlaceholder : value);
    }
    return text.toString();
  }

  private byte[] digest(String input) {
    return algorithm.digest(input.getBytes(StandardCharsets.UTF_8));
  }
}
