package io.lagoa.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class TestStatementSplitter {
  private static List<String> sqlOf(String text) {
    return StatementSplitter.splitAll(text).stream().map(Statement::sql).toList();
  }

  @Test
  void splitsAtSemicolonsAndStripsBlanks() {
    assertThat(sqlOf("SELECT 1; SELECT 2;\n\n  SELECT 3  "))
        .containsExactly("SELECT 1", "SELECT 2", "SELECT 3");
  }

  @Test
  void skipsBlankAndCommentOnlyStatements() {
    assertThat(sqlOf(";;  ; -- nothing\n; /* nor here */ ;SELECT 1;;")).containsExactly("SELECT 1");
    assertThat(sqlOf("   \n-- only a comment\n")).isEmpty();
    assertThat(sqlOf("")).isEmpty();
  }

  @Test
  void ignoresSemicolonsInsideStringsAndIdentifiers() {
    assertThat(sqlOf("SELECT 'a;b', \"c;d\", `e;f` FROM t; SELECT 2"))
        .containsExactly("SELECT 'a;b', \"c;d\", `e;f` FROM t", "SELECT 2");
  }

  @Test
  void followsBackslashEscapesInStringsButNotInIdentifiers() {
    assertThat(sqlOf("SELECT 'it\\'s;'; SELECT \"say \\\"hi;\\\"\"; SELECT 3"))
        .containsExactly("SELECT 'it\\'s;'", "SELECT \"say \\\"hi;\\\"\"", "SELECT 3");
    // A backslash is an ordinary character inside backticks; doubled backticks escape one.
    assertThat(sqlOf("SELECT 1 AS `a\\`; SELECT 1 AS `x``;y`; SELECT 2"))
        .containsExactly("SELECT 1 AS `a\\`", "SELECT 1 AS `x``;y`", "SELECT 2");
    // Doubled single quotes: two adjacent literals to the lexer, the same split either way.
    assertThat(sqlOf("SELECT 'it''s; fine'; SELECT 2"))
        .containsExactly("SELECT 'it''s; fine'", "SELECT 2");
  }

  @Test
  void rawStringsHaveNoEscapes() {
    assertThat(sqlOf("SELECT r'C:\\'; SELECT R\"x\\\"; SELECT 3"))
        .containsExactly("SELECT r'C:\\'", "SELECT R\"x\\\"", "SELECT 3");
    // "bar" ending in r is a word, not a raw-string prefix: the backslash still escapes.
    assertThat(sqlOf("SELECT bar'\\';x'; SELECT 2"))
        .containsExactly("SELECT bar'\\';x'", "SELECT 2");
  }

  @Test
  void ignoresSemicolonsInComments() {
    assertThat(sqlOf("SELECT 1 -- not here; nor here\n, 2; SELECT /* a; b */ 3"))
        .containsExactly("SELECT 1 -- not here; nor here\n, 2", "SELECT /* a; b */ 3");
  }

  @Test
  void blockCommentsNest() {
    assertThat(sqlOf("SELECT /* outer /* inner; */ still comment; */ 1; SELECT 2"))
        .containsExactly("SELECT /* outer /* inner; */ still comment; */ 1", "SELECT 2");
  }

  @Test
  void aBackslashAtTheEndOfALineCommentContinuesIt() {
    assertThat(sqlOf("SELECT 1 -- comment \\\n still comment; \n; SELECT 2"))
        .containsExactly("SELECT 1 -- comment \\\n still comment;", "SELECT 2");
  }

  @Test
  void quotesInsideCommentsAndCommentsInsideQuotesDoNotCount() {
    assertThat(sqlOf("SELECT 1 -- it's\n; SELECT '--;' ; SELECT '/*'; SELECT 4"))
        .containsExactly("SELECT 1 -- it's", "SELECT '--;'", "SELECT '/*'", "SELECT 4");
  }

  @Test
  void recordsWhereEachStatementStarts() {
    List<Statement> statements =
        StatementSplitter.splitAll("SELECT 1;  SELECT 2;\n\n   -- c\n  SELECT\n 3;");
    assertThat(statements)
        .containsExactly(
            new Statement("SELECT 1", 1, 1),
            new Statement("SELECT 2", 1, 12),
            new Statement("-- c\n  SELECT\n 3", 3, 4));
  }

  @Test
  void mapsPositionsInsideAStatementToTheFile() {
    Statement statement = StatementSplitter.splitAll("SELECT 1;\n  SELECT *\n FROM x").get(1);
    assertThat(statement.line()).isEqualTo(2);
    assertThat(statement.column()).isEqualTo(3);
    // Spark's positions: line 1-based, column 0-based, relative to the statement.
    assertThat(statement.fileLine(1)).isEqualTo(2);
    assertThat(statement.fileColumn(1, 7)).isEqualTo(10);
    assertThat(statement.fileLine(2)).isEqualTo(3);
    assertThat(statement.fileColumn(2, 6)).isEqualTo(7);
  }

  @Test
  void splitKeepsTheUnfinishedTail() {
    StatementSplitter splitter = StatementSplitter.split("SELECT 1; SELECT\n 2");
    assertThat(splitter.statements()).extracting(Statement::sql).containsExactly("SELECT 1");
    assertThat(splitter.remainder()).isEqualTo(" SELECT\n 2");
    assertThat(splitter.complete()).isFalse();

    StatementSplitter done = StatementSplitter.split("SELECT 1; -- trailing comment");
    assertThat(done.remainder()).isEmpty();
    assertThat(done.complete()).isTrue();
    assertThat(StatementSplitter.split("").complete()).isTrue();
  }

  @Test
  void unclosedQuotesAndCommentsAreIncomplete() {
    for (String text :
        List.of(
            "SELECT 'abc;",
            "SELECT \"abc;",
            "SELECT `a;",
            "SELECT 1; /* open; ",
            "/* a /* b */;")) {
      StatementSplitter splitter = StatementSplitter.split(text);
      assertThat(splitter.complete()).as(text).isFalse();
      assertThat(splitter.unterminated()).as(text).isTrue();
    }
    assertThat(StatementSplitter.split("SELECT 'a;';").unterminated()).isFalse();
    assertThat(StatementSplitter.split("SELECT 'a;'").unterminated()).isFalse();
  }

  @Test
  void aFileNeedNotEndWithASemicolon() {
    assertThat(sqlOf("SELECT 1;\nSELECT 2")).containsExactly("SELECT 1", "SELECT 2");
    // An unclosed string is passed on as it is, so Spark reports it with its position.
    assertThat(sqlOf("SELECT 1; SELECT 'oops")).containsExactly("SELECT 1", "SELECT 'oops");
  }

  @Test
  void blankMeansOnlyWhiteSpaceAndComments() {
    assertThat(StatementSplitter.isBlank(" \n\t-- x\n/* y /* z */ */ ")).isTrue();
    assertThat(StatementSplitter.isBlank("/* unclosed")).isTrue();
    assertThat(StatementSplitter.isBlank("-- x\n1")).isFalse();
  }
}
