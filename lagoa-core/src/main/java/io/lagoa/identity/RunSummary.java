package io.lagoa.identity;

import java.util.Map;

/**
 * What one run of a graph did with its records; every record read is in exactly one of {@code
 * newRecords}, {@code updatedRecords}, {@code replayedRecords}: nothing is dropped.
 *
 * @param recordsRead the rows the query delivered
 * @param newRecords records the graph did not have
 * @param updatedRecords records it had, delivered again with other values (their new keys join)
 * @param replayedRecords records delivered again unchanged (or twice in the batch): nothing done
 * @param matchedRecords new or updated records that joined an existing person or another record
 * @param newPersons persons created
 * @param merges persons merged into another (one same-as link each)
 * @param movedRecords records of merged persons moved to the survivor
 * @param keysOverShared keys rejected in this run by the over-sharing guard
 * @param rejectedKeyUses key values of records not used because their key is rejected
 * @param garbageKeys values that did not normalize (not an e-mail, phone or CPF), per kind
 * @param recordsWithoutKeys records with no usable key at all: each is a person of its own
 */
public record RunSummary(
    long recordsRead,
    long newRecords,
    long updatedRecords,
    long replayedRecords,
    long matchedRecords,
    long newPersons,
    long merges,
    long movedRecords,
    long keysOverShared,
    long rejectedKeyUses,
    Map<KeyKind, Long> garbageKeys,
    long recordsWithoutKeys) {
  public RunSummary {
    garbageKeys = Map.copyOf(garbageKeys);
  }

  public long garbageKeyCount() {
    return garbageKeys.values().stream().mapToLong(Long::longValue).sum();
  }

  /** As snapshot summary properties ({@code lagoa.identity.*}) and the run's log line. */
  public Map<String, String> properties() {
    Map<String, String> properties = new java.util.LinkedHashMap<>();
    properties.put("lagoa.identity.records-read", Long.toString(recordsRead));
    properties.put("lagoa.identity.new-records", Long.toString(newRecords));
    properties.put("lagoa.identity.updated-records", Long.toString(updatedRecords));
    properties.put("lagoa.identity.replayed-records", Long.toString(replayedRecords));
    properties.put("lagoa.identity.matched-records", Long.toString(matchedRecords));
    properties.put("lagoa.identity.new-persons", Long.toString(newPersons));
    properties.put("lagoa.identity.merges", Long.toString(merges));
    properties.put("lagoa.identity.moved-records", Long.toString(movedRecords));
    properties.put("lagoa.identity.keys-over-shared", Long.toString(keysOverShared));
    properties.put("lagoa.identity.rejected-key-uses", Long.toString(rejectedKeyUses));
    for (KeyKind kind : KeyKind.values()) {
      properties.put(
          "lagoa.identity.garbage-" + kind.column(),
          Long.toString(garbageKeys.getOrDefault(kind, 0L)));
    }
    properties.put("lagoa.identity.records-without-keys", Long.toString(recordsWithoutKeys));
    return properties;
  }

  /** " (2 email, 1 phone)": the garbage keys per kind, empty when there are none. */
  private String garbageByKind() {
    StringBuilder text = new StringBuilder();
    for (KeyKind kind : KeyKind.values()) {
      long count = garbageKeys.getOrDefault(kind, 0L);
      if (count > 0) {
        text.append(text.length() == 0 ? " (" : ", ")
            .append(count)
            .append(' ')
            .append(kind.column());
      }
    }
    return text.length() == 0 ? "" : text.append(')').toString();
  }

  @Override
  public String toString() {
    return recordsRead
        + " records read ("
        + newRecords
        + " new, "
        + updatedRecords
        + " updated, "
        + replayedRecords
        + " replayed), "
        + matchedRecords
        + " matched, "
        + newPersons
        + " new persons, "
        + merges
        + " merges ("
        + movedRecords
        + " records moved), "
        + keysOverShared
        + " keys rejected as over-shared ("
        + rejectedKeyUses
        + " uses), "
        + garbageKeyCount()
        + " garbage keys"
        + garbageByKind()
        + ", "
        + recordsWithoutKeys
        + " records without keys";
  }
}
