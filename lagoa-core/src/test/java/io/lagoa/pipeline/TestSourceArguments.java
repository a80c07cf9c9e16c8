package io.lagoa.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lagoa.pipeline.SourceCall.SourceKind;
import io.lagoa.sql.Statement;
import io.lagoa.sql.StatementSplitter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class TestSourceArguments {
  private static final String KAFKA =
      "CREATE STREAMING TABLE b.t AS SELECT * FROM STREAM"
          + " read_kafka(\n  bootstrap_servers => 'x', topic => 't'";
  private static final String FILES =
      "CREATE STREAMING TABLE b.t AS SELECT * FROM STREAM"
          + " read_files(\n  '/landing', format => 'json'";

  @Test
  void docsTablesAreTheDeclarations() throws IOException {
    String docs = Files.readString(docs("streaming.md"));
    for (SourceKind kind : SourceKind.values()) {
      String section = docs.substring(docs.indexOf("## " + kind.function()));
      String table = section.substring(section.indexOf("| argument |"));
      table = table.substring(0, table.indexOf("\n\n") + 1);
      assertThat(table)
          .as(
              "the argument table of %s in docs/streaming.md; it must match"
                  + " SourceArguments.markdownTable",
              kind.function())
          .isEqualTo(SourceArguments.markdownTable(kind));
    }
  }

  @Test
  void startingOffsetsDefaultsToEarliest() {
    SourceCall call = source(KAFKA + ")");
    assertThat(SourceArguments.Kafka.STARTING_OFFSETS.text(call)).contains("earliest");
    assertThat(SourceArguments.Kafka.MAX_RECORDS_PER_BATCH.longValue(call)).isEqualTo(500_000);
    assertThat(SourceArguments.Kafka.MAX_RECORD_BYTES.longValue(call)).isEqualTo(8L << 20);
    assertThat(SourceArguments.Kafka.FAIL_ON_DATA_LOSS.booleanValue(call)).isTrue();
    assertThat(SourceArguments.Kafka.FORMAT.word(call)).isEqualTo("json");
    assertThat(SourceArguments.Kafka.KAFKA_OPTIONS.options(call)).isEmpty();
    assertThat(SourceArguments.schemaEvolution(call, false)).isEqualTo("add");
    assertThat(SourceArguments.schemaEvolution(call, true)).isEqualTo("rescue");
  }

  @Test
  void typedValuesAreTheWrittenOnes() {
    SourceCall call =
        source(
            KAFKA
                + ", starting_offsets => ' latest ', format => 'TEXT',"
                + " max_records_per_batch => ' 10 ', fail_on_data_loss => false,"
                + " kafka_options => 'security.protocol=SSL, a.b = c')");
    assertThat(SourceArguments.Kafka.STARTING_OFFSETS.text(call)).contains("latest");
    assertThat(SourceArguments.Kafka.FORMAT.word(call)).isEqualTo("text");
    assertThat(SourceArguments.Kafka.MAX_RECORDS_PER_BATCH.longValue(call)).isEqualTo(10);
    assertThat(SourceArguments.Kafka.FAIL_ON_DATA_LOSS.booleanValue(call)).isFalse();
    assertThat(SourceArguments.Kafka.KAFKA_OPTIONS.options(call))
        .containsExactly(
            java.util.Map.entry("security.protocol", "SSL"), java.util.Map.entry("a.b", "c"));
    SourceCall files = source(FILES + ", header => FALSE, max_files_per_batch => 3)");
    assertThat(SourceArguments.Files.HEADER.booleanValue(files)).isFalse();
    assertThat(SourceArguments.Files.DELIMITER.text(files)).contains(",");
    assertThat(SourceArguments.Files.MAX_FILES_PER_BATCH.longValue(files)).isEqualTo(3);
    assertThat(SourceArguments.Files.PATH.text(files)).contains("/landing");
    assertThatThrownBy(() -> SourceArguments.Files.PATH.text(call))
        .hasMessageContaining("Cannot read path of read_files from a call of read_kafka");
  }

  @Test
  void knownArgumentsAreTheDeclaredOnes() {
    for (SourceKind kind : SourceKind.values()) {
      assertThat(SourceCall.knownArguments(kind))
          .containsExactlyElementsOf(
              SourceArguments.of(kind).stream().map(SourceArgument::name).toList());
    }
    assertThat(SourceCall.requiredArguments(SourceKind.KAFKA))
        .containsExactly("bootstrap_servers", "topic");
    assertThat(SourceCall.requiredArguments(SourceKind.FILES)).containsExactly("path", "format");
  }

  @Test
  void badValuesAreReportedAtTheirPlaceWithTheValue() {
    assertProblem(
        KAFKA + ",\n  starting_offsets => 'newest')",
        "f.sql:3:23: starting_offsets must be 'earliest', 'latest' or offsets per partition as"
            + " JSON ({\"topic\":{\"0\":42}}), not 'newest'");
    assertProblem(
        KAFKA + ", max_record_bytes => 'lots')",
        "f.sql:2:63: max_record_bytes must be a whole number above 0, not lots");
    assertProblem(
        KAFKA + ", fail_on_data_loss => 'maybe')",
        "f.sql:2:64: fail_on_data_loss must be TRUE or FALSE, not maybe");
    assertProblem(
        KAFKA + ", format => 'avro')",
        "f.sql:2:53: format must be one of binary, debezium, json, text, not 'avro'");
    assertProblem(
        KAFKA + ", kafka_options => 'security.protocol')",
        "f.sql:2:60: kafka_options is a list of name=value pairs separated by commas, e.g."
            + " 'security.protocol=SSL'; 'security.protocol' has no =");
    assertProblem(
        KAFKA + ", format => 'text', schema => 'a INT')",
        "f.sql:2:71: schema applies to format => 'json' or 'debezium' only");
    assertProblem(
        FILES + ", stream => 'users')", "f.sql:2:43: stream applies to format => 'airbyte' only");
    assertProblem(
        FILES + ", schema_evolution => 'drop')",
        "f.sql:2:53: schema_evolution must be one of add, rescue, not 'drop'");
    assertProblem(
        FILES + ", header => 'yes')", "f.sql:2:43: header must be TRUE or FALSE, not yes");
    assertProblem(
        FILES + ", max_files_per_batch => 0)",
        "f.sql:2:56: max_files_per_batch must be a whole number above 0, not 0");
  }

  @Test
  void unknownAndMissingArgumentsAreNamed() {
    assertProblem(
        FILES + ", delimeter => ';')",
        "f.sql:2:33: read_files has no argument delimeter (did you mean delimiter?); it takes"
            + " path, format, schema, schema_hints, schema_evolution, max_files_per_batch,"
            + " max_record_bytes, header, delimiter, file_pattern, stream");
    assertProblem(
        "CREATE STREAMING TABLE b.t AS SELECT * FROM STREAM read_files('/x')",
        "f.sql:1:45: read_files needs format => 'json', 'csv', 'parquet', 'text' or 'airbyte'");
    assertProblem(
        "CREATE STREAMING TABLE b.t AS SELECT * FROM STREAM read_files(" + "format => 'csv')",
        "f.sql:1:45: read_files needs path => '...' (the folder to read,"
            + " e.g. read_files('/landing/sales'))");
    assertProblem(
        "CREATE STREAMING TABLE b.t AS SELECT * FROM STREAM read_kafka(topic => 't')",
        "f.sql:1:45: read_kafka needs bootstrap_servers => '...'");
  }

  @Test
  void postgresCdcCallsAreCheckedInPlace() {
    String call =
        "CREATE STREAMING TABLE b.t AS SELECT * FROM STREAM read_postgres_cdc(\n"
            + "  url => 'jdbc:postgresql://db:5432/shop', user => 'u', table => 'public.c'";
    SourceCall parsed = source(call + ")");
    assertThat(SourceArguments.PostgresCdc.slot(parsed, "bronze.customer_changes"))
        .isEqualTo("lagoa_bronze_customer_changes");
    assertThat(SourceArguments.PostgresCdc.publication(parsed, "bronze.customer_changes"))
        .isEqualTo("lagoa_lagoa_bronze_customer_changes");
    assertThat(SourceArguments.PostgresCdc.SNAPSHOT.word(parsed)).isEqualTo("initial");
    assertThat(parsed.displayName()).isEqualTo("postgres:public.c");
    assertProblem(
        call.replace("STREAM ", "") + ")",
        "f.sql:1:45: read_postgres_cdc(...) reads a change stream, which only a streaming table"
            + " keeps track of: write STREAM read_postgres_cdc(...) in a CREATE STREAMING TABLE");
    assertProblem(
        call.replace("jdbc:postgresql://db:5432/shop", "postgres://db/shop") + ")",
        "f.sql:2:10: url must be a PostgreSQL JDBC URL, 'jdbc:postgresql://host:5432/database',"
            + " not 'postgres://db/shop'");
    assertProblem(
        call + ", snapshot => 'always')",
        "f.sql:2:90: snapshot must be one of initial, never, not 'always'");
    assertProblem(
        call + ", slot => 'My-Slot')",
        "f.sql:2:86: slot must be lower-case letters, digits and _ (at most 63), as PostgreSQL"
            + " names slots, not 'My-Slot'");
    assertProblem(
        "CREATE STREAMING TABLE b.t AS SELECT * FROM STREAM read_postgres_cdc(url =>"
            + " 'jdbc:postgresql://db/shop', user => 'u')",
        "f.sql:1:45: read_postgres_cdc needs table => '...'");
  }

  private static void assertProblem(String sql, String message) {
    assertThatThrownBy(() -> parse(sql)).hasMessage(message);
  }

  private static SourceCall source(String sql) {
    return parse(sql).sources().get(0);
  }

  private static DatasetStatement parse(String sql) {
    List<Statement> statements = StatementSplitter.splitAll(sql);
    assertThat(statements).hasSize(1);
    return DatasetStatementParser.parse("f.sql", statements.get(0), ExpectationPolicy.WARN);
  }

  private static Path docs(String name) {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("docs").resolve(name);
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException(
        "docs/" + name + " not found above " + Path.of("").toAbsolutePath());
  }
}
