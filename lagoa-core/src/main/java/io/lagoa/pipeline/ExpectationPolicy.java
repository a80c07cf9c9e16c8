package io.lagoa.pipeline;

import java.util.Locale;
import java.util.Optional;

/** What happens to rows that fail an expectation. */
public enum ExpectationPolicy {
  /** Keep the row, count it. */
  WARN,
  /** Leave the row out of the table, count it. */
  DROP,
  /** Write the row to {@code <table>_quarantine} with the rule's name and reason instead. */
  QUARANTINE,
  /** Abort the flow before anything is written; the whole run fails and is rolled back. */
  FAIL;

  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<ExpectationPolicy> fromName(String name) {
    for (ExpectationPolicy policy : values()) {
      if (policy.configName().equalsIgnoreCase(name.strip())) {
        return Optional.of(policy);
      }
    }
    return Optional.empty();
  }
}
