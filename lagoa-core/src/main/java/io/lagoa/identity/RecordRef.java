package io.lagoa.identity;

/** A source record's identity in a graph: where it came from and its id there. */
public record RecordRef(String source, String recordId) implements Comparable<RecordRef> {
  public RecordRef {
    if (source == null || source.isBlank() || recordId == null || recordId.isBlank()) {
      throw new IllegalArgumentException(
          "Cannot identify a record: source and record_id must not be empty, got source="
              + source
              + " record_id="
              + recordId);
    }
  }

  /** {@code source/record_id}, as explanations and the CLI write it. */
  @Override
  public String toString() {
    return source + "/" + recordId;
  }

  /** Reads {@code source/record_id}. */
  public static RecordRef parse(String text) {
    int slash = text.indexOf('/');
    if (slash <= 0 || slash == text.length() - 1) {
      throw new IllegalArgumentException(
          "Cannot read record '" + text + "': write it source/record_id, e.g. crm/1042");
    }
    return new RecordRef(text.substring(0, slash), text.substring(slash + 1));
  }

  @Override
  public int compareTo(RecordRef other) {
    int bySource = source.compareTo(other.source);
    return bySource != 0 ? bySource : recordId.compareTo(other.recordId);
  }
}
