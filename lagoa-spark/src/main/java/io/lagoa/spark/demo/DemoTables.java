package io.lagoa.spark.demo;

import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.catalog.ViewCatalog;
import org.apache.iceberg.exceptions.NoSuchTableException;

/**
 * The tables the demo owns, and the rule that keeps it away from everyone else's: a demo table
 * carries the property {@value #OWNER_PROPERTY}=true, and the demo replaces only tables that do.
 * Uses the Iceberg API alone, so the CLI can check before it starts Spark.
 */
public record DemoTables(String namespacePrefix) {
  public static final String OWNER_PROPERTY = "lagoa.demo";

  /**
   * How a conflict's message names the namespace prefix it suggests, followed by the prefix; an
   * adapter may put its own name for the setting in its place (the CLI's --namespace-prefix).
   */
  public static final String OTHER_PREFIX = "the namespace prefix ";

  /** How a conflict's message ends: an adapter may add how to choose another warehouse. */
  public static final String OTHER_WAREHOUSE = "or in another warehouse";

  public String bronzeNamespace() {
    return namespacePrefix + "bronze";
  }

  public String silverNamespace() {
    return namespacePrefix + "silver";
  }

  public String goldNamespace() {
    return namespacePrefix + "gold";
  }

  public List<String> namespaces() {
    return List.of(bronzeNamespace(), silverNamespace(), goldNamespace());
  }

  public String bronze() {
    return bronzeNamespace() + ".vendas";
  }

  public String silver() {
    return silverNamespace() + ".vendas";
  }

  public String goldByProduct() {
    return goldNamespace() + ".vendas_por_produto";
  }

  public String goldByMonth() {
    return goldNamespace() + ".vendas_por_mes";
  }

  /** Every table the demo writes, in the order it writes them. */
  public List<String> all() {
    return List.of(bronze(), silver(), goldByProduct(), goldByMonth());
  }

  /**
   * Checks that the demo may write its tables and returns those a previous run left, which it will
   * replace.
   *
   * @throws LagoaException if a table or view with a demo table's name exists and is not the
   *     demo's; nothing has been changed then
   */
  public List<String> checkOwnership(Catalog catalog) {
    List<String> previous = new ArrayList<>();
    for (String name : all()) {
      TableIdentifier identifier = identifier(name);
      if (catalog instanceof ViewCatalog views && views.viewExists(identifier)) {
        throw conflict(name, "a view");
      }
      Table table;
      try {
        table = catalog.loadTable(identifier);
      } catch (NoSuchTableException e) {
        continue;
      }
      if (!"true".equals(table.properties().get(OWNER_PROPERTY))) {
        throw conflict(name, "a table");
      }
      previous.add(name);
    }
    return previous;
  }

  private LagoaException conflict(String name, String what) {
    String other = "demo_".equals(namespacePrefix) ? "demo2_" : "demo_";
    return new LagoaException(
        ErrorCode.TABLE_CONFLICT,
        "cannot run the demo: "
            + name
            + " already exists and is "
            + what
            + " the demo did not"
            + " create (it lacks the property "
            + OWNER_PROPERTY
            + "=true), so the demo leaves it"
            + " untouched. Run the demo in other namespaces with "
            + OTHER_PREFIX
            + other
            + " (tables "
            + other
            + "bronze.vendas, ...), "
            + OTHER_WAREHOUSE);
  }

  static TableIdentifier identifier(String name) {
    int dot = name.indexOf('.');
    return TableIdentifier.of(Namespace.of(name.substring(0, dot)), name.substring(dot + 1));
  }
}
