package io.lagoa.access;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a privilege is granted on: the whole catalog, a namespace (any depth, e.g. {@code sales.eu})
 * or a table or view ({@code sales.eu.orders}). A grant covers its securable and everything below
 * it: the catalog covers every namespace and table, a namespace its child namespaces and their
 * tables.
 *
 * @param kind which of the three
 * @param namespace the namespace's levels (empty for the catalog; the table's namespace for a
 *     table)
 * @param name the table's or view's name; empty for the catalog and namespaces
 */
public record Securable(Kind kind, List<String> namespace, Optional<String> name) {
  /** The three kinds of securable, by their prefix in text form. */
  public enum Kind {
    CATALOG("catalog"),
    NAMESPACE("namespace"),
    TABLE("table");

    private final String label;

    Kind(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  public Securable {
    namespace = List.copyOf(namespace);
    for (String level : namespace) {
      if (level == null || level.isEmpty()) {
        throw new IllegalArgumentException(
            "Cannot name a " + kind.label() + " with an empty namespace level: " + namespace);
      }
    }
    switch (kind) {
      case CATALOG -> {
        if (!namespace.isEmpty() || name.isPresent()) {
          throw new IllegalArgumentException("Cannot give the catalog a namespace or a name");
        }
      }
      case NAMESPACE -> {
        if (namespace.isEmpty() || name.isPresent()) {
          throw new IllegalArgumentException(
              "Cannot name a namespace without levels or with a table name: " + namespace);
        }
      }
      case TABLE -> {
        if (namespace.isEmpty() || name.isEmpty() || name.get().isEmpty()) {
          throw new IllegalArgumentException(
              "Cannot name a table without a namespace and a name: " + namespace + " " + name);
        }
      }
    }
  }

  public static Securable catalog() {
    return new Securable(Kind.CATALOG, List.of(), Optional.empty());
  }

  public static Securable namespace(List<String> levels) {
    return new Securable(Kind.NAMESPACE, levels, Optional.empty());
  }

  public static Securable table(List<String> namespace, String name) {
    return new Securable(Kind.TABLE, namespace, Optional.of(name));
  }

  /**
   * Parses the text form: {@code catalog}, {@code namespace:sales.eu} or {@code
   * table:sales.eu.orders} (levels separated by dots; a table needs a namespace and a name).
   */
  public static Securable parse(String text) {
    String trimmed = text == null ? "" : text.strip();
    if (trimmed.equalsIgnoreCase("catalog")) {
      return catalog();
    }
    int colon = trimmed.indexOf(':');
    String expected =
        "expected catalog, namespace:<namespace> (e.g. namespace:sales.eu) or"
            + " table:<namespace>.<table> (e.g. table:sales.eu.orders)";
    if (colon < 0) {
      throw new InvalidAccessArgumentException(
          "Cannot parse securable '"
              + trimmed
              + "': "
              + expected
              + (trimmed.isEmpty() ? "" : "; did you mean namespace:" + trimmed + "?"));
    }
    String prefix = trimmed.substring(0, colon).strip();
    String path = trimmed.substring(colon + 1).strip();
    List<String> levels = levels(path);
    if (prefix.equalsIgnoreCase("namespace")) {
      if (levels.isEmpty() || levels.contains("")) {
        throw new InvalidAccessArgumentException(
            "Cannot parse securable '"
                + trimmed
                + "': the namespace has an empty level; "
                + expected);
      }
      return namespace(levels);
    }
    if (prefix.equalsIgnoreCase("table") || prefix.equalsIgnoreCase("view")) {
      if (levels.size() < 2 || levels.contains("")) {
        throw new InvalidAccessArgumentException(
            "Cannot parse securable '"
                + trimmed
                + "': a table needs a namespace and a name, separated by dots; "
                + expected);
      }
      return table(levels.subList(0, levels.size() - 1), levels.get(levels.size() - 1));
    }
    throw new InvalidAccessArgumentException(
        "Cannot parse securable '" + trimmed + "': unknown kind '" + prefix + "'; " + expected);
  }

  private static List<String> levels(String path) {
    List<String> levels = new ArrayList<>();
    if (path.isEmpty()) {
      return levels;
    }
    for (String level : path.split("\\.", -1)) {
      levels.add(level.strip());
    }
    return levels;
  }

  /** The namespace levels and the name, if any: the securable's place in the tree. */
  public List<String> path() {
    if (name.isEmpty()) {
      return namespace;
    }
    List<String> path = new ArrayList<>(namespace);
    path.add(name.get());
    return List.copyOf(path);
  }

  /**
   * Whether a grant on this securable covers {@code other}: it is the same securable, or this is
   * the catalog, or this is a namespace that contains {@code other}.
   */
  public boolean covers(Securable other) {
    if (kind == Kind.CATALOG) {
      return true;
    }
    if (kind == Kind.TABLE) {
      return equals(other);
    }
    return other.kind != Kind.CATALOG
        && other.namespace.size() >= namespace.size()
        && other.namespace.subList(0, namespace.size()).equals(namespace);
  }

  /**
   * The text form {@link #parse} reads: {@code catalog}, {@code namespace:a.b}, {@code
   * table:a.b.t}.
   */
  @Override
  public String toString() {
    if (kind == Kind.CATALOG) {
      return kind.label();
    }
    return kind.label() + ":" + String.join(".", path());
  }
}
