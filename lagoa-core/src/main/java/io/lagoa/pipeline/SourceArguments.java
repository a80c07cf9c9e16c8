package io.lagoa.pipeline;

import io.lagoa.pipeline.SourceCall.SourceKind;
import io.lagoa.text.EditDistance;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Every argument of the source functions, declared once with its type, default and doc (like {@link
 * io.lagoa.config.ConfigKeys}); and the check of a call against them before anything runs, so
 * validate reports a bad argument in place. The readers take their values from these declarations,
 * and the argument tables of docs/streaming.md are {@link #markdownTable}.
 */
public final class SourceArguments {
  /** The arguments of {@code read_kafka(...)}. */
  public static final class Kafka {
    public static final SourceArgument BOOTSTRAP_SERVERS =
        required(SourceKind.KAFKA, "bootstrap_servers", "`host:port[,host:port]` of the brokers");
    public static final SourceArgument TOPIC =
        required(SourceKind.KAFKA, "topic", "the topic to read");
    public static final SourceArgument STARTING_OFFSETS =
        new SourceArgument(
            SourceKind.KAFKA,
            "starting_offsets",
            SourceArgumentType.STARTING_OFFSETS,
            "earliest",
            false,
            false,
            "`earliest`",
            "where a new table starts: `earliest`, `latest`, or JSON offsets per"
                + " partition `{\"topic\":{\"0\":42}}`. Unlike Spark's default (`latest`), a bronze"
                + " table starts with what the topic holds.");
    public static final SourceArgument FORMAT =
        new SourceArgument(
            SourceKind.KAFKA,
            "format",
            SourceArgumentType.oneOf("json", "debezium", "text", "binary"),
            "json",
            false,
            false,
            "`json`",
            "`json` (parsed into columns), `debezium` (Debezium change events: one row per change,"
                + " see [Debezium change events](#debezium-change-events)), `text` (a `value"
                + " STRING` column) or `binary` (`value BINARY`)");
    public static final SourceArgument SCHEMA =
        optional(
            SourceKind.KAFKA,
            "schema",
            "learned",
            "the JSON fields as columns, `'id BIGINT, name STRING, tags ARRAY<STRING>'`. Without it"
                + " the schema is learned from the data (see below).");
    public static final SourceArgument SCHEMA_EVOLUTION =
        schemaEvolution(
            SourceKind.KAFKA,
            "what happens to fields the schema does not have: `rescue` keeps them as JSON in"
                + " `_rescued_data`; `add` adds them to the table as new columns");
    public static final SourceArgument MAX_RECORDS_PER_BATCH =
        new SourceArgument(
            SourceKind.KAFKA,
            "max_records_per_batch",
            SourceArgumentType.POSITIVE_LONG,
            "500000",
            false,
            false,
            "500000",
            "at most this many records per run, shared among partitions");
    public static final SourceArgument MAX_RECORD_BYTES =
        maxRecordBytes(SourceKind.KAFKA, "larger records are quarantined, not parsed");
    public static final SourceArgument FAIL_ON_DATA_LOSS =
        new SourceArgument(
            SourceKind.KAFKA,
            "fail_on_data_loss",
            SourceArgumentType.BOOLEAN,
            "TRUE",
            false,
            false,
            "`TRUE`",
            "when records were deleted by the topic's retention before they were read, stop and say"
                + " which offsets (`FALSE`: skip them with a warning)");
    public static final SourceArgument KAFKA_OPTIONS =
        new SourceArgument(
            SourceKind.KAFKA,
            "kafka_options",
            SourceArgumentType.OPTIONS,
            null,
            false,
            false,
            "",
            "more consumer settings, `'security.protocol=SASL_SSL, sasl.mechanism=PLAIN'`; unless they set them, Lagoa reads with `max.poll.records=5000`, `max.partition.fetch.bytes=4194304` (Spark's reader asks the broker for the offset range after every poll) and `group.id=lagoa-` and a hash of the servers and these settings (batches reuse Spark's pooled consumers; no offsets are committed)");

    static final List<SourceArgument> ALL =
        List.of(
            BOOTSTRAP_SERVERS,
            TOPIC,
            STARTING_OFFSETS,
            FORMAT,
            SCHEMA,
            SCHEMA_EVOLUTION,
            MAX_RECORDS_PER_BATCH,
            MAX_RECORD_BYTES,
            FAIL_ON_DATA_LOSS,
            KAFKA_OPTIONS);

    private Kafka() {}
  }

  /** The arguments of {@code read_files(...)}. */
  public static final class Files {
    public static final SourceArgument PATH =
        new SourceArgument(
            SourceKind.FILES,
            "path",
            SourceArgumentType.TEXT,
            null,
            true,
            true,
            "(required)",
            "the folder, read with all its"
                + " subfolders: `/landing/orders`, `file:/landing/orders`, relative to the pipeline's"
                + " folder, `s3://bucket/landing/orders` (or `s3a://`, see [Folders on"
                + " S3](#folders-on-s3)), or any Hadoop file system URI.");
    public static final SourceArgument FORMAT =
        new SourceArgument(
            SourceKind.FILES,
            "format",
            SourceArgumentType.oneOf("json", "csv", "parquet", "text", "airbyte"),
            null,
            true,
            false,
            "(required)",
            "`json` (JSON Lines: one object per line), `csv`, `parquet`, `text` (a"
                + " `value STRING` column per line) or `airbyte` (Airbyte records, see [Airbyte"
                + " output](#airbyte-output))");
    public static final SourceArgument SCHEMA =
        optional(
            SourceKind.FILES,
            "schema",
            "learned",
            "the columns, `'id BIGINT, name STRING'` (json, csv and airbyte). Without it the"
                + " schema is learned from the data.");
    public static final SourceArgument SCHEMA_HINTS =
        optional(
            SourceKind.FILES,
            "schema_hints",
            "",
            "types for some columns of a learned schema, `'id BIGINT, price DECIMAL(10,2)'`; hinted"
                + " columns the data lacks are added");
    public static final SourceArgument SCHEMA_EVOLUTION =
        schemaEvolution(
            SourceKind.FILES,
            "what happens to fields or columns the schema does not have: `rescue` keeps them as JSON"
                + " in `_rescued_data`; `add` adds them to the table as new columns");
    public static final SourceArgument MAX_FILES_PER_BATCH =
        new SourceArgument(
            SourceKind.FILES,
            "max_files_per_batch",
            SourceArgumentType.POSITIVE_LONG,
            "1000",
            false,
            false,
            "1000",
            "at most this many files per run, the oldest first");
    public static final SourceArgument MAX_RECORD_BYTES =
        maxRecordBytes(SourceKind.FILES, "longer lines are quarantined, not parsed");
    public static final SourceArgument HEADER =
        new SourceArgument(
            SourceKind.FILES,
            "header",
            SourceArgumentType.BOOLEAN,
            "TRUE",
            false,
            false,
            "`TRUE`",
            "csv: the first line of each file names the columns");
    public static final SourceArgument DELIMITER =
        new SourceArgument(
            SourceKind.FILES,
            "delimiter",
            SourceArgumentType.TEXT,
            ",",
            false,
            false,
            "`,`",
            "csv: the separator");
    public static final SourceArgument FILE_PATTERN =
        optional(
            SourceKind.FILES,
            "file_pattern",
            "all files",
            "a glob on the file name, `'*.json'`, `'orders-*.csv.gz'`");
    public static final SourceArgument STREAM =
        optional(
            SourceKind.FILES,
            "stream",
            "all streams",
            "airbyte: only the records of this stream (`record.stream` of protocol messages;"
                + " `_airbyte_stream` of raw records, which are kept when they have none)");

    static final List<SourceArgument> ALL =
        List.of(
            PATH,
            FORMAT,
            SCHEMA,
            SCHEMA_HINTS,
            SCHEMA_EVOLUTION,
            MAX_FILES_PER_BATCH,
            MAX_RECORD_BYTES,
            HEADER,
            DELIMITER,
            FILE_PATTERN,
            STREAM);

    private Files() {}
  }

  /** The arguments of {@code read_postgres_cdc(...)}. */
  public static final class PostgresCdc {
    public static final SourceArgument URL =
        required(
            SourceKind.POSTGRES_CDC, "url", "the database, `jdbc:postgresql://host:5432/database`");
    public static final SourceArgument USER =
        required(
            SourceKind.POSTGRES_CDC,
            "user",
            "a user with the `REPLICATION` attribute (see [PostgreSQL setup](#postgresql-setup))");
    public static final SourceArgument PASSWORD =
        optional(
            SourceKind.POSTGRES_CDC,
            "password",
            "none",
            "the user's password: a pipeline variable (`'${secret}'`) or `'${env:NAME}'`, read from"
                + " the environment when the run starts; never logged nor stored");
    public static final SourceArgument TABLE =
        required(
            SourceKind.POSTGRES_CDC,
            "table",
            "the table to capture, `schema.table` (`public` when no schema is given); one table per"
                + " call");
    public static final SourceArgument SLOT =
        optional(
            SourceKind.POSTGRES_CDC,
            "slot",
            "`lagoa_<namespace>_<table>` of the target",
            "the replication slot, created on the first run; one per reading table");
    public static final SourceArgument PUBLICATION =
        optional(
            SourceKind.POSTGRES_CDC,
            "publication",
            "`lagoa_<slot>`",
            "the publication, created `FOR TABLE <table>` when it does not exist");
    public static final SourceArgument SNAPSHOT =
        new SourceArgument(
            SourceKind.POSTGRES_CDC,
            "snapshot",
            SourceArgumentType.oneOf("initial", "never"),
            "initial",
            false,
            false,
            "`initial`",
            "`initial`: the first run reads the table's rows (`_op` `r`), then its changes;"
                + " `never`: only changes from the first run on");
    public static final SourceArgument MAX_RECORDS_PER_BATCH =
        new SourceArgument(
            SourceKind.POSTGRES_CDC,
            "max_records_per_batch",
            SourceArgumentType.POSITIVE_LONG,
            "100000",
            false,
            false,
            "100000",
            "at most this many change records per run");
    public static final SourceArgument DEBEZIUM_OPTIONS =
        new SourceArgument(
            SourceKind.POSTGRES_CDC,
            "debezium_options",
            SourceArgumentType.OPTIONS,
            null,
            false,
            false,
            "",
            "more Debezium PostgreSQL connector properties, `'database.sslmode=require,"
                + " heartbeat.interval.ms=10000'`; they win over Lagoa's");

    static final List<SourceArgument> ALL =
        List.of(
            URL,
            USER,
            PASSWORD,
            TABLE,
            SLOT,
            PUBLICATION,
            SNAPSHOT,
            MAX_RECORDS_PER_BATCH,
            DEBEZIUM_OPTIONS);

    private PostgresCdc() {}

    /**
     * The slot a call reads through: as written, else {@code lagoa_<namespace>_<table>} of the
     * target table, in lower case with anything but letters, digits and _ as _ (a slot name's
     * alphabet), at most 63 characters.
     */
    public static String slot(SourceCall call, String target) {
      return SLOT.written(call).orElseGet(() -> slotName("lagoa_" + target.replace('.', '_')));
    }

    /** The publication a call reads: as written, else {@code lagoa_<slot>}. */
    public static String publication(SourceCall call, String target) {
      return PUBLICATION.written(call).orElseGet(() -> slotName("lagoa_" + slot(call, target)));
    }

    static String slotName(String name) {
      String cleaned = name.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
      return cleaned.length() > 63 ? cleaned.substring(0, 63) : cleaned;
    }
  }

  private SourceArguments() {}

  /** The arguments a source function takes, in the order the docs list them. */
  public static List<SourceArgument> of(SourceKind kind) {
    return switch (kind) {
      case KAFKA -> Kafka.ALL;
      case FILES -> Files.ALL;
      case POSTGRES_CDC -> PostgresCdc.ALL;
    };
  }

  /** The declaration of an argument of {@code kind}; empty when the function has no such one. */
  public static Optional<SourceArgument> of(SourceKind kind, String name) {
    return of(kind).stream().filter(argument -> argument.name().equalsIgnoreCase(name)).findFirst();
  }

  /**
   * The schema_evolution in effect: as written, else {@code rescue} with a declared schema and
   * {@code add} without.
   */
  public static String schemaEvolution(SourceCall call, boolean declaredSchema) {
    SourceArgument argument = of(call.kind(), "schema_evolution").orElseThrow();
    return argument
        .written(call)
        .map(value -> value.toLowerCase(java.util.Locale.ROOT))
        .orElse(declaredSchema ? "rescue" : "add");
  }

  /** A problem with a call, at its place. */
  public record Problem(SourcePosition position, String message) {}

  public static Optional<Problem> check(SourceCall call, DatasetKind datasetKind) {
    String function = call.kind().function();
    List<String> known = SourceCall.knownArguments(call.kind());
    for (SourceCall.Argument argument : call.arguments().values()) {
      if (!known.contains(argument.name())) {
        return problem(
            argument.namePosition(),
            function
                + " has no argument "
                + argument.name()
                + suggestion(argument.name(), known)
                + "; it takes "
                + String.join(", ", known));
      }
    }
    for (SourceArgument declared : of(call.kind())) {
      if (!declared.required()) {
        continue;
      }
      Optional<String> value = call.argument(declared.name());
      if (declared.type() instanceof SourceArgumentType.OneOf words) {
        if (value.isEmpty()) {
          return problem(
              call.position(), function + " needs " + declared.name() + " => " + words.listed());
        }
      } else if (value.isEmpty() || value.get().isBlank()) {
        return problem(
            call.position(),
            function
                + " needs "
                + declared.name()
                + " => '...'"
                + (declared.positional()
                    ? " (the folder to read, e.g. " + function + "('/landing/" + "sales'))"
                    : ""));
      }
    }
    for (SourceArgument declared : of(call.kind())) {
      Optional<String> value = call.argument(declared.name());
      if (value.isPresent()) {
        Optional<String> wrong = declared.type().problem(declared.name(), value.get());
        if (wrong.isPresent()) {
          return problem(call.positionOf(declared.name()), wrong.get());
        }
      }
    }
    if (call.kind() == SourceKind.KAFKA
        && call.argument("schema").isPresent()
        && !Kafka.FORMAT.word(call).equals("json")
        && !Kafka.FORMAT.word(call).equals("debezium")) {
      return problem(
          call.positionOf("schema"), "schema applies to format => 'json' or 'debezium' only");
    }
    if (call.kind() == SourceKind.FILES
        && call.argument("stream").isPresent()
        && !Files.FORMAT.word(call).equals("airbyte")) {
      return problem(call.positionOf("stream"), "stream applies to format => 'airbyte' only");
    }
    if (call.kind() == SourceKind.POSTGRES_CDC) {
      Optional<Problem> wrong = checkPostgresCdc(call);
      if (wrong.isPresent()) {
        return wrong;
      }
    }
    if (call.streaming() && datasetKind != DatasetKind.STREAMING_TABLE) {
      return problem(
          call.position(),
          "STREAM "
              + function
              + "(...) reads only new data, which"
              + " only a streaming table keeps track of; use CREATE STREAMING TABLE, or read without"
              + " STREAM to read all of it on every run");
    }
    return Optional.empty();
  }

  private static Optional<Problem> checkPostgresCdc(SourceCall call) {
    String function = call.kind().function();
    if (!call.streaming()) {
      return problem(
          call.position(),
          function
              + "(...) reads a change stream, which only a streaming table keeps track of: write"
              + " STREAM "
              + function
              + "(...) in a CREATE STREAMING TABLE");
    }
    String url = call.argument("url").orElse("").strip();
    if (!url.startsWith("jdbc:postgresql://")) {
      return problem(
          call.positionOf("url"),
          "url must be a PostgreSQL JDBC URL, 'jdbc:postgresql://host:5432/database', not '"
              + io.lagoa.text.SecretPatterns.maskText(url)
              + "'");
    }
    if (url.contains("password=")) {
      return problem(
          call.positionOf("url"),
          "put the password in password => '${secret}' (a pipeline variable) or '${env:NAME}',"
              + " not in the url");
    }
    String table = call.argument("table").orElse("").strip();
    if (table.split("\\.", -1).length > 2 || table.startsWith(".") || table.endsWith(".")) {
      return problem(
          call.positionOf("table"), "table must be 'table' or 'schema.table', not '" + table + "'");
    }
    for (String name : List.of("slot", "publication")) {
      Optional<String> value = call.argument(name).map(String::strip);
      if (value.isPresent() && !value.get().matches("[a-z0-9_]{1,63}")) {
        return problem(
            call.positionOf(name),
            name
                + " must be lower-case letters, digits and _ (at most 63), as PostgreSQL names"
                + " slots, not '"
                + value.get()
                + "'");
      }
    }
    return Optional.empty();
  }

  /** The argument table of a source function, as docs/streaming.md has it. */
  public static String markdownTable(SourceKind kind) {
    StringBuilder table = new StringBuilder("| argument | default | meaning |\n|---|---|---|\n");
    for (SourceArgument argument : of(kind)) {
      table
          .append("| `")
          .append(argument.name())
          .append('`')
          .append(argument.positional() ? " (or the first argument)" : "")
          .append(" | ")
          .append(argument.defaultDoc())
          .append(argument.defaultDoc().isEmpty() ? "| " : " | ")
          .append(argument.doc())
          .append(" |\n");
    }
    return table.toString();
  }

  private static SourceArgument required(SourceKind kind, String name, String doc) {
    return new SourceArgument(
        kind, name, SourceArgumentType.TEXT, null, true, false, "(required)", doc);
  }

  private static SourceArgument optional(
      SourceKind kind, String name, String defaultDoc, String doc) {
    return new SourceArgument(
        kind, name, SourceArgumentType.TEXT, null, false, false, defaultDoc, doc);
  }

  private static SourceArgument schemaEvolution(SourceKind kind, String doc) {
    return new SourceArgument(
        kind,
        "schema_evolution",
        SourceArgumentType.oneOf("add", "rescue"),
        null,
        false,
        false,
        "`rescue` with a schema, `add` without",
        doc);
  }

  private static SourceArgument maxRecordBytes(SourceKind kind, String doc) {
    return new SourceArgument(
        kind,
        "max_record_bytes",
        SourceArgumentType.POSITIVE_LONG,
        Long.toString(8L * 1024 * 1024),
        false,
        false,
        Long.toString(8L * 1024 * 1024),
        doc);
  }

  private static String suggestion(String name, List<String> known) {
    return EditDistance.closest(name, known)
        .map(best -> " (did you mean " + best + "?)")
        .orElse("");
  }

  private static Optional<Problem> problem(SourcePosition position, String message) {
    return Optional.of(new Problem(position, message));
  }

  /** Names of the arguments, for {@link SourceCall#knownArguments}. */
  static List<String> names(List<SourceArgument> arguments) {
    List<String> names = new ArrayList<>();
    arguments.forEach(argument -> names.add(argument.name()));
    return names;
  }
}
