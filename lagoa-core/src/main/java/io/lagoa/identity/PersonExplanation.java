package io.lagoa.identity;

import java.util.List;

/**
 * Why a person is who it is: its records with the key and rule that joined each, the keys it holds,
 * the persons merged into it (or the one it was merged into) and its audit events.
 *
 * @param asked what the explanation was asked for (a person id, an e-mail, a phone), as written
 * @param mergedInto when {@code asked} named a person that was merged: the chain of ids from it to
 *     this person; empty otherwise
 * @param rules the graph's rules ({@link MatchRules#describe()})
 */
public record PersonExplanation(
    String graph,
    String personId,
    String asked,
    List<String> mergedInto,
    String rules,
    List<RecordRow> records,
    List<KeyRow> keys,
    List<SameAs> sameAs,
    List<GraphEvent> events) {
  public PersonExplanation {
    mergedInto = List.copyOf(mergedInto);
    records = List.copyOf(records);
    keys = List.copyOf(keys);
    sameAs = List.copyOf(sameAs);
    events = List.copyOf(events);
  }
}
