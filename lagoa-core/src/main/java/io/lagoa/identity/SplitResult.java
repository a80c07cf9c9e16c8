package io.lagoa.identity;

import java.util.List;

/**
 * What {@code identity split} did.
 *
 * @param ambiguousKeys keys both halves hold: they join nobody any more
 */
public record SplitResult(
    String graph,
    String personId,
    String newPersonId,
    List<RecordRef> moved,
    List<String> ambiguousKeys,
    String reason) {
  public SplitResult {
    moved = List.copyOf(moved);
    ambiguousKeys = List.copyOf(ambiguousKeys);
  }
}
