package io.lagoa.pipeline;

import io.lagoa.error.Remedy;
import io.lagoa.sql.StatementSplitter;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Substitutes {@code ${name}} in pipeline SQL with the pipeline's variables. Comments are left
 * alone (a commented-out reference is not an error); strings and quoted identifiers are not, so
 * paths such as {@code json.`${pipeline.dir}/data/users.json`} work. Values go in as they are.
 * {@code ${env:NAME}}, unless a variable has that name, stays as written: the source that takes it
 * reads the environment at run time (a password stays out of the query's text).
 */
final class Variables {
  private final String file;
  private final String text;
  private final Map<String, String> variables;
  private final StringBuilder out;
  private int line = 1;
  private int lineStart;

  private Variables(String file, String text, Map<String, String> variables) {
    this.file = file;
    this.text = text;
    this.variables = variables;
    this.out = new StringBuilder(text.length());
  }

  static String substitute(String file, String text, Map<String, String> variables) {
    Variables substitution = new Variables(file, text, variables);
    substitution.run();
    return substitution.out.toString();
  }

  private void run() {
    int i = 0;
    char quote = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (quote == 0 && text.startsWith("--", i)) {
        int newline = text.indexOf('\n', i);
        int end = newline < 0 ? text.length() : newline;
        out.append(text, i, end);
        i = end;
      } else if (quote == 0 && text.startsWith("/*", i)) {
        int end = commentEnd(i);
        copy(i, end);
        i = end;
      } else if (text.startsWith("${", i)) {
        i = variable(i);
      } else {
        if (quote == 0 && (c == '\'' || c == '"' || c == '`')) {
          quote = c;
        } else if (quote != 0 && c == '\\' && quote != '`' && i + 1 < text.length()) {
          copy(i, i + 2);
          i += 2;
          continue;
        } else if (c == quote) {
          quote = 0;
        }
        copy(i, i + 1);
        i++;
      }
    }
  }

  private int variable(int start) {
    int close = text.indexOf('}', start);
    SourcePosition at = new SourcePosition(file, line, start - lineStart + 1);
    int newline = text.indexOf('\n', start);
    if (close < 0 || (newline >= 0 && newline < close)) {
      throw PipelineException.at(at, "'${' is not closed by '}' on the same line");
    }
    String name = text.substring(start + 2, close).strip();
    String value = variables.get(name);
    if (value == null && name.startsWith("env:")) {
      // read at run time by whoever takes the value (read_postgres_cdc's password), so a secret
      // from the environment never becomes part of the query's text
      out.append(text, start, close + 1);
      return close + 1;
    }
    if (value == null) {
      throw new PipelineException(
          List.of(
              at
                  + ": unknown variable ${"
                  + name
                  + "}; define it under variables: in pipeline.yaml or set it for the run"
                  + " (defined: "
                  + String.join(", ", new TreeSet<>(variables.keySet()))
                  + ")"),
          Remedy.SET_VARIABLE);
    }
    out.append(value);
    return close + 1;
  }

  private void copy(int start, int end) {
    for (int j = start; j < end; j++) {
      if (text.charAt(j) == '\n') {
        line++;
        lineStart = j + 1;
      }
    }
    out.append(text, start, end);
  }

  private int commentEnd(int start) {
    int end = StatementSplitter.skipBlockComment(text, start);
    return end < 0 ? text.length() : end;
  }
}
