package io.lagoa.bench.catalog;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** What a client of {@code lagoa bench catalog} does in a loop. */
public enum CatalogOperation {
  LOAD_TABLE("load-table", "loadTable of one of the tables, chosen at random"),
  COMMIT("commit", "a table property update (one metadata commit) on the client's own table"),
  HOT_COMMIT(
      "hot-commit",
      "a table property update on one table every client shares; a commit that loses the race is"
          + " retried at once on the new metadata");

  private final String label;
  private final String description;

  CatalogOperation(String label, String description) {
    this.label = label;
    this.description = description;
  }

  public String label() {
    return label;
  }

  public String description() {
    return description;
  }

  public static CatalogOperation parse(String text) {
    String wanted = text.strip().toLowerCase(Locale.ROOT);
    for (CatalogOperation operation : values()) {
      if (operation.label.equals(wanted)) {
        return operation;
      }
    }
    throw new IllegalArgumentException(
        "Cannot measure '"
            + text
            + "': the operations are "
            + Arrays.stream(values())
                .map(CatalogOperation::label)
                .collect(Collectors.joining(", ")));
  }
}
