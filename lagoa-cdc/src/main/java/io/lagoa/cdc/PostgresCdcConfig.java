package io.lagoa.cdc;

import java.util.Map;

/**
 * What to capture: one table of one PostgreSQL database, through one replication slot and
 * publication.
 *
 * @param url {@code jdbc:postgresql://host:port/database}
 * @param user a user with the REPLICATION attribute (or a superuser)
 * @param password the user's password; never logged
 * @param table {@code schema.table}, or a table in {@code public}
 * @param slot the replication slot, created by the connector when missing
 * @param publication the publication, created {@code FOR TABLE table} when missing
 * @param initialSnapshot read the table's rows first ({@code snapshot => 'initial'})
 * @param options more Debezium connector properties, which win over Lagoa's
 */
public record PostgresCdcConfig(
    String url,
    String user,
    String password,
    String table,
    String slot,
    String publication,
    boolean initialSnapshot,
    Map<String, String> options) {

  public PostgresCdcConfig {
    options = Map.copyOf(options);
  }

  /** The table as {@code schema.table}. */
  public String qualifiedTable() {
    return table.contains(".") ? table : "public." + table;
  }

  /** The engine's identity: one engine per server, database and slot. */
  public String engineKey() {
    return url + " " + slot;
  }

  @Override
  public String toString() {
    return "PostgresCdcConfig[url="
        + url
        + ", user="
        + user
        + ", table="
        + table
        + ", slot="
        + slot
        + ", publication="
        + publication
        + "]";
  }
}
