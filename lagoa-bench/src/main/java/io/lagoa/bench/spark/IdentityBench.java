package io.lagoa.bench.spark;

import io.lagoa.bench.identity.IdentityBenchResults;
import io.lagoa.bench.identity.LeadRecord;
import io.lagoa.bench.identity.LeadsGenerator;
import io.lagoa.bench.identity.MissedPairs;
import io.lagoa.bench.identity.PairwiseQuality;
import io.lagoa.error.LagoaException;
import io.lagoa.identity.IdentityResolver;
import io.lagoa.identity.IdentityStore;
import io.lagoa.identity.KeyKind;
import io.lagoa.identity.MatchRules;
import io.lagoa.identity.RecordRef;
import io.lagoa.identity.SourceRecord;
import io.lagoa.pipeline.DatasetStatementParser;
import io.lagoa.pipeline.ExpectationPolicy;
import io.lagoa.pipeline.PipelineLoader;
import io.lagoa.pipeline.PipelineSource;
import io.lagoa.spark.pipeline.CompiledPipeline;
import io.lagoa.spark.pipeline.FlowResult;
import io.lagoa.spark.pipeline.PipelineListener;
import io.lagoa.spark.pipeline.PipelineRunner;
import io.lagoa.spark.pipeline.RunOptions;
import io.lagoa.spark.pipeline.RunResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * {@code lagoa bench identity}: generated leads with known persons ({@link LeadsGenerator}) land in
 * a bronze table; a pipeline with {@code CREATE IDENTITY GRAPH} builds the graph from most of them,
 * then resolves the rest incrementally; the final graph is compared with the truth (pairwise
 * precision, recall, F1, persons found exactly), and the pairs it missed are sorted by reason
 * ({@link MissedPairs}). The reference is the matching engine alone on the same records, in memory.
 */
public final class IdentityBench {
  /**
   * The rules the bench uses unless told others: those of examples/leads. The phone, which joins
   * only agreeing names, may carry a household's six names (docs/benchmarks.md, "A household limit
   * for the phone").
   */
  public static final String MATCH =
      "MATCH ON email, document, phone IF NAME SIMILARITY >= 0.85 MAX NAMES 6 MAX NAMES PER KEY 3";

  private static final StructType LEADS =
      new StructType()
          .add("source", DataTypes.StringType)
          .add("record_id", DataTypes.StringType)
          .add("name", DataTypes.StringType)
          .add("email", DataTypes.StringType)
          .add("phone", DataTypes.StringType)
          .add("document", DataTypes.StringType)
          .add("true_person", DataTypes.LongType);

  private final SparkSession spark;
  private final Path folder;

  public IdentityBench(SparkSession spark, Path folder) {
    this.spark = spark;
    this.folder = folder;
  }

  /**
   * Runs the bench in namespace {@code namespace} (its tables are replaced).
   *
   * @param increment the share of the records resolved by the second, incremental run
   * @param progress told each step as it starts
   */
  public IdentityBenchResults run(
      long records,
      long seed,
      double increment,
      String namespace,
      String match,
      Consumer<String> progress) {
    MatchRules rules = rules(match);
    progress.accept("generating " + records + " leads");
    List<LeadRecord> leads = new ArrayList<>();
    long truePersons = new LeadsGenerator(seed).generate(records, leads::add);
    Collections.shuffle(leads, new Random(seed)); // sources deliver persons in any order
    int split = (int) Math.round(leads.size() * (1 - increment));
    List<LeadRecord> first = leads.subList(0, split);
    List<LeadRecord> second = leads.subList(split, leads.size());

    spark.sql("CREATE NAMESPACE IF NOT EXISTS lagoa.`" + namespace + "`");
    for (String table :
        List.of("leads", "persons", "persons_keys", "persons_same_as", "persons_audit")) {
      spark.sql("DROP TABLE IF EXISTS lagoa.`" + namespace + "`.`" + table + "` PURGE");
    }
    String leadsTable = "lagoa.`" + namespace + "`.leads";
    progress.accept("landing " + first.size() + " leads in " + namespace + ".leads");
    spark.createDataFrame(rows(first), LEADS).createOrReplaceTempView("__lagoa_bench_leads");
    spark.sql("CREATE TABLE " + leadsTable + " USING iceberg AS SELECT * FROM __lagoa_bench_leads");
    Path pipeline = writePipeline(namespace, match);

    PipelineRunner runner = new PipelineRunner(spark, PipelineListener.NONE, Clock.systemUTC());
    progress.accept("building the graph from " + first.size() + " leads");
    long start = System.nanoTime();
    FlowResult built = run(runner, pipeline, namespace);
    long firstNanos = System.nanoTime() - start;

    progress.accept("landing " + second.size() + " more leads");
    spark.createDataFrame(rows(second), LEADS).createOrReplaceTempView("__lagoa_bench_leads");
    spark.sql("INSERT INTO " + leadsTable + " SELECT * FROM __lagoa_bench_leads");
    spark.catalog().dropTempView("__lagoa_bench_leads");
    progress.accept("resolving them against the graph");
    start = System.nanoTime();
    FlowResult incremental = run(runner, pipeline, namespace);
    long incrementNanos = System.nanoTime() - start;

    progress.accept("comparing the graph with the truth");
    PairwiseQuality quality = new PairwiseQuality();
    Map<String, String> predicted = new HashMap<>();
    for (Row row :
        spark
            .sql(
                "SELECT p.person_id, l.true_person, p.source, p.record_id FROM lagoa.`"
                    + namespace
                    + "`.persons p JOIN "
                    + leadsTable
                    + " l ON p.source = l.source AND p.record_id = l.record_id")
            .collectAsList()) {
      quality.add(row.getString(0), row.getLong(1));
      predicted.put(row.getString(2) + "/" + row.getString(3), row.getString(0));
    }
    progress.accept("sorting the missed pairs by reason");
    Set<String> rejected = new HashSet<>();
    for (Row row :
        spark
            .sql(
                "SELECT DISTINCT key FROM lagoa.`"
                    + namespace
                    + "`.persons_keys WHERE status <> 'ACTIVE'")
            .collectAsList()) {
      rejected.add(row.getString(0));
    }
    MissedPairs.Analysis missed = MissedPairs.analyze(leads, predicted, rejected, "BR");
    predicted.clear();

    progress.accept("reference: the matching engine alone on " + leads.size() + " leads");
    List<SourceRecord> sourceRecords = new ArrayList<>(leads.size());
    for (LeadRecord lead : leads) {
      Map<KeyKind, String> raw = new EnumMap<>(KeyKind.class);
      raw.put(KeyKind.EMAIL, lead.email());
      raw.put(KeyKind.PHONE, lead.phone());
      raw.put(KeyKind.DOCUMENT, lead.document());
      sourceRecords.add(
          new SourceRecord(new RecordRef(lead.source(), lead.recordId()), lead.name(), raw));
    }
    start = System.nanoTime();
    new IdentityResolver(rules).resolve(sourceRecords, IdentityStore.EMPTY, Instant.now(), "bench");
    long engineNanos = System.nanoTime() - start;

    return new IdentityBenchResults(
        leads.size(),
        second.size(),
        truePersons,
        quality.predictedPersons(),
        quality.precision(),
        quality.recall(),
        quality.f1(),
        quality.exactPersons(),
        firstNanos,
        incrementNanos,
        engineNanos,
        built.note().orElse(""),
        incremental.note().orElse(""),
        missed.keyCeiling(),
        missed.missed());
  }

  /**
   * The rules of a graph declared with {@code match} (the clauses between the graph's name and AS),
   * read by the pipeline's own parser.
   *
   * @throws IllegalArgumentException saying what is wrong in them
   */
  public static MatchRules rules(String match) {
    String sql = "CREATE IDENTITY GRAPH persons " + match + " AS SELECT 1";
    try {
      return DatasetStatementParser.parse(
              "the rules", new io.lagoa.sql.Statement(sql, 1, 1), ExpectationPolicy.WARN)
          .identityGraph()
          .orElseThrow();
    } catch (LagoaException e) {
      throw new IllegalArgumentException(
          "Cannot bench identity with the rules '" + match + "': " + e.getMessage(), e);
    }
  }

  private static List<Row> rows(List<LeadRecord> leads) {
    List<Row> rows = new ArrayList<>(leads.size());
    for (LeadRecord lead : leads) {
      rows.add(
          RowFactory.create(
              lead.source(),
              lead.recordId(),
              lead.name(),
              lead.email(),
              lead.phone(),
              lead.document(),
              lead.person()));
    }
    return rows;
  }

  private Path writePipeline(String namespace, String match) {
    Path pipeline = folder.resolve("identity-bench");
    try {
      Files.createDirectories(pipeline);
      Files.writeString(
          pipeline.resolve("pipeline.yaml"),
          "name: identity-bench\nnamespace: " + namespace + "\n");
      Files.writeString(
          pipeline.resolve("persons.sql"),
          "CREATE IDENTITY GRAPH persons\n"
              + match
              + "\nAS SELECT source, record_id, name, email, phone, document"
              + " FROM STREAM(leads)\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return pipeline;
  }

  private FlowResult run(PipelineRunner runner, Path pipeline, String namespace) {
    PipelineSource source = PipelineLoader.load(pipeline, Map.of());
    Catalog catalog = PipelineRunner.icebergCatalog(spark);
    CompiledPipeline compiled =
        new io.lagoa.spark.pipeline.SparkPipelineParser()
            .compile(source, name -> catalog.tableExists(TableIdentifier.parse(name)));
    RunResult result = runner.run(compiled, RunOptions.defaults());
    if (result.error().isPresent()) {
      throw new IllegalStateException(
          "Cannot measure the identity graph: the pipeline run failed: " + result.error().get());
    }
    return result.flows().stream()
        .filter(flow -> flow.flow().equals(namespace + ".persons"))
        .findFirst()
        .orElseThrow();
  }
}
