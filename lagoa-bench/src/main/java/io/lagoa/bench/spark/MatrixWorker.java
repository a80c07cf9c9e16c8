package io.lagoa.bench.spark;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lagoa.bench.BenchQuery;
import io.lagoa.bench.Configuration;
import io.lagoa.bench.QueryRun;
import io.lagoa.bench.Suite;
import io.lagoa.catalog.LagoaCatalogs;
import io.lagoa.config.ConfigLoader;
import io.lagoa.config.LagoaConfig;
import io.lagoa.spark.LagoaSpark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.iceberg.catalog.Catalog;
import org.apache.spark.sql.SparkSession;

/**
 * The main class of a matrix combination's JVM: reads a job file, runs the suite in a fresh Spark
 * (configured by the LAGOA_* environment the parent set: master, shuffle partitions), and writes
 * the measured configuration as JSON.
 */
public final class MatrixWorker {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What one combination runs; written by the parent as JSON. */
  public record Job(
      @JsonProperty("suite") String suite,
      @JsonProperty("namespace") String namespace,
      @JsonProperty("queries") List<String> queries,
      @JsonProperty("warmup") int warmup,
      @JsonProperty("runs") int runs,
      @JsonProperty("vendas") String vendas,
      @JsonProperty("name") String name,
      @JsonProperty("settings") Map<String, String> settings,
      @JsonProperty("config_file") String configFile,
      @JsonProperty("working_dir") String workingDir,
      @JsonProperty("result_file") String resultFile) {}

  private MatrixWorker() {}

  public static void main(String[] args) throws IOException {
    Job job = JSON.readValue(Path.of(args[0]).toFile(), Job.class);
    try {
      Configuration result = run(job);
      Files.writeString(Path.of(job.resultFile()), JSON.writeValueAsString(result));
    } catch (RuntimeException e) {
      System.err.println("error: " + e.getMessage());
      e.printStackTrace();
      System.exit(1);
    }
    System.exit(0);
  }

  static Configuration run(Job job) {
    LagoaConfig config =
        new ConfigLoader(System.getenv(), Path.of(job.workingDir()))
            .load(job.configFile() == null ? null : Path.of(job.configFile()));
    SparkSession spark = LagoaSpark.session(config);
    Catalog catalog = LagoaCatalogs.open(config);
    Suite suite = Suite.parse(job.suite());
    List<BenchQuery> queries = suite.select(String.join(",", job.queries()));
    BenchRun run =
        new BenchRun(
            spark,
            catalog,
            new BenchRun.Request(
                suite, job.namespace(), queries, job.warmup(), job.runs(), job.vendas()));
    Map<String, String> settings = new java.util.LinkedHashMap<>(run.sessionSettings());
    settings.putAll(job.settings());
    return run.run(
        job.name(),
        settings,
        new QueryRunner.Listener() {
          @Override
          public void started(BenchQuery query, int number, int total) {
            System.out.println("[" + number + "/" + total + "] " + query.name());
          }

          @Override
          public void finished(QueryRun run) {
            System.out.println(
                String.format(Locale.ROOT, "  median %.3f s", run.medianMillis() / 1000));
          }
        });
  }
}
