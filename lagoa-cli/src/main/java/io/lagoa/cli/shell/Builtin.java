package io.lagoa.cli.shell;

import java.util.List;
import java.util.Locale;

/**
 * A command of the shell itself rather than SQL: {@code help}, {@code exit}, {@code quit}, {@code
 * format csv}. Needs no semicolon (one is allowed). No Spark SQL statement starts with these words.
 */
record Builtin(String name, List<String> arguments) {
  static final List<String> NAMES = List.of("help", "exit", "quit", "format");

  /** The command the input holds, or null when it is SQL (or blank). */
  static Builtin parse(String input) {
    String text = input.strip();
    while (text.endsWith(";")) {
      text = text.substring(0, text.length() - 1).strip();
    }
    if (text.isEmpty()) {
      return null;
    }
    String[] words = text.split("\\s+");
    String name = words[0].toLowerCase(Locale.ROOT);
    if (name.equals("\\q")) {
      name = "exit";
    } else if (name.equals("\\?") || name.equals("?")) {
      name = "help";
    }
    if (!NAMES.contains(name)) {
      return null;
    }
    return new Builtin(name, List.of(words).subList(1, words.length));
  }
}
