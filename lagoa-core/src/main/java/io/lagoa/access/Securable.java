package io.lagoa.access;

import java.util.List;

/** The catalog, a namespace or a table/view: what a grant is on. */
public record Securable(Kind kind, List<String> namespace, String name) {
  public enum Kind {
    CATALOG,
    NAMESPACE,
    TABLE
  }

  public Securable {
    namespace = List.copyOf(namespace);
  }

  public static Securable catalog() {
    return new Securable(Kind.CATALOG, List.of(), null);
  }

  public static Securable namespace(List<String> levels) {
    return levels.isEmpty() ? catalog() : new Securable(Kind.NAMESPACE, levels, null);
  }

  public static Securable table(List<String> namespace, String name) {
    return new Securable(Kind.TABLE, namespace, name);
  }
}
