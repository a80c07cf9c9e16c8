package io.lagoa.access;

import io.lagoa.text.EditDistance;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What a grant allows on a securable and everything below it. Privileges are independent: {@link
 * #WRITE} does not include {@link #READ}; grant each one a role needs.
 */
public enum Privilege {
  /** Load tables and views, list namespaces and tables. */
  READ,
  /** Commit to existing tables (appends, overwrites, schema changes). */
  WRITE,
  /** Create namespaces, tables and views. */
  CREATE,
  /** Drop namespaces, tables and views. */
  DROP,
  /** Grant and revoke privileges on the securable. */
  MANAGE_GRANTS;

  /** The name in configuration and on the command line: {@code read}, {@code manage_grants}. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The privilege named {@code name} (any case, {@code -} for {@code _}), or an error naming the
   * valid ones.
   */
  public static Privilege fromName(String name) {
    String normalized = name.strip().replace('-', '_').toUpperCase(Locale.ROOT);
    for (Privilege privilege : values()) {
      if (privilege.name().equals(normalized)) {
        return privilege;
      }
    }
    List<String> names = Arrays.stream(values()).map(Privilege::configName).toList();
    String suggestion =
        EditDistance.closest(name.toLowerCase(Locale.ROOT), names)
            .map(best -> " (did you mean '" + best + "'?)")
            .orElse("");
    throw new InvalidAccessArgumentException(
        "Cannot parse privilege '"
            + name
            + "'"
            + suggestion
            + ": expected one of "
            + String.join(", ", names));
  }
}
