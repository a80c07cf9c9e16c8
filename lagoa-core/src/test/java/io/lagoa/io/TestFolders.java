package io.lagoa.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestFolders {
  @TempDir Path temporary;

  @Test
  void deletesAFolderAndEverythingInIt() throws IOException {
    Path folder = temporary.resolve("a");
    Files.createDirectories(folder.resolve("b/c"));
    Files.writeString(folder.resolve("b/c/file.txt"), "x");
    Files.writeString(folder.resolve("top.txt"), "y");
    Folders.deleteRecursively(folder);
    assertThat(folder).doesNotExist();
    assertThat(temporary).exists();
  }

  @Test
  void deletesLinksWithoutFollowingThem() throws IOException {
    Path outside = Files.createDirectories(temporary.resolve("outside"));
    Files.writeString(outside.resolve("kept.txt"), "kept");
    Path folder = Files.createDirectories(temporary.resolve("with-link"));
    Files.createSymbolicLink(folder.resolve("link"), outside);
    Folders.deleteRecursively(folder);
    assertThat(folder).doesNotExist();
    assertThat(outside.resolve("kept.txt")).hasContent("kept");
  }

  @Test
  void aMissingFolderIsNothingToDo() throws IOException {
    Folders.deleteRecursively(temporary.resolve("missing"));
    Folders.deleteRecursively(temporary.resolve("missing/deeper"));
    assertThat(temporary.resolve("missing")).doesNotExist();
  }

  @Test
  void goesOnPastWhatItCannotDeleteAndSaysWhere() throws IOException {
    Path folder = temporary.resolve("locked");
    Path locked = Files.createDirectories(folder.resolve("locked"));
    Files.writeString(locked.resolve("file.txt"), "x");
    Files.writeString(folder.resolve("free.txt"), "y");
    Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("r-x------"));
    try {
      // skipped (not passed) as a user who may write anywhere, root: nothing can be locked then
      assumeFalse(Files.isWritable(locked), "a read-only folder is writable for this user");
      assertThatThrownBy(() -> Folders.deleteRecursively(folder))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("Cannot delete " + folder + " completely")
          .hasMessageContaining("file.txt");
      assertThat(folder.resolve("free.txt")).doesNotExist();
      assertThat(locked.resolve("file.txt")).exists();
    } finally {
      Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rwx------"));
    }
  }
}
