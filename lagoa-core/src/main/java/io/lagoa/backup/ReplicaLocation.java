package io.lagoa.backup;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A replica: a second warehouse in a local folder, with its own SQLite catalog ({@code catalog.db},
 * where Lagoa looks for it when the folder is the warehouse) and the tables under it laid out as in
 * the primary ({@code <replica>/<namespace>/<table>}). Beside them, {@code _lagoa_replica/} holds
 * the replication state ({@code state.json}, written atomically) and the lease of the replicator
 * running into it ({@code lease.json}).
 */
public final class ReplicaLocation {
  static final String FOLDER = "_lagoa_replica";
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /** How long a lease lasts without renewal: a replicator renews it at least every third of it. */
  public static final Duration LEASE = Duration.ofSeconds(60);

  private final Path root;

  public ReplicaLocation(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  public Path root() {
    return root;
  }

  /** The replica as a warehouse URI, the form Lagoa's configuration gives a local warehouse. */
  public String warehouse() {
    return root.toUri().toString().replaceAll("/+$", "");
  }

  /** Where table files go: the Hadoop form of a local path ({@code file:/a/b}). */
  public String filePrefix() {
    return "file:" + root;
  }

  /** The replica's catalog database: where Lagoa looks for it with the replica as warehouse. */
  public Path catalogFile() {
    return root.resolve("catalog.db");
  }

  Path stateFile() {
    return root.resolve(FOLDER).resolve("state.json");
  }

  Path leaseFile() {
    return root.resolve(FOLDER).resolve("lease.json");
  }

  public boolean exists() {
    return Files.isDirectory(root);
  }

  /** Whether this folder holds backups ({@code lagoa backup}'s layout) rather than a replica. */
  public boolean isBackupLocation() {
    return Files.isDirectory(root.resolve("backups")) || Files.isDirectory(root.resolve("files"));
  }

  /** Whether the folder is missing or holds nothing. */
  public boolean isEmpty() {
    if (!Files.isDirectory(root)) {
      return true;
    }
    try (Stream<Path> entries = Files.list(root)) {
      return entries.findAny().isEmpty();
    } catch (IOException e) {
      throw new LagoaException(
          ErrorCode.IO_ERROR, "Cannot read the folder " + root + ": " + e.getMessage(), e);
    }
  }

  /** The replication state, when this is a replica. */
  public Optional<ReplicaState> state() {
    Path file = stateFile();
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    ReplicaState state;
    try {
      state = JSON.readValue(file.toFile(), ReplicaState.class);
    } catch (IOException e) {
      throw new LagoaException(
          ErrorCode.IO_ERROR,
          "The replica state " + file + " cannot be read: " + LagoaException.rootMessage(e),
          e);
    }
    if (state.format() > ReplicaState.FORMAT) {
      throw new LagoaException(
          ErrorCode.IO_ERROR,
          "The replica state "
              + file
              + " has format "
              + state.format()
              + ", newer than this Lagoa reads ("
              + ReplicaState.FORMAT
              + "); use a newer Lagoa");
    }
    return Optional.of(state);
  }

  /** Writes the state in one step (a temporary file moved over it): a kill leaves old or new. */
  void write(ReplicaState state) {
    Path file = stateFile();
    try {
      Files.createDirectories(file.getParent());
      Path temporary = file.resolveSibling(".state-" + ProcessHandle.current().pid() + ".json");
      JSON.writeValue(temporary.toFile(), state);
      move(temporary, file);
    } catch (IOException e) {
      throw new LagoaException(
          ErrorCode.IO_ERROR,
          "Cannot write the replica state " + file + ": " + LagoaException.rootMessage(e),
          e);
    }
  }

  /** Makes an empty folder a replica of a warehouse. */
  public ReplicaState create(String primaryWarehouse, Clock clock) {
    ReplicaState state =
        new ReplicaState(
            ReplicaState.FORMAT,
            primaryWarehouse,
            clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS).toString(),
            null,
            java.util.List.of());
    write(state);
    return state;
  }

  /** Marks the replica promoted: from then on it is a primary, and replication into it refused. */
  public ReplicaState markPromoted(ReplicaState state, String at) {
    ReplicaState promoted = state.withPromotion(at);
    write(promoted);
    return promoted;
  }

  /** Makes the replica follow a warehouse again (a forced replication), no longer promoted. */
  public ReplicaState follow(ReplicaState state, String primaryWarehouse) {
    ReplicaState following = state.following(primaryWarehouse);
    write(following);
    return following;
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** Who holds the replica: a replicator's process, host and until when. */
  public record Lease(
      @com.fasterxml.jackson.annotation.JsonProperty("pid") long pid,
      @com.fasterxml.jackson.annotation.JsonProperty("host") String host,
      @com.fasterxml.jackson.annotation.JsonProperty("started_at") String startedAt,
      @com.fasterxml.jackson.annotation.JsonProperty("expires_at") String expiresAt) {

    /** Whether the holder may still be running: not expired, and not a dead process here. */
    public boolean live(Clock clock) {
      if (Instant.parse(expiresAt).isBefore(clock.instant())) {
        return false;
      }
      if (host.equals(hostName())) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
      }
      return true;
    }

    public String describe() {
      return "pid " + pid + " on " + host + ", since " + startedAt;
    }
  }

  /** The lease on the replica, when one was taken and not released. */
  public Optional<Lease> lease() {
    Path file = leaseFile();
    try {
      return Optional.of(JSON.readValue(file.toFile(), Lease.class));
    } catch (NoSuchFileException | java.io.FileNotFoundException e) {
      return Optional.empty();
    } catch (IOException e) {
      if (!Files.exists(file)) {
        return Optional.empty();
      }
      // a lease being written, or damaged: treat as held until it expires by its file's age
      return Optional.of(
          new Lease(-1, "unknown", "unknown", modified(file).plus(LEASE).toString()));
    }
  }

  private static Instant modified(Path file) {
    try {
      return Files.getLastModifiedTime(file).toInstant();
    } catch (IOException e) {
      return Instant.EPOCH;
    }
  }

  /**
   * Takes the lease for this process; refused when another replicator's lease is live. A lease left
   * by a process that died (kill -9) on this host, or one that expired, is taken over.
   */
  public Lease acquire(Clock clock, String action) {
    Optional<Lease> held = lease();
    long pid = ProcessHandle.current().pid();
    if (held.isPresent() && held.get().pid() != pid && held.get().live(clock)) {
      throw busy(held.get(), action);
    }
    Instant now = clock.instant();
    Lease lease = new Lease(pid, hostName(), now.toString(), now.plus(LEASE).toString());
    try {
      Files.createDirectories(leaseFile().getParent());
      if (held.isPresent()) {
        Files.deleteIfExists(leaseFile());
      }
      // created, never overwritten: of two replicators starting at once, one gets it
      try {
        Files.write(leaseFile(), JSON.writeValueAsBytes(lease), StandardOpenOption.CREATE_NEW);
      } catch (FileAlreadyExistsException e) {
        throw busy(lease().orElse(lease), action);
      }
    } catch (IOException e) {
      throw new LagoaException(
          ErrorCode.IO_ERROR,
          "Cannot take the lease " + leaseFile() + ": " + LagoaException.rootMessage(e),
          e);
    }
    return lease;
  }

  /** Extends this process's lease; cheap enough to call between files. */
  public Lease renew(Lease lease, Clock clock) {
    Instant now = clock.instant();
    if (Duration.between(now, Instant.parse(lease.expiresAt()))
            .compareTo(LEASE.multipliedBy(2).dividedBy(3))
        > 0) {
      return lease; // renewed less than a third of the lease ago
    }
    Lease renewed =
        new Lease(lease.pid(), lease.host(), lease.startedAt(), now.plus(LEASE).toString());
    try {
      Path temporary = leaseFile().resolveSibling(".lease-" + lease.pid() + ".json");
      JSON.writeValue(temporary.toFile(), renewed);
      move(temporary, leaseFile());
    } catch (IOException e) {
      throw new LagoaException(
          ErrorCode.IO_ERROR,
          "Cannot renew the lease " + leaseFile() + ": " + LagoaException.rootMessage(e),
          e);
    }
    return renewed;
  }

  /** Gives the lease back, when this process still holds it. */
  public void release(Lease lease) {
    Optional<Lease> held = lease();
    if (held.isPresent()
        && held.get().pid() == lease.pid()
        && held.get().host().equals(lease.host())) {
      try {
        Files.deleteIfExists(leaseFile());
      } catch (IOException e) {
        // it expires by itself
      }
    }
  }

  private LagoaException busy(Lease lease, String action) {
    return new LagoaException(
        ErrorCode.TABLE_CONFLICT,
        "Cannot "
            + action
            + " "
            + root
            + ": a replicator is running into it ("
            + lease.describe()
            + "); stop it first, or wait until its lease expires at "
            + lease.expiresAt()
            + " if it is gone");
  }

  static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "localhost";
    }
  }
}
