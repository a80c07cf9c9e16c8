package io.lagoa.vault;

import io.lagoa.text.TextFolding;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * What happens to one part of a hash's input before it is hashed, in this order: accents removed
 * (Unicode NFKD, then combining marks dropped), upper-cased code point by code point, leading and
 * trailing white space trimmed ({@link String#strip()}), and an empty result taken as null.
 */
public record KeyNormalization(
    boolean removeAccents, boolean upperCase, boolean trim, boolean emptyAsNull)
    implements Serializable {

  /** Business keys: " João " and "JOAO" are the same key. */
  public static final KeyNormalization BUSINESS_KEY = new KeyNormalization(true, true, true, true);

  /** Descriptive attributes in a hash diff: a change of accent or case is a change. */
  public static final KeyNormalization ATTRIBUTE = new KeyNormalization(false, false, true, true);

  /** The normalized part, or null when it is null (or empty, with {@link #emptyAsNull}). */
  public String apply(String part) {
    if (part == null) {
      return null;
    }
    String value = part;
    if (removeAccents) {
      value = TextFolding.stripAccents(value);
    }
    if (upperCase) {
      value = TextFolding.upperCase(value);
    }
    if (trim) {
      value = value.strip();
    }
    return emptyAsNull && value.isEmpty() ? null : value;
  }

  /** The steps in order, for a standard's recorded definition: {@code nfkd-no-marks,upper,...}. */
  public String describe() {
    List<String> steps = new ArrayList<>();
    if (removeAccents) {
      steps.add("nfkd-no-marks");
    }
    if (upperCase) {
      steps.add("upper");
    }
    if (trim) {
      steps.add("trim");
    }
    if (emptyAsNull) {
      steps.add("empty-null");
    }
    return steps.isEmpty() ? "none" : String.join(",", steps);
  }
}
