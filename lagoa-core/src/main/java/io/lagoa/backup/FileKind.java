package io.lagoa.backup;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** What a file of a backed-up table is, as its table's metadata names it. */
public enum FileKind {
  METADATA,
  MANIFEST_LIST,
  MANIFEST,
  DATA,
  DELETE,
  STATISTICS;

  @JsonValue
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  @JsonCreator
  public static FileKind of(String id) {
    return valueOf(id.toUpperCase(Locale.ROOT));
  }
}
