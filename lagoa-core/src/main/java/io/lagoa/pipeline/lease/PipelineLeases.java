package io.lagoa.pipeline.lease;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import io.lagoa.pipeline.InterruptedRun;
import io.lagoa.pipeline.PipelineCommits;
import io.lagoa.pipeline.RunJournal;
import io.lagoa.pipeline.TableState;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Pipeline run leases in the catalog database (SQLite or PostgreSQL): at most one runner of a
 * pipeline at a time, across processes and machines. A lease is a row that its holder renews while
 * it runs; it expires when the holder stops renewing it (a killed process, a lost machine). The row
 * also carries the {@link RunJournal} of the holder's current run, so whoever takes over the lease
 * of a dead holder learns of its interrupted run.
 *
 * <p>The catalog database was chosen because every runner of a warehouse already reaches it, and
 * its transactions give the compare-and-set a lease needs; nothing else has to be run or
 * configured. Leases complement, not replace, the commit check of {@link PipelineCommits}: a runner
 * that loses its lease (paused longer than the lease lasts) still cannot commit a batch twice.
 */
public final class PipelineLeases {
  static final String TABLE = "lagoa_pipeline_leases";

  /** How long a lease lasts without renewal. */
  public static final Duration DEFAULT_TTL = Duration.ofSeconds(60);

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String uri;
  private final Properties properties;
  private final Clock clock;
  private final Duration ttl;
  private final Holder self;
  private volatile boolean created;

  /**
   * @param uri the catalog database's JDBC URI
   * @param properties the JDBC connection properties (user, password, ...)
   */
  public PipelineLeases(String uri, Properties properties, Clock clock, Duration ttl, Holder self) {
    this.uri = uri;
    this.properties = properties;
    this.clock = clock;
    this.ttl = ttl;
    this.self = self;
  }

  /**
   * The leases of a configuration's catalog database, for this process; empty for a REST catalog,
   * whose database Lagoa cannot reach (the commit check still prevents duplicates there only when
   * the REST server runs it).
   */
  public static Optional<PipelineLeases> of(io.lagoa.config.LagoaConfig config, Clock clock) {
    return of(config, clock, DEFAULT_TTL, Holder.current());
  }

  /** {@link #of(io.lagoa.config.LagoaConfig, Clock)} with a lease lifetime and holder of choice. */
  public static Optional<PipelineLeases> of(
      io.lagoa.config.LagoaConfig config, Clock clock, Duration ttl, Holder holder) {
    if (config.catalog().type() == io.lagoa.config.CatalogType.REST) {
      return Optional.empty();
    }
    Map<String, String> catalog = io.lagoa.catalog.CatalogProperties.of(config);
    Properties properties = new Properties();
    catalog.forEach(
        (key, value) -> {
          if (key.startsWith("jdbc.") && !key.equals("jdbc.schema-version")) {
            properties.setProperty(key.substring("jdbc.".length()), value);
          }
        });
    return Optional.of(new PipelineLeases(catalog.get("uri"), properties, clock, ttl, holder));
  }

  /** Who holds (or wants) a lease: a process on a host. */
  public record Holder(String id, String host, long pid) {
    /** This process. */
    public static Holder current() {
      String host = thisHost();
      long pid = ProcessHandle.current().pid();
      return new Holder(host + ":" + pid + ":" + java.util.UUID.randomUUID(), host, pid);
    }

    /** This machine's host name, as leases name it. */
    public static String thisHost() {
      try {
        return java.net.InetAddress.getLocalHost().getHostName();
      } catch (java.net.UnknownHostException e) {
        return Optional.ofNullable(System.getenv("HOSTNAME")).orElse("unknown-host");
      }
    }

    /** Whether this holder is a process of this host that no longer runs. */
    public boolean deadOnThisHost(String thisHost) {
      return host.equals(thisHost) && ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
    }

    @Override
    public String toString() {
      return host + " (pid " + pid + ")";
    }
  }

  /** The lease of a pipeline as stored: who, since when, until when, and its run in flight. */
  public record LeaseInfo(
      String pipeline,
      Holder holder,
      Instant acquiredAt,
      Instant renewedAt,
      Instant expiresAt,
      Optional<InterruptedRun> run) {}

  /** The lease of a pipeline, if any row is stored (live or expired). */
  public Optional<LeaseInfo> lookup(String pipeline) {
    try (Connection connection = connect()) {
      return read(connection, pipeline);
    } catch (SQLException e) {
      throw unavailable(e);
    }
  }

  /**
   * Takes the pipeline's lease. A lease held by a live holder is taken only with {@code force}; an
   * expired one, or one whose holder is a dead process of this host, is taken over. The lease
   * renews itself until closed.
   *
   * @throws PipelineBusyException when another live runner holds it and force is off
   */
  public PipelineLease acquire(String pipeline, boolean force) {
    for (int attempt = 0; ; attempt++) {
      try (Connection connection = connect()) {
        Instant now = clock.instant();
        Optional<LeaseInfo> existing = read(connection, pipeline);
        if (existing.isEmpty()) {
          if (insert(connection, pipeline, now)) {
            return new PipelineLease(this, pipeline, self, Optional.empty(), Optional.empty());
          }
          continue; // another runner inserted first: look again
        }
        LeaseInfo lease = existing.get();
        boolean live =
            lease.expiresAt().isAfter(now) && !lease.holder().deadOnThisHost(self.host());
        if (live && !force) {
          throw new PipelineBusyException(lease, now);
        }
        if (takeOver(connection, pipeline, lease.holder().id(), now)) {
          return new PipelineLease(
              this,
              pipeline,
              self,
              lease.run(),
              live ? Optional.of(lease.holder()) : Optional.empty());
        }
      } catch (SQLException e) {
        if (attempt >= 5) {
          throw unavailable(e);
        }
      }
    }
  }

  /**
   * {@link #acquire(String, boolean)}, waiting up to {@code wait} for a live holder to finish.
   *
   * @param waiting told once, when the lease is held and this starts waiting
   */
  public PipelineLease acquire(
      String pipeline, boolean force, Duration wait, java.util.function.Consumer<String> waiting) {
    long deadline = System.nanoTime() + wait.toNanos();
    boolean told = false;
    while (true) {
      try {
        return acquire(pipeline, force);
      } catch (PipelineBusyException e) {
        if (System.nanoTime() >= deadline) {
          throw e;
        }
        if (!told) {
          waiting.accept(
              e.getMessage().replaceFirst("; wait for that run to end.*$", "")
                  + "; waiting for it to end");
          told = true;
        }
        try {
          Thread.sleep(Math.min(2000, Math.max(100, ttl.toMillis() / 30)));
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  boolean renew(String pipeline, Holder holder) {
    Instant now = clock.instant();
    return update(
        "UPDATE " + TABLE + " SET renewed_at = ?, expires_at = ? WHERE pipeline = ? AND holder = ?",
        now.toEpochMilli(),
        now.plus(ttl).toEpochMilli(),
        pipeline,
        holder.id());
  }

  boolean release(String pipeline, Holder holder) {
    return update(
        "DELETE FROM " + TABLE + " WHERE pipeline = ? AND holder = ? AND run_id IS NULL",
        pipeline,
        holder.id());
  }

  /** Notes the holder's run; false when the lease is no longer the holder's. */
  boolean begin(
      String pipeline,
      Holder holder,
      String runId,
      Instant startedAt,
      Map<String, TableState> tables) {
    Map<String, String> locations = new LinkedHashMap<>();
    tables.forEach(
        (name, state) ->
            locations.put(name, state.metadata().map(m -> m.metadataFileLocation()).orElse(null)));
    String json;
    try {
      json = JSON.writeValueAsString(locations);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    return update(
        "UPDATE "
            + TABLE
            + " SET run_id = ?, run_started_at = ?, run_tables = ?"
            + " WHERE pipeline = ? AND holder = ?",
        runId,
        startedAt.toEpochMilli(),
        json,
        pipeline,
        holder.id());
  }

  boolean end(String pipeline, Holder holder, String runId) {
    return update(
        "UPDATE "
            + TABLE
            + " SET run_id = NULL, run_started_at = NULL, run_tables = NULL"
            + " WHERE pipeline = ? AND holder = ? AND run_id = ?",
        pipeline,
        holder.id(),
        runId);
  }

  Duration ttl() {
    return ttl;
  }

  private boolean update(String sql, Object... values) {
    for (int attempt = 0; ; attempt++) {
      try (Connection connection = connect();
          PreparedStatement statement = connection.prepareStatement(sql)) {
        for (int i = 0; i < values.length; i++) {
          statement.setObject(i + 1, values[i]);
        }
        return statement.executeUpdate() > 0;
      } catch (SQLException e) {
        if (attempt >= 3) {
          throw unavailable(e);
        }
      }
    }
  }

  private boolean insert(Connection connection, String pipeline, Instant now) throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement(
            "INSERT INTO "
                + TABLE
                + " (pipeline, holder, host, pid, acquired_at, renewed_at,"
                + " expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
      statement.setString(1, pipeline);
      statement.setString(2, self.id());
      statement.setString(3, self.host());
      statement.setLong(4, self.pid());
      statement.setLong(5, now.toEpochMilli());
      statement.setLong(6, now.toEpochMilli());
      statement.setLong(7, now.plus(ttl).toEpochMilli());
      return statement.executeUpdate() == 1;
    } catch (SQLException e) {
      if (read(connection, pipeline).isPresent()) {
        return false; // a primary-key clash: someone else took it first
      }
      throw e;
    }
  }

  private boolean takeOver(Connection connection, String pipeline, String previous, Instant now)
      throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement(
            "UPDATE "
                + TABLE
                + " SET holder = ?, host = ?, pid = ?, acquired_at = ?,"
                + " renewed_at = ?, expires_at = ? WHERE pipeline = ? AND holder = ?")) {
      statement.setString(1, self.id());
      statement.setString(2, self.host());
      statement.setLong(3, self.pid());
      statement.setLong(4, now.toEpochMilli());
      statement.setLong(5, now.toEpochMilli());
      statement.setLong(6, now.plus(ttl).toEpochMilli());
      statement.setString(7, pipeline);
      statement.setString(8, previous);
      return statement.executeUpdate() == 1;
    }
  }

  private static Optional<LeaseInfo> read(Connection connection, String pipeline)
      throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT holder, host, pid, acquired_at, renewed_at, expires_at, run_id,"
                + " run_started_at, run_tables FROM "
                + TABLE
                + " WHERE pipeline = ?")) {
      statement.setString(1, pipeline);
      try (ResultSet rows = statement.executeQuery()) {
        if (!rows.next()) {
          return Optional.empty();
        }
        Holder holder = new Holder(rows.getString(1), rows.getString(2), rows.getLong(3));
        Optional<InterruptedRun> run = Optional.empty();
        String runId = rows.getString(7);
        if (runId != null) {
          run =
              Optional.of(
                  new InterruptedRun(
                      runId,
                      Instant.ofEpochMilli(rows.getLong(8)),
                      holder.toString(),
                      tables(rows.getString(9))));
        }
        return Optional.of(
            new LeaseInfo(
                pipeline,
                holder,
                Instant.ofEpochMilli(rows.getLong(4)),
                Instant.ofEpochMilli(rows.getLong(5)),
                Instant.ofEpochMilli(rows.getLong(6)),
                run));
      }
    }
  }

  private static Map<String, Optional<String>> tables(String json) {
    if (json == null) {
      return Map.of();
    }
    try {
      Map<String, String> locations = JSON.readValue(json, new TypeReference<>() {});
      Map<String, Optional<String>> tables = new LinkedHashMap<>();
      locations.forEach((name, location) -> tables.put(name, Optional.ofNullable(location)));
      return tables;
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("unreadable run journal in " + TABLE + ": " + json, e);
    }
  }

  private Connection connect() throws SQLException {
    Connection connection = DriverManager.getConnection(uri, properties);
    if (created) {
      return connection;
    }
    try (Statement statement = connection.createStatement()) {
      statement.executeUpdate(
          "CREATE TABLE IF NOT EXISTS "
              + TABLE
              + " (pipeline VARCHAR(255) NOT NULL PRIMARY KEY,"
              + " holder VARCHAR(255) NOT NULL, host VARCHAR(255) NOT NULL, pid BIGINT NOT NULL,"
              + " acquired_at BIGINT NOT NULL, renewed_at BIGINT NOT NULL,"
              + " expires_at BIGINT NOT NULL, run_id VARCHAR(64), run_started_at BIGINT,"
              + " run_tables TEXT)");
      created = true;
    } catch (SQLException e) {
      connection.close();
      throw e;
    }
    return connection;
  }

  private LagoaException unavailable(SQLException e) {
    return new LagoaException(
        ErrorCode.CATALOG_UNREACHABLE,
        "cannot read or write the pipeline leases in the catalog database: "
            + LagoaException.rootMessage(e),
        e);
  }
}
