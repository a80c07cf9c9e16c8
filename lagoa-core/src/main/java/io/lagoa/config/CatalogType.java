package io.lagoa.config;

import java.util.Locale;

public enum CatalogType {
  SQLITE,
  POSTGRES,
  REST;

  public static CatalogType fromName(String name) {
    return valueOf(name.toUpperCase(Locale.ROOT));
  }

  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
