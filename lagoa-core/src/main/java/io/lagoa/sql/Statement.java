package io.lagoa.sql;

/**
 * One SQL statement cut from a longer text, with where it starts (1-based line and column) so an
 * error inside it can be reported at its place in the file.
 */
public record Statement(String sql, int line, int column) {

  /** Maps a position inside this statement (1-based line, 0-based column) to one in the file. */
  public int fileLine(int lineInStatement) {
    return line + lineInStatement - 1;
  }

  public int fileColumn(int lineInStatement, int columnInStatement) {
    return lineInStatement == 1 ? column + columnInStatement : columnInStatement + 1;
  }
}
