package io.lagoa.identity;

/** Whether a key of the index still joins records. */
public enum KeyStatus {
  /** The key joins the records that carry it. */
  ACTIVE,
  /** Carried by more distinct names than MAX NAMES PER KEY allows: it joins nobody any more. */
  OVER_SHARED,
  /** Held by both halves of a split person: it joins nobody any more, so the split holds. */
  AMBIGUOUS
}
