package io.lagoa.cli;

import io.lagoa.access.AccessStore;
import io.lagoa.access.ClientCredentials;
import io.lagoa.access.Grant;
import io.lagoa.access.PrincipalInfo;
import io.lagoa.access.Privilege;
import io.lagoa.access.RoleInfo;
import io.lagoa.access.Securable;
import io.lagoa.audit.AuditEntry;
import io.lagoa.audit.AuditEvent;
import io.lagoa.audit.AuditTrail;
import io.lagoa.audit.CatalogAuditLog;
import io.lagoa.cli.output.JsonDocument;
import io.lagoa.cli.output.OutputFormat;
import io.lagoa.cli.output.OutputOptions;
import io.lagoa.config.CatalogType;
import io.lagoa.config.LagoaConfig;
import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.function.Function;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code lagoa admin}: the principals, roles and grants {@code lagoa server} enforces, and its
 * audit trail. They live in the catalog database, so these commands run where the configuration
 * names the server's SQLite or PostgreSQL catalog. Every change is recorded in the audit log.
 */
@Command(
    name = "admin",
    description = {
      "Manage who may use lagoa server (principals, roles, grants) and read its audit trail.",
      "Runs against the catalog database the server uses: the configuration must name that",
      "sqlite or postgres catalog (a rest catalog has no database to manage)."
    },
    mixinStandardHelpOptions = true,
    subcommands = {
      AdminCommand.PrincipalCommand.class,
      AdminCommand.RoleCommand.class,
      AdminCommand.GrantCommand.class,
      AdminCommand.RevokeCommand.class,
      AdminCommand.GrantsCommand.class,
      AdminCommand.AuditCommand.class
    })
final class AdminCommand extends CommandGroup {
  AdminCommand(Cli cli) {
    super(cli);
  }

  /** The configuration, when its catalog has a database to manage. */
  static LagoaConfig catalogDatabase(Cli cli) {
    LagoaConfig config = cli.config();
    if (config.catalog().type() == CatalogType.REST) {
      throw new LagoaException(
          ErrorCode.CONFIG_INVALID,
          "lagoa admin needs the catalog database, but "
              + config.describeSource()
              + " names a rest catalog ("
              + config.catalog().displayUri()
              + "). Run lagoa admin where lagoa.yaml (or --config) points at the sqlite or"
              + " postgres catalog that lagoa server uses.");
    }
    return config;
  }

  /** Runs {@code work} on the access store and records the change in the audit log. */
  static <T> T change(
      Cli cli, String action, String resource, String detail, Function<AccessStore, T> work) {
    LagoaConfig config = catalogDatabase(cli);
    T result;
    try (AccessStore store = AccessStore.open(config)) {
      result = work.apply(store);
    }
    try (CatalogAuditLog log = CatalogAuditLog.open(config)) {
      log.record(
          new AuditEvent(
              Instant.now(),
              "cli:" + cli.env().getOrDefault("USER", System.getProperty("user.name", "")),
              "",
              action,
              resource,
              AuditEvent.Outcome.ALLOWED,
              0,
              "",
              detail));
    }
    return result;
  }

  /** {@link #change} for work that returns nothing. */
  static void update(
      Cli cli, String action, String resource, String detail, Consumer<AccessStore> work) {
    change(
        cli,
        action,
        resource,
        detail,
        store -> {
          work.accept(store);
          return null;
        });
  }

  static <T> T read(Cli cli, Function<AccessStore, T> work) {
    try (AccessStore store = AccessStore.open(catalogDatabase(cli))) {
      return work.apply(store);
    }
  }

  static void printCredentials(Cli cli, ClientCredentials credentials, OutputFormat format) {
    String secret = credentials.clientSecret().value();
    if (format == OutputFormat.TABLE) {
      cli.out().println("client_id      " + credentials.clientId());
      cli.out().println("client_secret  " + secret);
      cli.out().flush();
    } else if (format == OutputFormat.JSON) {
      Map<String, Object> object = new LinkedHashMap<>();
      object.put("client_id", credentials.clientId());
      object.put("client_secret", secret);
      object.put("credential", credentials.credential().value());
      JsonDocument.print(object, cli.out());
    } else {
      cli.printer()
          .print(
              List.of("client_id", "client_secret"),
              List.of(List.of(credentials.clientId(), secret)),
              format,
              cli.out());
    }
    cli.err()
        .println(
            "The client secret is shown only this once: store it now. A REST catalog client"
                + " uses it as credential "
                + credentials.clientId()
                + ":<client_secret>.");
  }

  /**
   * Prints a row per item and, when there is none, says so on standard error (an empty table alone
   * reads like a failure).
   */
  static <T> void printRows(
      Cli cli,
      OutputFormat format,
      List<String> columns,
      List<T> items,
      Function<T, List<Object>> row,
      String whenNone) {
    List<List<Object>> rows = new ArrayList<>();
    for (T item : items) {
      rows.add(row.apply(item));
    }
    cli.printer().print(columns, rows, format, cli.out());
    if (items.isEmpty()) {
      cli.err().println(whenNone);
    }
  }

  static void done(Cli cli, String message) {
    cli.err().println(message);
  }

  @Command(
      name = "principal",
      description = "Create, list, delete principals (a principal's name is its client id).",
      mixinStandardHelpOptions = true,
      subcommands = {
        PrincipalCommand.Create.class,
        PrincipalCommand.ListPrincipals.class,
        PrincipalCommand.Delete.class,
        PrincipalCommand.RotateSecret.class
      })
  static final class PrincipalCommand extends CommandGroup {
    PrincipalCommand(Cli cli) {
      super(cli);
    }

    @Command(
        name = "create",
        description = {
          "Create a principal and print its client secret, once: only a hash is stored.",
          "Names: letters, digits, '_', '-', '.', '@'."
        },
        mixinStandardHelpOptions = true)
    static final class Create implements Callable<Integer> {
      private final Cli cli;

      @Parameters(paramLabel = "NAME", description = "The principal, e.g. spark-etl.")
      String name;

      @Mixin OutputOptions output;

      Create(Cli cli) {
        this.cli = cli;
      }

      @Override
      public Integer call() {
        ClientCredentials credentials =
            change(cli, "createPrincipal", name, "", store -> store.createPrincipal(name));
        printCredentials(cli, credentials, output.format());
        return 0;
      }
    }

    @Command(
        name = "list",
        description = "The principals, their roles, and when their secrets were set.",
        mixinStandardHelpOptions = true)
    static final class ListPrincipals implements Callable<Integer> {
      private final Cli cli;

      @Mixin OutputOptions output;

      ListPrincipals(Cli cli) {
        this.cli = cli;
      }

      @Override
      public Integer call() {
        boolean human = output.format() == OutputFormat.TABLE;
        printRows(
            cli,
            output.format(),
            List.of("principal", "roles", "created_at", "secret_changed_at"),
            read(cli, AccessStore::principals),
            (PrincipalInfo principal) ->
                Arrays.asList(
                    principal.name(),
                    human ? String.join(", ", principal.roles()) : principal.roles(),
                    principal.createdAt(),
                    principal.secretChangedAt()),
            "No principals yet; create one with lagoa admin principal create NAME");
        return 0;
      }
    }

    @Command(
        name = "delete",
        description = "Delete a principal: its secret and tokens stop working.",
        mixinStandardHelpOptions = true)
    static final class Delete implements Callable<Integer> {
      private final Cli cli;

      @Parameters(paramLabel = "NAME")
      String name;

      Delete(Cli cli) {
        this.cli = cli;
      }

      @Override
      public Integer call() {
        update(cli, "deletePrincipal", name, "", store -> store.deletePrincipal(name));
        done(cli, "Deleted principal " + name);
        return 0;
      }
    }

    @Command(
        name = "rotate-secret",
        description = {
          "Give a principal a new client secret (printed once); the old one stops working at",
          "once, tokens already issued with it run until they expire."
        },
        mixinStandardHelpOptions = true)
    static final class RotateSecret implements Callable<Integer> {
      private final Cli cli;

      @Parameters(paramLabel = "NAME")
      String name;

      @Mixin OutputOptions output;

      RotateSecret(Cli cli) {
        this.cli = cli;
      }

      @Override
      public Integer call() {
        ClientCredentials credentials =
            change(cli, "rotateSecret", name, "", store -> store.rotateSecret(name));
        printCredentials(cli, credentials, output.format());
        return 0;
      }
    }
  }

  @Command(
      name = "role",
      description = "Create, list, drop roles, and make principals members of them.",
      mixinStandardHelpOptions = true,
      subcommands = {
        RoleCommand.Create.class,
        RoleCommand.ListRoles.class,
        RoleCommand.Drop.class,
        RoleCommand.GrantTo.class,
        RoleCommand.RevokeFrom.class
      })
  static final class RoleCommand extends CommandGroup {
    RoleCommand(Cli cli) {
      super(cli);
    }

    @Command(name = "create", description = "Create a role.", mixinStandardHelpOptions = true)
    static final class Create implements Callable<Integer> {
      private final Cli cli;

      @Parameters(paramLabel = "ROLE")
      String role;

      Create(Cli cli) {
        this.cli = cli;
      }

      @Override
      public Integer call() {
        update(cli, "createRole", role, "", store -> store.createRole(role));
        done(cli, "Created role " + role);
        return 0;
      }
    }

    @Command(
        name = "list",
        description = "The roles, their members and how many grants each holds.",
        mixinStandardHelpOptions = true)
    static final class ListRoles implements Callable<Integer> {
      private final Cli cli;

      @Mixin OutputOptions output;

      ListRoles(Cli cli) {
        this.cli = cli;
      }

      @Override
      public Integer call() {
        boolean human = output.format() == OutputFormat.TABLE;
        printRows(
            cli,
            output.format(),
            List.of("role", "members", "grants", "created_at"),
            read(cli, AccessStore::roles),
            (RoleInfo role) ->
                Arrays.asList(
                    role.name(),
                    human ? String.join(", ", role.members()) : role.members(),
                    role.grants(),
                    role.createdAt()),
            "No roles yet; create one with lagoa admin role create ROLE");
        return 0;
      }
    }

    @Command(
        name = "drop",
        description = "Drop a role with its grants; its members lose what it gave them.",
        mixinStandardHelpOptions = true)
    static final class Drop implements Callable<Integer> {
      private final Cli cli;

      @Parameters(paramLabel = "ROLE")
      String role;

      Drop(Cli cli) {
        this.cli = cli;
      }

      @Override
      public Integer call() {
        update(cli, "dropRole", role, "", store -> store.dropRole(role));
        done(cli, "Dropped role " + role);
        return 0;
      }
    }

    @Command(
        name = "grant-to",
        description = "Make a principal a member of a role: lagoa admin role grant-to ROLE NAME.",
        mixinStandardHelpOptions = true)
    static final class GrantTo implements Callable<Integer> {
      private final Cli cli;

      @Parameters(index = "0", paramLabel = "ROLE")
      String role;

      @Parameters(index = "1", paramLabel = "PRINCIPAL")
      String principal;

      GrantTo(Cli cli) {
        this.cli = cli;
      }

      @Override
      public Integer call() {
        boolean changed =
            change(
                cli,
                "grantRole",
                principal,
                "role " + role,
                store -> store.grantRole(role, principal));
        done(
            cli,
            changed
                ? "Granted role " + role + " to " + principal
                : principal + " already has role " + role + "; nothing changed");
        return 0;
      }
    }

    @Command(
        name = "revoke-from",
        description = "Take a principal out of a role: lagoa admin role revoke-from ROLE NAME.",
        mixinStandardHelpOptions = true)
    static final class RevokeFrom implements Callable<Integer> {
      private final Cli cli;

      @Parameters(index = "0", paramLabel = "ROLE")
      String role;

      @Parameters(index = "1", paramLabel = "PRINCIPAL")
      String principal;

      RevokeFrom(Cli cli) {
        this.cli = cli;
      }

      @Override
      public Integer call() {
        update(
            cli,
            "revokeRole",
            principal,
            "role " + role,
            store -> store.revokeRole(role, principal));
        done(cli, "Revoked role " + role + " from " + principal);
        return 0;
      }
    }
  }

  @Command(
      name = "grant",
      description = {
        "Grant a privilege on the catalog, a namespace or a table to a role; it covers",
        "everything below: lagoa admin grant read --on namespace:sales --to analysts.",
        "Privileges: read, write, create, drop, manage_grants (each on its own: write does",
        "not include read)."
      },
      mixinStandardHelpOptions = true)
  static final class GrantCommand implements Callable<Integer> {
    private final Cli cli;

    @Parameters(paramLabel = "PRIVILEGE", description = "read, write, create, drop, manage_grants")
    String privilege;

    @Option(
        names = "--on",
        required = true,
        paramLabel = "SECURABLE",
        description = "catalog, namespace:<a.b> or table:<a.b.table>")
    String on;

    @Option(names = "--to", required = true, paramLabel = "ROLE")
    String role;

    GrantCommand(Cli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      Privilege parsed = Privilege.fromName(privilege);
      Securable securable = Securable.parse(on);
      boolean changed =
          change(
              cli,
              "grant",
              securable.toString(),
              parsed.configName() + " to role " + role,
              store -> store.grant(parsed, securable, role));
      done(
          cli,
          changed
              ? "Granted " + parsed.configName() + " on " + securable + " to role " + role
              : "Role "
                  + role
                  + " already has "
                  + parsed.configName()
                  + " on "
                  + securable
                  + "; nothing changed");
      return 0;
    }
  }

  @Command(
      name = "revoke",
      description = {
        "Revoke a privilege a role was granted on a securable:",
        "lagoa admin revoke read --on namespace:sales --from analysts. Servers stop allowing",
        "it within 5 seconds."
      },
      mixinStandardHelpOptions = true)
  static final class RevokeCommand implements Callable<Integer> {
    private final Cli cli;

    @Parameters(paramLabel = "PRIVILEGE", description = "read, write, create, drop, manage_grants")
    String privilege;

    @Option(
        names = "--on",
        required = true,
        paramLabel = "SECURABLE",
        description = "catalog, namespace:<a.b> or table:<a.b.table>")
    String on;

    @Option(names = "--from", required = true, paramLabel = "ROLE")
    String role;

    RevokeCommand(Cli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      Privilege parsed = Privilege.fromName(privilege);
      Securable securable = Securable.parse(on);
      update(
          cli,
          "revoke",
          securable.toString(),
          parsed.configName() + " from role " + role,
          store -> store.revoke(parsed, securable, role));
      done(cli, "Revoked " + parsed.configName() + " on " + securable + " from role " + role);
      return 0;
    }
  }

  @Command(
      name = "grants",
      description =
          "The grants: all of them, one role's, or what a principal holds through its" + " roles.",
      mixinStandardHelpOptions = true)
  static final class GrantsCommand implements Callable<Integer> {
    private final Cli cli;

    @ArgGroup(exclusive = true)
    Filter filter;

    static final class Filter {
      @Option(names = "--role", paramLabel = "ROLE", description = "Only this role's grants.")
      String role;

      @Option(
          names = "--principal",
          paramLabel = "NAME",
          description = "Only the grants of this principal's roles.")
      String principal;
    }

    @Mixin OutputOptions output;

    GrantsCommand(Cli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      List<Grant> grants =
          read(
              cli,
              store -> {
                if (filter != null && filter.role != null) {
                  return store.grantsOfRole(filter.role);
                }
                if (filter != null && filter.principal != null) {
                  return store.grantsOfPrincipal(filter.principal);
                }
                return store.grants();
              });
      printRows(
          cli,
          output.format(),
          List.of("role", "privilege", "securable", "granted_at"),
          grants,
          grant ->
              Arrays.asList(
                  grant.role(),
                  grant.privilege().configName(),
                  grant.securable().toString(),
                  grant.grantedAt()),
          "No grants");
      return 0;
    }
  }

  @Command(
      name = "audit",
      description = {
        "The audit trail, newest first: lagoa_system.audit and the events not published to it",
        "yet (published = false)."
      },
      mixinStandardHelpOptions = true)
  static final class AuditCommand implements Callable<Integer> {
    private final Cli cli;

    @Option(
        names = "--limit",
        paramLabel = "N",
        defaultValue = "50",
        description = "How many events (default: ${DEFAULT-VALUE}).")
    int limit;

    @Mixin OutputOptions output;

    AuditCommand(Cli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      if (limit < 1) {
        throw new LagoaException(
            ErrorCode.INVALID_ARGUMENT, "--limit must be at least 1, not " + limit);
      }
      LagoaConfig config = catalogDatabase(cli);
      List<AuditEntry> entries = AuditTrail.of(config, cli.catalog()).recent(limit);
      printRows(
          cli,
          output.format(),
          List.of(
              "id",
              "time",
              "principal",
              "client_address",
              "action",
              "resource",
              "outcome",
              "http_status",
              "request_id",
              "detail",
              "published"),
          entries,
          entry -> {
            AuditEvent event = entry.event();
            return Arrays.asList(
                entry.id(),
                event.time(),
                event.principal(),
                event.clientAddress(),
                event.action(),
                event.resource(),
                event.outcome().name(),
                event.httpStatus(),
                event.requestId(),
                event.detail(),
                entry.published());
          },
          "No audit events yet");
      return 0;
    }
  }
}
