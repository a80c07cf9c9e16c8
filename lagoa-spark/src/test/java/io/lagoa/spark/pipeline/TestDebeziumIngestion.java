package io.lagoa.spark.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagoa.spark.LagoaSpark;
import io.lagoa.testing.TestingKafka;
import io.lagoa.testing.TestingKafka.Message;
import io.lagoa.testing.TestingWarehouse;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * read_kafka(format => 'debezium') in pipelines against a real broker, with change events shaped as
 * Debezium's PostgreSQL connector writes them (the customers table of its documentation, with a
 * decimal, a date and timestamps added).
 */
class TestDebeziumIngestion {
  private static TestingWarehouse warehouse;
  private static TestingKafka kafka;
  private static SparkSession spark;
  private static PipelineFixture fixture;

  @BeforeAll
  static void start() {
    kafka = TestingKafka.start();
    warehouse = TestingWarehouse.create();
    spark = LagoaSpark.session(warehouse.config());
    fixture =
        new PipelineFixture(
            spark,
            warehouse,
            "dbz",
            namespace -> "variables:\n  kafka: " + kafka.bootstrapServers() + "\n");
  }

  @AfterAll
  static void stop() {
    warehouse.close();
    kafka.close();
  }

  private static final String COLUMNS =
      "{\"type\":\"int32\",\"optional\":false,\"default\":0,\"field\":\"id\"},"
          + "{\"type\":\"string\",\"optional\":false,\"field\":\"first_name\"},"
          + "{\"type\":\"string\",\"optional\":false,\"field\":\"last_name\"},"
          + "{\"type\":\"string\",\"optional\":false,\"field\":\"email\"},"
          + "{\"type\":\"bytes\",\"optional\":true,\"name\":\"org.apache.kafka.connect.data.Decimal\","
          + "\"version\":1,\"parameters\":{\"scale\":\"2\",\"connect.decimal.precision\":\"10\"},"
          + "\"field\":\"balance\"},"
          + "{\"type\":\"int32\",\"optional\":true,\"name\":\"io.debezium.time.Date\",\"version\":1,"
          + "\"field\":\"birth_date\"},"
          + "{\"type\":\"int64\",\"optional\":true,\"name\":\"io.debezium.time.MicroTimestamp\","
          + "\"version\":1,\"field\":\"created_at\"},"
          + "{\"type\":\"string\",\"optional\":true,\"name\":\"io.debezium.time.ZonedTimestamp\","
          + "\"version\":1,\"field\":\"updated_at\"}";

  private static final String SOURCE_SCHEMA =
      "{\"type\":\"struct\",\"fields\":["
          + "{\"type\":\"string\",\"optional\":false,\"field\":\"version\"},"
          + "{\"type\":\"string\",\"optional\":false,\"field\":\"connector\"},"
          + "{\"type\":\"string\",\"optional\":false,\"field\":\"name\"},"
          + "{\"type\":\"int64\",\"optional\":false,\"field\":\"ts_ms\"},"
          + "{\"type\":\"string\",\"optional\":true,\"name\":\"io.debezium.data.Enum\",\"version\":1,"
          + "\"parameters\":{\"allowed\":\"true,last,false,incremental\"},\"default\":\"false\","
          + "\"field\":\"snapshot\"},"
          + "{\"type\":\"string\",\"optional\":false,\"field\":\"db\"},"
          + "{\"type\":\"string\",\"optional\":true,\"field\":\"sequence\"},"
          + "{\"type\":\"string\",\"optional\":false,\"field\":\"schema\"},"
          + "{\"type\":\"string\",\"optional\":false,\"field\":\"table\"},"
          + "{\"type\":\"int64\",\"optional\":true,\"field\":\"txId\"},"
          + "{\"type\":\"int64\",\"optional\":true,\"field\":\"lsn\"},"
          + "{\"type\":\"int64\",\"optional\":true,\"field\":\"xmin\"}],"
          + "\"optional\":false,\"name\":\"io.debezium.connector.postgresql.Source\","
          + "\"field\":\"source\"}";

  /** The value schema JsonConverter writes for the customers table with these row columns. */
  private static String envelopeSchema(String columns) {
    String row =
        "{\"type\":\"struct\",\"fields\":["
            + columns
            + "],\"optional\":true,\"name\":\"PostgreSQL_server.public.customers.Value\",";
    return "{\"type\":\"struct\",\"fields\":["
        + row
        + "\"field\":\"before\"},"
        + row
        + "\"field\":\"after\"},"
        + SOURCE_SCHEMA
        + ",{\"type\":\"string\",\"optional\":false,\"field\":\"op\"},"
        + "{\"type\":\"int64\",\"optional\":true,\"field\":\"ts_ms\"},"
        + "{\"type\":\"struct\",\"fields\":["
        + "{\"type\":\"string\",\"optional\":false,\"field\":\"id\"},"
        + "{\"type\":\"int64\",\"optional\":false,\"field\":\"total_order\"},"
        + "{\"type\":\"int64\",\"optional\":false,\"field\":\"data_collection_order\"}],"
        + "\"optional\":true,\"name\":\"event.block\",\"version\":1,\"field\":\"transaction\"}],"
        + "\"optional\":false,\"name\":\"PostgreSQL_server.public.customers.Envelope\","
        + "\"version\":2}";
  }

  private static String source(String snapshot, String sequence, long txId, long lsn) {
    return "{\"version\":\"2.7.4.Final\",\"connector\":\"postgresql\",\"name\":\"PostgreSQL_server\","
        + "\"ts_ms\":1559033904863,\"snapshot\":\""
        + snapshot
        + "\",\"db\":\"postgres\",\"sequence\":\""
        + sequence.replace("\"", "\\\"")
        + "\",\"schema\":\"public\",\"table\":\"customers\",\"txId\":"
        + txId
        + ",\"lsn\":"
        + lsn
        + ",\"xmin\":null}";
  }

  private static String event(
      String columns, String before, String after, String source, String op, long tsMs) {
    return "{\"schema\":"
        + envelopeSchema(columns)
        + ",\"payload\":{\"before\":"
        + before
        + ",\"after\":"
        + after
        + ",\"source\":"
        + source
        + ",\"op\":\""
        + op
        + "\",\"ts_ms\":"
        + tsMs
        + ",\"transaction\":null}}";
  }

  // 1559033904863 ms = 2019-05-28T08:58:24.863Z; balance "MDk=" = 12345 unscaled = 123.45;
  // birth_date 10957 = 2000-01-01; created_at 1559033904863000 us
  private static final String ANNE =
      "{\"id\":1,\"first_name\":\"Anne\",\"last_name\":\"Kretchmar\","
          + "\"email\":\"annek@noanswer.org\",\"balance\":\"MDk=\",\"birth_date\":10957,"
          + "\"created_at\":1559033904863000,\"updated_at\":\"2019-05-28T08:58:24.863Z\"}";
  private static final String ANNE_MARIE = ANNE.replace("\"Anne\"", "\"Anne Marie\"");
  private static final String SALLY =
      "{\"id\":2,\"first_name\":\"Sally\",\"last_name\":\"Thomas\","
          + "\"email\":\"sally.thomas@acme.com\",\"balance\":\"/w==\",\"birth_date\":null,"
          + "\"created_at\":null,\"updated_at\":null}";

  @Test
  void changeEventsWithTheEmbeddedSchemaBecomeTypedChangeRows() {
    kafka.createTopic("PostgreSQL_server.public.customers", 1);
    String topic = "PostgreSQL_server.public.customers";
    kafka.produceMessages(
        topic,
        List.of(
            new Message(
                "{\"id\":1}",
                event(
                    COLUMNS,
                    "null",
                    ANNE,
                    source("true", "[null,\"24023128\"]", 555, 24023128),
                    "r",
                    1559033904863L)),
            new Message(
                "{\"id\":2}",
                event(
                    COLUMNS,
                    "null",
                    SALLY,
                    source("false", "[\"24023128\",\"24023160\"]", 556, 24023160),
                    "c",
                    1559033904900L)),
            new Message(
                "{\"id\":1}",
                event(
                    COLUMNS,
                    "{\"id\":1,\"first_name\":\"Anne\",\"last_name\":\"Kretchmar\","
                        + "\"email\":\"annek@noanswer.org\",\"balance\":\"MDk=\","
                        + "\"birth_date\":10957,\"created_at\":1559033904863000,"
                        + "\"updated_at\":\"2019-05-28T08:58:24.863Z\"}",
                    ANNE_MARIE,
                    source("false", "[\"24023160\",\"24023200\"]", 557, 24023200),
                    "u",
                    1465584025523L)),
            new Message(
                "{\"id\":2}",
                event(
                    COLUMNS,
                    "{\"id\":2,\"first_name\":\"Sally\",\"last_name\":\"Thomas\","
                        + "\"email\":\"sally.thomas@acme.com\",\"balance\":null,"
                        + "\"birth_date\":null,\"created_at\":null,\"updated_at\":null}",
                    "null",
                    source("false", "[\"24023200\",\"46523128\"]", 558, 46523128),
                    "d",
                    1465581902461L)),
            new Message("{\"id\":2}", null), // the tombstone after a delete
            new Message(
                null,
                "{\"schema\":"
                    + envelopeSchema(COLUMNS)
                    + ",\"payload\":{\"source\":"
                    + source("false", "[\"46523128\",\"46523200\"]", 559, 46523200)
                    + ",\"op\":\"t\",\"ts_ms\":1559033904961}}"),
            // not change events
            new Message(null, "{\"after\":{\"id\":9},\"source\":{}}"),
            new Message(null, "this is not json"),
            new Message(null, "{\"before\":null,\"after\":{\"id\":10},\"op\":\"m\"}"),
            new Message(
                "{\"id\":11}",
                event(
                    COLUMNS,
                    "null",
                    "{\"id\":\"eleven\"}",
                    source("false", "[null,\"46523300\"]", 560, 46523300),
                    "c",
                    1L))));
    Path folder =
        fixture.pipeline(
            "bronze",
            "customers.sql",
            "CREATE STREAMING TABLE bronze.customers AS\n"
                + "SELECT * FROM STREAM read_kafka(bootstrap_servers => '${kafka}',\n"
                + "  topic => 'PostgreSQL_server.public.customers', format => 'debezium')");
    RunResult first = fixture.run(folder);
    FlowResult bronze = PipelineFixture.flow(first, "bronze.customers");
    assertThat(bronze.rowsWritten()).isEqualTo(5);
    assertThat(bronze.rowsQuarantined()).isEqualTo(4);

    assertThat(spark.table("bronze.customers").schema().toDDL())
        .startsWith(
            "id INT,first_name STRING,last_name STRING,email STRING,balance DECIMAL(10,2),"
                + "birth_date DATE,created_at TIMESTAMP_NTZ,updated_at TIMESTAMP,_op STRING,"
                + "_before STRUCT<id: INT, first_name: STRING,")
        .contains(
            "_ts_ms BIGINT,_sequence STRUCT<commit_lsn: BIGINT, lsn: BIGINT>,"
                + "_source STRUCT<version: STRING, connector: STRING, name: STRING, ts_ms: BIGINT,"
                + " snapshot: STRING, db: STRING, sequence: STRING, schema: STRING, table: STRING,"
                + " txId: BIGINT, lsn: BIGINT, xmin: BIGINT, file: STRING, pos: BIGINT, row: INT,"
                + " server_id: BIGINT, gtid: STRING>,"
                + "_transaction STRUCT<id: STRING, total_order: BIGINT,"
                + " data_collection_order: BIGINT>,_kafka STRUCT<");
    assertThat(
            fixture.rows(
                "SELECT _op, id, first_name, CAST(balance AS STRING), CAST(birth_date AS STRING),"
                    + " CAST(created_at AS STRING), unix_millis(updated_at), _before.first_name,"
                    + " _ts_ms, _sequence.commit_lsn, _sequence.lsn, _source.lsn, _source.txId,"
                    + " _source.snapshot, _source.connector, _source.table"
                    + " FROM bronze.customers ORDER BY _kafka.offset"))
        .containsExactly(
            Arrays.asList(
                "r",
                1,
                "Anne",
                "123.45",
                "2000-01-01",
                "2019-05-28 08:58:24.863",
                1559033904863L,
                null,
                1559033904863L,
                null,
                24023128L,
                24023128L,
                555L,
                "true",
                "postgresql",
                "customers"),
            Arrays.asList(
                "c",
                2,
                "Sally",
                "-0.01",
                null,
                null,
                null,
                null,
                1559033904900L,
                24023128L,
                24023160L,
                24023160L,
                556L,
                "false",
                "postgresql",
                "customers"),
            Arrays.asList(
                "u",
                1,
                "Anne Marie",
                "123.45",
                "2000-01-01",
                "2019-05-28 08:58:24.863",
                1559033904863L,
                "Anne",
                1465584025523L,
                24023160L,
                24023200L,
                24023200L,
                557L,
                "false",
                "postgresql",
                "customers"),
            // a delete carries the before image, so its key
            Arrays.asList(
                "d",
                2,
                "Sally",
                null,
                null,
                null,
                null,
                "Sally",
                1465581902461L,
                24023200L,
                46523128L,
                46523128L,
                558L,
                "false",
                "postgresql",
                "customers"),
            Arrays.asList(
                "t",
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                1559033904961L,
                46523128L,
                46523200L,
                46523200L,
                559L,
                "false",
                "postgresql",
                "customers"));
    // tombstones are skipped, not quarantined; the rest is, saying why
    assertThat(
            fixture.rows(
                "SELECT _kafka_offset, _error, _position FROM bronze.customers_source_quarantine"
                    + " ORDER BY _kafka_offset"))
        .containsExactly(
            List.of(
                6L,
                "not a Debezium change event: no \"op\" field",
                "PostgreSQL_server.public.customers/0@6"),
            List.of(
                7L,
                "not a Debezium change event: invalid JSON (Unrecognized token 'this': was"
                    + " expecting (JSON String, Number, Array, Object or token 'null', 'true' or"
                    + " 'false'))",
                "PostgreSQL_server.public.customers/0@7"),
            List.of(
                8L,
                "not a Debezium change event: unknown op \"m\" (expected c, u, d, r or t)",
                "PostgreSQL_server.public.customers/0@8"),
            List.of(
                9L,
                "the schema and the payload do not match: id is int32 in the schema, but the"
                    + " payload has \"eleven\"",
                "PostgreSQL_server.public.customers/0@9"));
    assertThat(
            fixture.rows(
                "SELECT CAST(_raw AS STRING), _kafka_key FROM bronze.customers_source_quarantine"
                    + " WHERE _kafka_offset = 7"))
        .containsExactly(Arrays.asList("this is not json", null));

    // ALTER TABLE customers ADD COLUMN phone upstream: later events have it in their schema
    String withPhone = COLUMNS + ",{\"type\":\"string\",\"optional\":true,\"field\":\"phone\"}";
    kafka.produceMessages(
        topic,
        List.of(
            new Message(
                "{\"id\":3}",
                event(
                    withPhone,
                    "null",
                    "{\"id\":3,\"first_name\":\"Edward\",\"last_name\":\"Walker\","
                        + "\"email\":\"ed@walker.com\",\"balance\":null,\"birth_date\":null,"
                        + "\"created_at\":null,\"updated_at\":null,\"phone\":\"+351 210 000 000\"}",
                    source("false", "[\"46523300\",\"46523400\"]", 561, 46523400),
                    "c",
                    1559033905000L))));
    RunResult second = fixture.run(folder);
    assertThat(PipelineFixture.flow(second, "bronze.customers").rowsWritten()).isEqualTo(1);
    assertThat(spark.table("bronze.customers").schema().fieldNames()).contains("phone");
    assertThat(
            fixture.rows(
                "SELECT id, phone, _before.phone IS NULL FROM bronze.customers"
                    + " WHERE _op IN ('c', 'r') ORDER BY id"))
        .containsExactly(
            Arrays.asList(1, null, true),
            Arrays.asList(2, null, true),
            Arrays.asList(3, "+351 210 000 000", true));
  }

  @Test
  void changeEventsWithoutASchemaAreLearnedOrDeclared() {
    String topic = "plain.public.items";
    kafka.createTopic(topic, 1);
    String source = "{\"connector\":\"postgresql\",\"lsn\":%d,\"sequence\":\"[null,\\\"%d\\\"]\"}";
    kafka.produceMessages(
        topic,
        List.of(
            new Message(
                "{\"id\":1}",
                "{\"before\":null,\"after\":{\"id\":1,\"name\":\"pen\",\"price\":1.5},\"source\":"
                    + String.format(source, 100, 100)
                    + ",\"op\":\"c\",\"ts_ms\":10}"),
            new Message(
                "{\"id\":1}",
                "{\"before\":{\"id\":1,\"name\":\"pen\",\"price\":1.5},\"after\":{\"id\":1,"
                    + "\"name\":\"pen\",\"price\":2.0,\"color\":\"red\"},\"source\":"
                    + String.format(source, 200, 200)
                    + ",\"op\":\"u\",\"ts_ms\":20}"),
            new Message(
                "{\"id\":1}",
                "{\"before\":{\"id\":1},\"after\":null,\"source\":"
                    + String.format(source, 300, 300)
                    + ",\"op\":\"d\",\"ts_ms\":30}"),
            new Message("{\"id\":1}", null),
            new Message(null, "{\"before\":null,\"after\":null,\"op\":\"c\"}")));
    Path folder =
        fixture.pipeline(
            "plain",
            "items.sql",
            "CREATE STREAMING TABLE plain.learned AS\n"
                + "SELECT * FROM STREAM read_kafka(bootstrap_servers => '${kafka}',\n"
                + "  topic => 'plain.public.items', format => 'debezium');\n"
                + "CREATE STREAMING TABLE plain.declared AS\n"
                + "SELECT * FROM STREAM read_kafka(bootstrap_servers => '${kafka}',\n"
                + "  topic => 'plain.public.items', format => 'debezium',\n"
                + "  schema => 'id INT, name STRING, price DECIMAL(8,2)')");
    RunResult run = fixture.run(folder);
    assertThat(PipelineFixture.flow(run, "plain.learned").rowsWritten()).isEqualTo(3);
    assertThat(PipelineFixture.flow(run, "plain.learned").rowsQuarantined()).isEqualTo(1);
    assertThat(spark.table("plain.learned").schema().toDDL())
        .startsWith(
            "color STRING,id BIGINT,name STRING,price DOUBLE,_op STRING,"); // learned: sorted, as
    // for json
    assertThat(
            fixture.rows(
                "SELECT _op, id, name, price, color, _before.price, _sequence.lsn, _ts_ms"
                    + " FROM plain.learned ORDER BY _kafka.offset"))
        .containsExactly(
            Arrays.asList("c", 1L, "pen", 1.5, null, null, 100L, 10L),
            Arrays.asList("u", 1L, "pen", 2.0, "red", 1.5, 200L, 20L),
            Arrays.asList("d", 1L, null, null, null, null, 300L, 30L));
    assertThat(fixture.rows("SELECT _error FROM plain.learned_source_quarantine"))
        .containsExactly(
            List.of("not a Debezium change event: op \"c\" without an \"after\" image"));

    assertThat(spark.table("plain.declared").schema().toDDL())
        .startsWith("id INT,name STRING,price DECIMAL(8,2),_rescued_data STRING,_op STRING,");
    assertThat(
            fixture.rows(
                "SELECT _op, id, CAST(price AS STRING), _rescued_data FROM plain.declared"
                    + " ORDER BY _kafka.offset"))
        .containsExactly(
            Arrays.asList("c", 1, "1.50", null),
            Arrays.asList("u", 1, "2.00", "{\"color\":\"red\"}"),
            Arrays.asList("d", 1, null, null));

    // the learned types stay: a value that does not fit is quarantined, naming the column
    kafka.produceMessages(
        topic,
        List.of(new Message(null, "{\"before\":null,\"after\":{\"id\":\"two\"},\"op\":\"c\"}")));
    RunResult second = fixture.run(folder);
    assertThat(PipelineFixture.flow(second, "plain.learned").rowsQuarantined()).isEqualTo(1);
    assertThat(PipelineFixture.flow(second, "plain.declared").rowsQuarantined()).isEqualTo(1);
    assertThat(
            fixture.rows(
                "SELECT _error FROM plain.learned_source_quarantine WHERE _kafka_offset = 5"
                    + " UNION ALL SELECT _error FROM plain.declared_source_quarantine"
                    + " WHERE _kafka_offset = 5"))
        .containsExactly(
            List.of("values do not match the schema: id (BIGINT)"),
            List.of("values do not match the schema: id (INT)"));
  }

  /**
   * Debezium events of 12 keys, delivered shuffled over three partitions, some twice, in two runs:
   * AUTO CDC flows on the bronze change log give what in-order delivery gives.
   */
  @Test
  void shuffledAndRepeatedChangeEventsGiveTheInOrderTables() {
    String topic = "shuffled.public.accounts";
    kafka.createTopic(topic, 3);
    java.util.Random random = new java.util.Random(42);
    List<long[]> changes = new java.util.ArrayList<>(); // key, op (0 upsert, 1 delete), value, lsn
    for (int i = 1; i <= 80; i++) {
      changes.add(
          new long[] {
            random.nextInt(12), random.nextInt(6) == 0 ? 1 : 0, random.nextInt(4), i * 10L
          });
    }
    List<Message> messages = new java.util.ArrayList<>();
    java.util.Map<Long, Boolean> exists = new java.util.HashMap<>();
    for (long[] change : changes) {
      boolean delete = change[1] == 1;
      String row = "{\"id\":" + change[0] + ",\"email\":\"e" + change[2] + "\"}";
      String op = delete ? "d" : exists.getOrDefault(change[0], false) ? "u" : "c";
      exists.put(change[0], !delete);
      messages.add(
          new Message(
              "{\"id\":" + change[0] + "}",
              "{\"before\":"
                  + (delete ? "{\"id\":" + change[0] + "}" : "null")
                  + ",\"after\":"
                  + (delete ? "null" : row)
                  + ",\"source\":{\"connector\":\"postgresql\",\"lsn\":"
                  + change[3]
                  + ",\"sequence\":\"[\\\""
                  + (change[3] - 5)
                  + "\\\",\\\""
                  + change[3]
                  + "\\\"]\"},\"op\":\""
                  + op
                  + "\",\"ts_ms\":"
                  + change[3]
                  + "}"));
    }
    List<Message> delivered = new java.util.ArrayList<>(messages);
    delivered.addAll(messages.subList(10, 25)); // at-least-once
    java.util.Collections.shuffle(delivered, random);
    String cdc =
        "FROM STREAM(acc.changes)\nKEYS (id)\nAPPLY AS DELETE WHEN _op = 'd'\n"
            + "SEQUENCE BY _sequence\nCOLUMNS (id, email)\n";
    Path folder =
        fixture.pipeline(
            "acc",
            "changes.sql",
            "CREATE STREAMING TABLE acc.changes AS\n"
                + "SELECT * FROM STREAM read_kafka(bootstrap_servers => '${kafka}',\n"
                + "  topic => '"
                + topic
                + "', format => 'debezium', schema => 'id INT, email STRING')",
            "current.sql",
            "CREATE FLOW current AS AUTO CDC INTO acc.current\n" + cdc + "STORED AS SCD TYPE 1",
            "history.sql",
            "CREATE FLOW history AS AUTO CDC INTO acc.history\n" + cdc + "STORED AS SCD TYPE 2");
    int half = delivered.size() / 2;
    kafka.produceMessages(topic, delivered.subList(0, half));
    fixture.run(folder);
    System.err.println(
        "DEBUG1 "
            + fixture.rows(
                "SELECT id, email, _sequence.lsn, _op FROM acc.changes WHERE id = 5 ORDER BY 3"));
    System.err.println(
        "DEBUG1 "
            + fixture.rows(
                "SELECT id, email, __START_AT.lsn, __END_AT.lsn FROM acc.history WHERE id = 5 ORDER BY 3"));
    kafka.produceMessages(topic, delivered.subList(half, delivered.size()));
    fixture.run(folder);
    System.err.println(
        "DEBUG2 "
            + fixture.rows(
                "SELECT id, email, _sequence.lsn, _op FROM acc.changes WHERE id = 5 ORDER BY 3"));
    System.err.println(
        "DEBUG2 "
            + fixture.rows(
                "SELECT id, email, __START_AT.lsn, __END_AT.lsn FROM acc.history WHERE id = 5 ORDER BY 3"));
    System.err.println(
        "DEBUG2 " + fixture.rows("SELECT * FROM acc.history_cdc_state WHERE id = 5"));

    java.util.Map<Long, long[]> latest = new java.util.TreeMap<>();
    java.util.Map<Long, List<String>> versions = new java.util.TreeMap<>();
    java.util.Map<Long, long[]> open = new java.util.HashMap<>();
    for (long[] change : changes) { // in lsn order
      latest.put(change[0], change);
      long[] current = open.get(change[0]);
      List<String> history = versions.computeIfAbsent(change[0], k -> new java.util.ArrayList<>());
      if (current != null && (change[1] == 1 || current[2] != change[2])) {
        history.set(history.size() - 1, history.get(history.size() - 1) + change[3]);
        open.remove(change[0]);
        current = null;
      }
      if (change[1] == 0 && current == null) {
        history.add(change[0] + ":e" + change[2] + ":" + change[3] + "-");
        open.put(change[0], change);
      }
    }
    List<List<Object>> expectedCurrent = new java.util.ArrayList<>();
    latest.values().stream()
        .filter(change -> change[1] == 0)
        .forEach(change -> expectedCurrent.add(List.of((int) change[0], "e" + change[2])));
    assertThat(fixture.rows("SELECT id, email FROM acc.current ORDER BY id"))
        .isEqualTo(expectedCurrent);
    List<String> expectedHistory =
        versions.values().stream().flatMap(List::stream).sorted().toList();
    assertThat(
            fixture.rows("SELECT id, email, __START_AT.lsn, __END_AT.lsn FROM acc.history").stream()
                .map(
                    row ->
                        row.get(0)
                            + ":"
                            + row.get(1)
                            + ":"
                            + row.get(2)
                            + "-"
                            + (row.get(3) == null ? "" : row.get(3)))
                .sorted()
                .toList())
        .isEqualTo(expectedHistory);
  }
}
