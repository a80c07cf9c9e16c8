package io.lagoa.spark.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.lagoa.pipeline.PipelineLoader;
import io.lagoa.pipeline.PipelineSource;
import io.lagoa.pipeline.RunJournal;
import io.lagoa.spark.SparkSql;
import io.lagoa.testing.TestingWarehouse;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.spark.sql.SparkSession;

/**
 * Writes pipeline folders and runs them in-process, as the pipeline tests do: one per test class,
 * sharing that class's Spark session.
 */
final class PipelineFixture {
  private final SparkSession spark;
  private final SparkSql sql;
  private final TestingWarehouse folders;
  private final String prefix;
  private final UnaryOperator<String> yaml;
  private int count;

  /**
   * @param folders where pipeline folders are written
   * @param prefix the folders' (and pipelines') names: prefix + a number
   * @param yaml lines to add to pipeline.yaml, given the pipeline's namespace
   */
  PipelineFixture(
      SparkSession spark, TestingWarehouse folders, String prefix, UnaryOperator<String> yaml) {
    this.spark = spark;
    this.sql = new SparkSql(spark);
    this.folders = folders;
    this.prefix = prefix;
    this.yaml = yaml;
  }

  PipelineFixture(SparkSession spark, TestingWarehouse folders, String prefix) {
    this(spark, folders, prefix, namespace -> "");
  }

  /** Writes a pipeline folder: pipeline.yaml with the namespace, then name/text pairs. */
  Path pipeline(String namespace, String... files) {
    String folder = prefix + (++count);
    folders.writeFile(
        folder + "/pipeline.yaml",
        "name: " + folder + "\nnamespace: " + namespace + "\n" + yaml.apply(namespace));
    for (int i = 0; i < files.length; i += 2) {
      folders.writeFile(folder + "/" + files[i], files[i + 1]);
    }
    return folders.root().resolve(folder);
  }

  /** The number of the last folder written. */
  int count() {
    return count;
  }

  CompiledPipeline compile(Path folder) {
    PipelineSource source = PipelineLoader.load(folder, Map.of());
    Catalog catalog = PipelineRunner.icebergCatalog(spark);
    return new SparkPipelineParser()
        .compile(source, name -> catalog.tableExists(TableIdentifier.parse(name)));
  }

  /** A run in a new runner with nothing cached: what a restarted process does. */
  RunResult attempt(Path folder, RunOptions options) {
    return attempt(folder, options, RunJournal.NONE);
  }

  /** As {@link #attempt(Path, RunOptions)}, noting the run in {@code journal}. */
  RunResult attempt(Path folder, RunOptions options, RunJournal journal) {
    return new PipelineRunner(spark, PipelineListener.NONE, Clock.systemUTC(), journal)
        .run(compile(folder), options);
  }

  RunResult attempt(Path folder) {
    return attempt(folder, RunOptions.defaults());
  }

  /** A run that must succeed. */
  RunResult run(Path folder) {
    RunResult result = attempt(folder);
    assertThat(result.error()).isEmpty();
    return result;
  }

  List<List<Object>> rows(String query) {
    return sql.execute(query, 10_000).rows();
  }

  static FlowResult flow(RunResult run, String name) {
    return run.flows().stream().filter(f -> f.flow().equals(name)).findFirst().orElseThrow();
  }
}
