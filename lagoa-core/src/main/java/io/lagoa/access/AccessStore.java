package io.lagoa.access;

import io.lagoa.catalog.CatalogDatabase;
import io.lagoa.config.CatalogType;
import io.lagoa.config.LagoaConfig;
import io.lagoa.config.Secret;
import io.lagoa.text.EditDistance;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Principals, roles and grants, kept in the catalog database (SQLite or PostgreSQL) in tables named
 * {@code lagoa_access_*}, next to Iceberg's own. Every server on one catalog database shares them,
 * with the key that signs tokens. The tables are created on first use; several processes may do so
 * at once.
 *
 * <p>A principal's name is its OAuth client id. Its secret is generated here, returned once, and
 * stored only as a salted PBKDF2-HMAC-SHA256 hash. Roles hold grants; principals hold roles.
 *
 * <p>Thread-safe: one connection, used by one operation at a time.
 */
public final class AccessStore implements AutoCloseable {
  static final String PRINCIPALS = "lagoa_access_principals";
  static final String ROLES = "lagoa_access_roles";
  static final String MEMBERS = "lagoa_access_members";
  static final String GRANTS = "lagoa_access_grants";
  static final String KEYS = "lagoa_access_keys";

  /** The name of the row holding the HS256 token-signing key. */
  static final String SIGNING_KEY = "token-signing-hs256";

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.@-]{0,127}");
  private static final char PATH_SEPARATOR = '\u001f';
  private static final int LISTED_NAMES = 10;

  private final CatalogDatabase database;
  private final Clock clock;
  private Connection connection;
  private boolean created;

  public AccessStore(CatalogDatabase database, Clock clock) {
    this.database = database;
    this.clock = clock;
  }

  /**
   * The access store of a configuration's catalog database; a configuration error for a REST
   * catalog, whose database only its server reaches.
   */
  public static AccessStore open(LagoaConfig config, Clock clock) {
    return new AccessStore(CatalogDatabase.require(config, "Access control"), clock);
  }

  public static AccessStore open(LagoaConfig config) {
    return open(config, Clock.systemUTC());
  }

  /** The database the store lives in. */
  public CatalogDatabase database() {
    return database;
  }

  // ---- principals ----

  /**
   * Creates a principal and its client secret, which is returned here once and never again.
   *
   * @throws AlreadyExistsException when a principal of that name exists
   */
  public ClientCredentials createPrincipal(String name) {
    checkName("principal", name);
    String secret = SecretHashing.newSecret();
    String hash = SecretHashing.hash(secret);
    long now = clock.millis();
    int inserted =
        update(
            "INSERT INTO "
                + PRINCIPALS
                + " (name, secret_hash, created_at, secret_changed_at) VALUES (?, ?, ?, ?)"
                + " ON CONFLICT (name) DO NOTHING",
            name,
            hash,
            now,
            now);
    if (inserted == 0) {
      throw new AlreadyExistsException(
          "Cannot create principal '" + name + "': a principal of that name exists");
    }
    return new ClientCredentials(name, new Secret(secret));
  }

  /**
   * Creates a principal with a role of the same name that holds every privilege on the catalog: an
   * operator's or a tool's principal (tests, the catalog bench). Returns its client secret once.
   */
  public ClientCredentials createCatalogAdmin(String name) {
    ClientCredentials credentials = createPrincipal(name);
    createRole(name);
    grantRole(name, name);
    for (Privilege privilege : Privilege.values()) {
      grant(privilege, Securable.catalog(), name);
    }
    return credentials;
  }

  /**
   * Gives a principal a new client secret; the old one stops working at once (tokens issued with it
   * stay valid until they expire).
   */
  public ClientCredentials rotateSecret(String name) {
    String secret = SecretHashing.newSecret();
    int updated =
        update(
            "UPDATE " + PRINCIPALS + " SET secret_hash = ?, secret_changed_at = ? WHERE name = ?",
            SecretHashing.hash(secret),
            clock.millis(),
            name);
    if (updated == 0) {
      throw unknownPrincipal("rotate the secret of", name);
    }
    return new ClientCredentials(name, new Secret(secret));
  }

  /** Deletes a principal and its role memberships; its tokens stop working. */
  public void deletePrincipal(String name) {
    int deleted =
        transaction(
            connection -> {
              execute(connection, "DELETE FROM " + MEMBERS + " WHERE principal = ?", name);
              return execute(connection, "DELETE FROM " + PRINCIPALS + " WHERE name = ?", name);
            });
    if (deleted == 0) {
      throw unknownPrincipal("delete", name);
    }
  }

  /** Every principal with its roles, by name. */
  public List<PrincipalInfo> principals() {
    return read(
        connection -> {
          Map<String, List<String>> roles = memberships(connection);
          List<PrincipalInfo> principals = new ArrayList<>();
          try (PreparedStatement statement =
                  connection.prepareStatement(
                      "SELECT name, created_at, secret_changed_at FROM "
                          + PRINCIPALS
                          + " ORDER BY name");
              ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
              String name = rows.getString(1);
              principals.add(
                  new PrincipalInfo(
                      name,
                      roles.getOrDefault(name, List.of()),
                      Instant.ofEpochMilli(rows.getLong(2)),
                      Instant.ofEpochMilli(rows.getLong(3))));
            }
          }
          return principals;
        });
  }

  // ---- roles ----

  /**
   * Creates a role with no grants and no members.
   *
   * @throws AlreadyExistsException when a role of that name exists
   */
  public void createRole(String name) {
    checkName("role", name);
    int inserted =
        update(
            "INSERT INTO "
                + ROLES
                + " (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
            name,
            clock.millis());
    if (inserted == 0) {
      throw new AlreadyExistsException(
          "Cannot create role '" + name + "': a role of that name exists");
    }
  }

  /** Drops a role with its grants and memberships. */
  public void dropRole(String name) {
    int deleted =
        transaction(
            connection -> {
              execute(connection, "DELETE FROM " + GRANTS + " WHERE role = ?", name);
              execute(connection, "DELETE FROM " + MEMBERS + " WHERE role = ?", name);
              return execute(connection, "DELETE FROM " + ROLES + " WHERE name = ?", name);
            });
    if (deleted == 0) {
      throw unknownRole("drop", name);
    }
  }

  /** Every role with its members and number of grants, by name. */
  public List<RoleInfo> roles() {
    return read(
        connection -> {
          Map<String, List<String>> members = new HashMap<>();
          try (PreparedStatement statement =
                  connection.prepareStatement(
                      "SELECT role, principal FROM " + MEMBERS + " ORDER BY principal");
              ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
              members
                  .computeIfAbsent(rows.getString(1), role -> new ArrayList<>())
                  .add(rows.getString(2));
            }
          }
          Map<String, Integer> grants = new HashMap<>();
          try (PreparedStatement statement =
                  connection.prepareStatement(
                      "SELECT role, COUNT(*) FROM " + GRANTS + " GROUP BY role");
              ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
              grants.put(rows.getString(1), rows.getInt(2));
            }
          }
          List<RoleInfo> roles = new ArrayList<>();
          try (PreparedStatement statement =
                  connection.prepareStatement(
                      "SELECT name, created_at FROM " + ROLES + " ORDER BY name");
              ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
              String name = rows.getString(1);
              roles.add(
                  new RoleInfo(
                      name,
                      members.getOrDefault(name, List.of()),
                      grants.getOrDefault(name, 0),
                      Instant.ofEpochMilli(rows.getLong(2))));
            }
          }
          return roles;
        });
  }

  /**
   * Makes a principal a member of a role.
   *
   * @return false when it already was
   */
  public boolean grantRole(String role, String principal) {
    int inserted =
        update(
            "INSERT INTO "
                + MEMBERS
                + " (role, principal, granted_at) SELECT ?, ?, ?"
                + " WHERE EXISTS (SELECT 1 FROM "
                + ROLES
                + " WHERE name = ?) AND EXISTS (SELECT 1 FROM "
                + PRINCIPALS
                + " WHERE name = ?) ON CONFLICT (role, principal) DO NOTHING",
            role,
            principal,
            clock.millis(),
            role,
            principal);
    if (inserted == 0) {
      requireRole("grant", role);
      requirePrincipal("grant role '" + role + "' to", principal);
    }
    return inserted > 0;
  }

  /** Takes a principal out of a role. */
  public void revokeRole(String role, String principal) {
    int deleted =
        update("DELETE FROM " + MEMBERS + " WHERE role = ? AND principal = ?", role, principal);
    if (deleted == 0) {
      requireRole("revoke", role);
      requirePrincipal("revoke role '" + role + "' from", principal);
      throw new NoSuchGrantException(
          "Cannot revoke role '"
              + role
              + "' from principal '"
              + principal
              + "': the principal is not a member of it");
    }
  }

  // ---- grants ----

  /**
   * Grants a privilege on a securable (and everything below it) to a role.
   *
   * @return false when the role already had it
   */
  public boolean grant(Privilege privilege, Securable securable, String role) {
    int inserted =
        update(
            "INSERT INTO "
                + GRANTS
                + " (role, privilege, securable_kind, securable_path, granted_at)"
                + " SELECT ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM "
                + ROLES
                + " WHERE name = ?)"
                + " ON CONFLICT (role, privilege, securable_kind, securable_path) DO NOTHING",
            role,
            privilege.name(),
            securable.kind().name(),
            encode(securable),
            clock.millis(),
            role);
    if (inserted == 0) {
      requireRole("grant " + privilege.configName() + " on " + securable + " to", role);
    }
    return inserted > 0;
  }

  /**
   * Revokes a privilege on a securable from a role; it must have been granted on that securable.
   */
  public void revoke(Privilege privilege, Securable securable, String role) {
    int deleted =
        update(
            "DELETE FROM "
                + GRANTS
                + " WHERE role = ? AND privilege = ? AND securable_kind = ? AND securable_path = ?",
            role,
            privilege.name(),
            securable.kind().name(),
            encode(securable));
    if (deleted == 0) {
      String action = "revoke " + privilege.configName() + " on " + securable + " from";
      requireRole(action, role);
      List<String> held =
          grantsOfRole(role).stream()
              .map(grant -> grant.privilege().configName() + " on " + grant.securable())
              .toList();
      throw new NoSuchGrantException(
          "Cannot "
              + action
              + " role '"
              + role
              + "': the role holds no such grant"
              + (held.isEmpty() ? " (it holds none)" : "; it holds: " + String.join(", ", held)));
    }
  }

  /** Every grant, by role, securable and privilege. */
  public List<Grant> grants() {
    return read(connection -> grants(connection, null));
  }

  /** The grants of one role. */
  public List<Grant> grantsOfRole(String role) {
    requireRole("list the grants of", role);
    return read(connection -> grants(connection, Set.of(role)));
  }

  /** The grants a principal holds through its roles. */
  public List<Grant> grantsOfPrincipal(String principal) {
    requirePrincipal("list the grants of", principal);
    return read(
        connection -> {
          List<String> roles = memberships(connection).getOrDefault(principal, List.of());
          return roles.isEmpty() ? List.of() : grants(connection, new HashSet<>(roles));
        });
  }

  // ---- what AccessControl reads ----

  /** The stored hash of a principal's secret; empty for an unknown principal. */
  Optional<String> secretHash(String principal) {
    return read(
        connection -> {
          try (PreparedStatement statement =
              connection.prepareStatement(
                  "SELECT secret_hash FROM " + PRINCIPALS + " WHERE name = ?")) {
            statement.setString(1, principal);
            try (ResultSet rows = statement.executeQuery()) {
              return rows.next() ? Optional.of(rows.getString(1)) : Optional.empty();
            }
          }
        });
  }

  /** Every principal's roles and every role's grants, read at once. */
  AccessSnapshot snapshot() {
    return read(
        connection -> {
          Map<String, Long> created = new HashMap<>();
          try (PreparedStatement statement =
                  connection.prepareStatement("SELECT name, created_at FROM " + PRINCIPALS);
              ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
              created.put(rows.getString(1), rows.getLong(2));
            }
          }
          Map<String, List<String>> roles = memberships(connection);
          Map<String, AccessSnapshot.Member> principals = new HashMap<>();
          created.forEach(
              (name, at) ->
                  principals.put(
                      name,
                      new AccessSnapshot.Member(
                          new HashSet<>(roles.getOrDefault(name, List.of())), at)));
          Map<String, List<Grant>> grants = new HashMap<>();
          for (Grant grant : grants(connection, null)) {
            grants.computeIfAbsent(grant.role(), role -> new ArrayList<>()).add(grant);
          }
          return new AccessSnapshot(principals, grants);
        });
  }

  /**
   * The key that signs tokens: 256 random bits, created by whichever process asks first; every
   * other process on the catalog database reads the same one.
   */
  byte[] signingKey() {
    byte[] candidate = new byte[32];
    new SecureRandom().nextBytes(candidate);
    update(
        "INSERT INTO "
            + KEYS
            + " (name, key_material, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING",
        SIGNING_KEY,
        Base64.getEncoder().encodeToString(candidate),
        clock.millis());
    return read(
        connection -> {
          try (PreparedStatement statement =
              connection.prepareStatement("SELECT key_material FROM " + KEYS + " WHERE name = ?")) {
            statement.setString(1, SIGNING_KEY);
            try (ResultSet rows = statement.executeQuery()) {
              if (!rows.next()) {
                throw new SQLException("the token-signing key vanished from " + KEYS);
              }
              return Base64.getDecoder().decode(rows.getString(1));
            }
          }
        });
  }

  @Override
  public synchronized void close() {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException e) {
        // closing: nothing left to do with it
      }
      connection = null;
    }
  }

  // ---- helpers ----

  private static void checkName(String what, String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new InvalidAccessArgumentException(
          "Cannot create "
              + what
              + " '"
              + name
              + "': a name is 1 to 128 letters, digits, '_', '-', '.' or '@', starting with a"
              + " letter or digit");
    }
  }

  private void requirePrincipal(String action, String name) {
    boolean exists = exists("SELECT 1 FROM " + PRINCIPALS + " WHERE name = ?", name);
    if (!exists) {
      throw unknownPrincipal(action, name);
    }
  }

  private void requireRole(String action, String name) {
    boolean exists = exists("SELECT 1 FROM " + ROLES + " WHERE name = ?", name);
    if (!exists) {
      throw unknownRole(action, name);
    }
  }

  private NoSuchPrincipalException unknownPrincipal(String action, String name) {
    List<String> known = names(PRINCIPALS);
    return new NoSuchPrincipalException(
        name,
        "Cannot " + action + " principal '" + name + "': " + unknown("principal", name, known));
  }

  private NoSuchRoleException unknownRole(String action, String name) {
    List<String> known = names(ROLES);
    return new NoSuchRoleException(
        name, "Cannot " + action + " role '" + name + "': " + unknown("role", name, known));
  }

  private static String unknown(String what, String name, List<String> known) {
    String message = "unknown " + what + " '" + name + "'";
    Optional<String> closest = EditDistance.closest(name, known);
    if (closest.isPresent()) {
      return message + " (did you mean '" + closest.get() + "'?)";
    }
    if (known.isEmpty()) {
      return message + "; there are no " + what + "s yet";
    }
    List<String> shown = known.subList(0, Math.min(LISTED_NAMES, known.size()));
    return message
        + "; the "
        + what
        + "s are "
        + String.join(", ", shown)
        + (known.size() > shown.size() ? " and " + (known.size() - shown.size()) + " more" : "");
  }

  private List<String> names(String table) {
    return read(
        connection -> {
          List<String> names = new ArrayList<>();
          try (PreparedStatement statement =
                  connection.prepareStatement("SELECT name FROM " + table + " ORDER BY name");
              ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
              names.add(rows.getString(1));
            }
          }
          return names;
        });
  }

  private boolean exists(String sql, String value) {
    return read(
        connection -> {
          try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, value);
            try (ResultSet rows = statement.executeQuery()) {
              return rows.next();
            }
          }
        });
  }

  /** Role names by principal. */
  private static Map<String, List<String>> memberships(Connection connection) throws SQLException {
    Map<String, List<String>> roles = new TreeMap<>();
    try (PreparedStatement statement =
            connection.prepareStatement(
                "SELECT principal, role FROM " + MEMBERS + " ORDER BY principal, role");
        ResultSet rows = statement.executeQuery()) {
      while (rows.next()) {
        roles
            .computeIfAbsent(rows.getString(1), principal -> new ArrayList<>())
            .add(rows.getString(2));
      }
    }
    return roles;
  }

  private static List<Grant> grants(Connection connection, Set<String> roles) throws SQLException {
    List<Grant> grants = new ArrayList<>();
    try (PreparedStatement statement =
            connection.prepareStatement(
                "SELECT role, privilege, securable_kind, securable_path, granted_at FROM "
                    + GRANTS
                    + " ORDER BY role, securable_kind, securable_path, privilege");
        ResultSet rows = statement.executeQuery()) {
      while (rows.next()) {
        String role = rows.getString(1);
        if (roles != null && !roles.contains(role)) {
          continue;
        }
        grants.add(
            new Grant(
                role,
                Privilege.valueOf(rows.getString(2)),
                decode(rows.getString(3), rows.getString(4)),
                Instant.ofEpochMilli(rows.getLong(5))));
      }
    }
    return grants;
  }

  static String encode(Securable securable) {
    return String.join(String.valueOf(PATH_SEPARATOR), securable.path());
  }

  static Securable decode(String kind, String path) {
    List<String> levels =
        path.isEmpty() ? List.of() : List.of(path.split(String.valueOf(PATH_SEPARATOR), -1));
    return switch (Securable.Kind.valueOf(kind)) {
      case CATALOG -> Securable.catalog();
      case NAMESPACE -> Securable.namespace(levels);
      case TABLE ->
          Securable.table(levels.subList(0, levels.size() - 1), levels.get(levels.size() - 1));
    };
  }

  @FunctionalInterface
  private interface Work<T> {
    T run(Connection connection) throws SQLException;
  }

  private int update(String sql, Object... values) {
    return read(connection -> execute(connection, sql, values));
  }

  private static int execute(Connection connection, String sql, Object... values)
      throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i = 0; i < values.length; i++) {
        statement.setObject(i + 1, values[i]);
      }
      return statement.executeUpdate();
    }
  }

  private <T> T transaction(Work<T> work) {
    return read(
        connection -> {
          connection.setAutoCommit(false);
          try {
            T result = work.run(connection);
            connection.commit();
            return result;
          } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
          } finally {
            connection.setAutoCommit(true);
          }
        });
  }

  /**
   * Runs {@code work} on the store's connection, opening it (and creating the tables) when needed;
   * a connection that broke is replaced once.
   */
  private synchronized <T> T read(Work<T> work) {
    for (int attempt = 0; ; attempt++) {
      try {
        return work.run(connection());
      } catch (SQLException e) {
        boolean broken = connection != null && !valid(connection);
        if (broken) {
          close();
        }
        if (!broken || attempt >= 1) {
          throw database.unavailable("the access control tables", e);
        }
      }
    }
  }

  private static boolean valid(Connection connection) {
    try {
      return connection.isValid(2);
    } catch (SQLException e) {
      return false;
    }
  }

  private Connection connection() throws SQLException {
    if (!created) {
      database.createTables(tables(database.type()));
      created = true;
    }
    if (connection == null) {
      connection = database.connect();
    }
    return connection;
  }

  /** The tables' definitions; one dialect serves SQLite and PostgreSQL. */
  static List<String> tables(CatalogType type) {
    Map<String, String> tables = new LinkedHashMap<>();
    tables.put(
        PRINCIPALS,
        "name VARCHAR(128) NOT NULL PRIMARY KEY, secret_hash VARCHAR(256) NOT NULL,"
            + " created_at BIGINT NOT NULL, secret_changed_at BIGINT NOT NULL");
    tables.put(ROLES, "name VARCHAR(128) NOT NULL PRIMARY KEY, created_at BIGINT NOT NULL");
    tables.put(
        MEMBERS,
        "role VARCHAR(128) NOT NULL, principal VARCHAR(128) NOT NULL,"
            + " granted_at BIGINT NOT NULL, PRIMARY KEY (role, principal)");
    tables.put(
        GRANTS,
        "role VARCHAR(128) NOT NULL, privilege VARCHAR(32) NOT NULL,"
            + " securable_kind VARCHAR(16) NOT NULL, securable_path VARCHAR(2048) NOT NULL,"
            + " granted_at BIGINT NOT NULL,"
            + " PRIMARY KEY (role, privilege, securable_kind, securable_path)");
    tables.put(
        KEYS,
        "name VARCHAR(64) NOT NULL PRIMARY KEY, key_material VARCHAR(256) NOT NULL,"
            + " created_at BIGINT NOT NULL");
    List<String> statements = new ArrayList<>();
    tables.forEach(
        (name, columns) ->
            statements.add("CREATE TABLE IF NOT EXISTS " + name + " (" + columns + ")"));
    return statements;
  }
}
