package io.lagoa.postgres;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who runs initdb and postgres, and the command prefix that makes it so.
 *
 * <p>PostgreSQL refuses to run as root. When this JVM is root, the programs run as the unprivileged
 * {@code nobody} user through {@code setpriv} (util-linux); otherwise as this JVM's user. Either
 * way {@code setpriv}, where present, gives the server a parent-death signal (SIGINT, PostgreSQL's
 * fast shutdown), so a JVM that is killed outright takes its server down with it.
 *
 * @param uid the server user's id; -1 when it is this JVM's user
 * @param gid the server user's group; -1 when it is this JVM's user
 * @param name the server user's name
 * @param isSelf whether the server runs as this JVM's user
 * @param prefix the command that runs a program as the server user, e.g. {@code setpriv ...}
 */
public record ServerUser(int uid, int gid, String name, boolean isSelf, List<String> prefix) {
  private static final Logger LOG = LoggerFactory.getLogger(ServerUser.class);

  public ServerUser {
    prefix = List.copyOf(prefix);
  }

  /** {@code nobody} via setpriv when this JVM is root, else this JVM's user. */
  public static ServerUser detect() {
    Optional<String> setpriv = onPath("setpriv");
    if (!isRoot()) {
      // Not root: run as ourselves; setpriv, where present, only adds the parent-death signal.
      List<String> prefix =
          setpriv.map(path -> List.of(path, "--pdeathsig", "INT")).orElse(List.of());
      return new ServerUser(-1, -1, System.getProperty("user.name"), true, prefix);
    }
    if (setpriv.isEmpty()) {
      throw new IllegalStateException(
          "cannot start PostgreSQL as root: PostgreSQL refuses to run as root and setpriv"
              + " (util-linux) is not on the PATH to drop privileges; install util-linux or run"
              + " as another user");
    }
    int[] ids = nobody();
    return new ServerUser(
        ids[0],
        ids[1],
        "nobody",
        false,
        List.of(
            setpriv.get(),
            "--reuid=" + ids[0],
            "--regid=" + ids[1],
            "--clear-groups",
            "--pdeathsig",
            "INT"));
  }

  /** {@code nobody via setpriv}, or this JVM's user. */
  public String describe() {
    return isSelf ? name : name + " via setpriv";
  }

  /** Gives a file or folder to the server user (nothing to do when that is this JVM's user). */
  public void own(Path path) throws IOException {
    if (!isSelf) {
      Files.setAttribute(path, "unix:uid", uid);
      Files.setAttribute(path, "unix:gid", gid);
    }
  }

  /**
   * Whether the server user can reach this folder: always for this JVM's user; for another user,
   * every folder above it must be searchable by others.
   */
  public boolean canReach(Path folder) {
    if (isSelf) {
      return true;
    }
    for (Path path = folder.toAbsolutePath().normalize(); path != null; path = path.getParent()) {
      try {
        if (Files.exists(path)
            && !Files.getPosixFilePermissions(path).contains(PosixFilePermission.OTHERS_EXECUTE)) {
          return false;
        }
      } catch (IOException | UnsupportedOperationException e) {
        return false;
      }
    }
    return true;
  }

  private static boolean isRoot() {
    try {
      return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
    } catch (IOException | RuntimeException e) {
      return "root".equals(System.getProperty("user.name"));
    }
  }

  /** The uid and gid of {@code nobody} from /etc/passwd, else the usual 65534. */
  private static int[] nobody() {
    try {
      for (String line : Files.readAllLines(Path.of("/etc/passwd"))) {
        String[] fields = line.split(":");
        if (fields.length > 3 && fields[0].equals("nobody")) {
          return new int[] {Integer.parseInt(fields[2]), Integer.parseInt(fields[3])};
        }
      }
    } catch (IOException | NumberFormatException e) {
      LOG.debug("cannot read nobody from /etc/passwd", e);
    }
    return new int[] {65534, 65534};
  }

  private static Optional<String> onPath(String program) {
    String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
    for (String folder : (path + ":/usr/bin:/bin").split(":")) {
      Path candidate = Path.of(folder.isEmpty() ? "." : folder, program);
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate.toString());
      }
    }
    return Optional.empty();
  }
}
