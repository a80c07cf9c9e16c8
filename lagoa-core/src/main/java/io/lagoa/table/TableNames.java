package io.lagoa.table;

import io.lagoa.catalog.CatalogProperties;
import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import java.util.Arrays;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;

/** Parses table names as users type them: {@code silver.vendas} or {@code lagoa.silver.vendas}. */
public final class TableNames {
  private TableNames() {}

  public static TableIdentifier parse(String name) {
    String trimmed = name == null ? "" : name.strip().replace("`", "");
    String[] parts = trimmed.split("\\.", -1);
    if (trimmed.isEmpty() || Arrays.stream(parts).anyMatch(String::isBlank)) {
      throw new LagoaException(
          ErrorCode.INVALID_ARGUMENT,
          "expected a table name such as silver.vendas, but got '" + name + "'");
    }
    if (parts.length > 2 && parts[0].equals(CatalogProperties.CATALOG_NAME)) {
      parts = Arrays.copyOfRange(parts, 1, parts.length);
    }
    if (parts.length < 2) {
      throw new LagoaException(
          ErrorCode.INVALID_ARGUMENT,
          "table names need a namespace, e.g. bronze." + parts[0] + ", but got '" + name + "'");
    }
    return TableIdentifier.of(
        Namespace.of(Arrays.copyOf(parts, parts.length - 1)), parts[parts.length - 1]);
  }

  public static Namespace parseNamespace(String name) {
    String trimmed = name.strip().replace("`", "");
    if (trimmed.isEmpty() || Arrays.stream(trimmed.split("\\.", -1)).anyMatch(String::isBlank)) {
      throw new LagoaException(
          ErrorCode.INVALID_ARGUMENT,
          "expected a namespace such as silver, but got '" + name + "'");
    }
    return Namespace.of(trimmed.split("\\."));
  }
}
