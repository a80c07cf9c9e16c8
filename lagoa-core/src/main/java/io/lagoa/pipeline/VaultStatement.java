package io.lagoa.pipeline;

import java.util.List;
import java.util.Optional;

/**
 * A Data Vault statement of a pipeline file as {@link VaultParser} read it, before {@link
 * VaultAssembler} resolves the names it refers to across files.
 */
public sealed interface VaultStatement {
  VaultKind kind();

  /** The table it is about, as written. */
  Name target();

  /** A name as written ({@code silver.hub_pessoa}, or a column), with where it is. */
  record Name(List<String> parts, SourcePosition position) {
    public Name {
      parts = List.copyOf(parts);
    }

    public String dotted() {
      return String.join(".", parts);
    }

    /** The last part: a table's name without its namespace, or the column. */
    public String last() {
      return parts.get(parts.size() - 1);
    }
  }

  /** A hub in a link's {@code HUBS (...)}: the hub, and the link's column for its hash key. */
  record HubReference(Name hub, Optional<Name> column) {}

  /**
   * {@code CREATE HUB | LINK | SATELLITE | EFFECTIVITY SATELLITE | PIT | BRIDGE name ...}.
   *
   * @param businessKey a hub's {@code BUSINESS KEY (...)} columns
   * @param hashKey {@code HASH KEY column}: the hub's or link's hash key column, when not the
   *     default
   * @param on a satellite's, PIT's or bridge's {@code ON} table
   * @param hubs a link's {@code HUBS (...)}
   * @param attributes a satellite's {@code ATTRIBUTES (...)}
   * @param drivingKey an effectivity satellite's {@code DRIVING KEY (hub)}
   * @param members a PIT's {@code SATELLITES (...)} or a bridge's {@code LINKS (...)}
   * @param text the statement as cut from the file
   */
  record Declaration(
      VaultKind kind,
      Name target,
      List<Name> businessKey,
      Optional<Name> hashKey,
      Optional<Name> on,
      List<HubReference> hubs,
      List<Name> attributes,
      Optional<Name> drivingKey,
      List<Name> members,
      io.lagoa.sql.Statement text)
      implements VaultStatement {
    public Declaration {
      businessKey = List.copyOf(businessKey);
      hubs = List.copyOf(hubs);
      attributes = List.copyOf(attributes);
      members = List.copyOf(members);
    }
  }

  /**
   * {@code CREATE FLOW name AS LOAD kind target FROM source [BUSINESS KEY (...)] [SEQUENCE BY
   * expression] RECORD SOURCE 'name'}.
   *
   * @param flow the flow's name
   * @param source the source as written: {@code STREAM(bronze.crm)} or {@code (SELECT ...)}
   * @param query whether the source is a parenthesized query
   * @param businessKey the source's columns holding the target's business key parts, in order;
   *     empty for the target's own business key column names
   * @param sequenceBy what orders the changes of one key (satellites)
   * @param position where LOAD is
   */
  record Load(
      String flow,
      VaultKind kind,
      Name target,
      String source,
      boolean query,
      List<Name> businessKey,
      Optional<AutoCdc.Expression> sequenceBy,
      String recordSource,
      SourcePosition position)
      implements VaultStatement {
    public Load {
      businessKey = List.copyOf(businessKey);
    }
  }
}
