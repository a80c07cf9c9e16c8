package io.lagoa.io;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/** Local folders: what several commands, engines and test fixtures do with their own. */
public final class Folders {
  private Folders() {}

  /**
   * Deletes a folder and everything in it; nothing when it does not exist. Links are deleted, not
   * followed. It goes on past what it cannot delete and then throws for the first of those (the
   * others suppressed in it), so callers for whom a temporary folder left behind is no error can
   * ignore the exception and still have deleted all that could be.
   *
   * @throws IOException naming the folder and the first path that could not be deleted
   */
  public static void deleteRecursively(Path folder) throws IOException {
    if (!Files.exists(folder, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    List<IOException> failures = new ArrayList<>();
    Files.walkFileTree(
        folder,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
            delete(file, failures);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException failure) {
            if (!(failure instanceof NoSuchFileException)) { // gone already: what we wanted
              failures.add(failure);
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path directory, IOException failure) {
            if (failure != null && !(failure instanceof NoSuchFileException)) {
              failures.add(failure);
            }
            delete(directory, failures);
            return FileVisitResult.CONTINUE;
          }
        });
    if (!failures.isEmpty()) {
      IOException first = failures.get(0);
      IOException error =
          new IOException(
              "Cannot delete "
                  + folder
                  + " completely: "
                  + first.getClass().getSimpleName()
                  + ": "
                  + first.getMessage()
                  + (failures.size() > 1 ? " (and " + (failures.size() - 1) + " more)" : ""),
              first);
      failures.subList(1, failures.size()).forEach(error::addSuppressed);
      throw error;
    }
  }

  private static void delete(Path path, List<IOException> failures) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      failures.add(e);
    }
  }
}
