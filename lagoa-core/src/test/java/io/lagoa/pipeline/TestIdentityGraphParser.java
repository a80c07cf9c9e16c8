package io.lagoa.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lagoa.identity.KeyKind;
import io.lagoa.identity.MatchKey;
import io.lagoa.identity.MatchRules;
import io.lagoa.sql.Statement;
import io.lagoa.sql.StatementSplitter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** CREATE IDENTITY GRAPH: its clauses, the text Spark parses, and located errors. */
class TestIdentityGraphParser {
  private static DatasetStatement parse(String text) {
    List<Statement> statements = StatementSplitter.splitAll(text);
    assertThat(statements).hasSize(1);
    ParsedStatement parsed =
        DatasetStatementParser.read("g.sql", statements.get(0), ExpectationPolicy.WARN);
    assertThat(parsed).isInstanceOf(ParsedStatement.Definition.class);
    return parsed.dataset();
  }

  @Test
  void readsTheRulesAndLeavesTheQueryInPlace() {
    DatasetStatement statement =
        parse(
            "-- persons\n"
                + "CREATE IDENTITY GRAPH silver.persons\n"
                + "MATCH ON email, document, phone IF NAME SIMILARITY >= 0.85\n"
                + "MAX NAMES PER KEY 4\n"
                + "PHONE REGION 'pt'\n"
                + "AS SELECT 'crm' AS source, id AS record_id, nome AS name, email,\n"
                + "  celular AS phone, cpf AS document FROM STREAM(bronze.crm)");
    assertThat(statement.kind()).isEqualTo(DatasetKind.STREAMING_TABLE);
    assertThat(statement.nameParts()).containsExactly("silver", "persons");
    assertThat(statement.position()).isEqualTo(new SourcePosition("g.sql", 2, 23));
    assertThat(statement.identityGraph())
        .contains(
            new MatchRules(
                List.of(
                    MatchKey.strong(KeyKind.EMAIL),
                    MatchKey.strong(KeyKind.DOCUMENT),
                    MatchKey.withNames(KeyKind.PHONE, 0.85)),
                4,
                "PT"));
    assertThat(statement.engineSql()).startsWith("CREATE STREAMING TABLE silver.persons AS\n");
    assertThat(statement.engineSql()).doesNotContain("MATCH", "IDENTITY", "REGION");
    int offset = statement.engineSql().indexOf("STREAM(bronze.crm)");
    assertThat(statement.positionAt(offset)).isEqualTo(new SourcePosition("g.sql", 7, 42));
  }

  @Test
  void aKeyMayHaveItsOwnOverSharingLimit() {
    MatchRules rules =
        parse(
                "CREATE IDENTITY GRAPH p MATCH ON email MAX NAMES 2, phone IF NAME SIMILARITY >="
                    + " 0.85 MAX NAMES 6 MAX NAMES PER KEY 3 AS SELECT * FROM STREAM(b.c)")
            .identityGraph()
            .orElseThrow();
    assertThat(rules.keys())
        .containsExactly(
            MatchKey.strong(KeyKind.EMAIL).withMaxNames(2),
            MatchKey.withNames(KeyKind.PHONE, 0.85).withMaxNames(6));
    assertThat(rules.maxNames(KeyKind.EMAIL)).isEqualTo(2);
    assertThat(rules.maxNames(KeyKind.PHONE)).isEqualTo(6);
    assertThat(rules.maxNames(KeyKind.DOCUMENT)).isEqualTo(3);
    // recorded on the graph's tables and read back
    assertThat(rules.describe())
        .isEqualTo(
            "MATCH ON email MAX NAMES 2, phone IF NAME SIMILARITY >= 0.85 MAX NAMES 6 MAX NAMES"
                + " PER KEY 3 PHONE REGION 'BR'");
    assertThat(MatchRules.parse(rules.describe())).isEqualTo(rules);
    assertThatThrownBy(
            () ->
                parse(
                    "CREATE IDENTITY GRAPH p MATCH ON phone IF NAME SIMILARITY >= 0.9 MAX NAMES"
                        + " zero AS SELECT * FROM STREAM(b.c)"))
        .hasMessageContaining("g.sql:1:76")
        .hasMessageContaining(
            "MAX NAMES after phone needs a whole number of at least 1 (a key carried by more"
                + " different names joins nobody), not");
  }

  @Test
  void defaultsAreDocumented() {
    MatchRules rules =
        parse("CREATE IDENTITY GRAPH p MATCH ON email AS SELECT * FROM STREAM(b.c)")
            .identityGraph()
            .orElseThrow();
    assertThat(rules.maxNamesPerKey()).isEqualTo(MatchRules.DEFAULT_MAX_NAMES_PER_KEY);
    assertThat(rules.phoneRegion()).isEqualTo("BR");
  }

  @Test
  void badClausesAreLocatedWithASuggestion() {
    assertThatThrownBy(
            () -> parse("CREATE IDENTITY GRAPH p MATCH ON emial AS SELECT * FROM STREAM(b.c)"))
        .hasMessageContaining("g.sql:1:34")
        .hasMessageContaining("unknown key 'emial' in MATCH ON (did you mean email?)");
    assertThatThrownBy(
            () ->
                parse(
                    "CREATE IDENTITY GRAPH p MATCH ON email MAX NAME PER KEY 3 AS SELECT * FROM"
                        + " STREAM(b.c)"))
        .hasMessageContaining("g.sql:1:40")
        .hasMessageContaining("unknown clause 'MAX NAME' (did you mean MAX NAMES PER KEY?)");
    assertThatThrownBy(() -> parse("CREATE IDENTITY GRAPH p AS SELECT * FROM STREAM(b.c)"))
        .hasMessageContaining("g.sql:1:23")
        .hasMessageContaining("needs MATCH ON");
    assertThatThrownBy(
            () ->
                parse(
                    "CREATE IDENTITY GRAPH p MATCH ON phone IF NAME SIMILARITY >= 1.5 AS SELECT *"
                        + " FROM STREAM(b.c)"))
        .hasMessageContaining("g.sql:1:62")
        .hasMessageContaining("above 0 and at most 1");
    assertThatThrownBy(
            () ->
                parse("CREATE IDENTITY GRAPH p MATCH ON email, email AS SELECT * FROM STREAM(b.c)"))
        .hasMessageContaining("email is named twice in MATCH ON");
    assertThatThrownBy(() -> parse("CREATE IDENTITY GRAPH p MATCH ON email"))
        .hasMessageContaining("expected AS and the query");
  }
}
