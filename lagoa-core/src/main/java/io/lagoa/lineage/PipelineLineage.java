package io.lagoa.lineage;

import io.lagoa.pipeline.Dataset;
import io.lagoa.pipeline.Input;
import io.lagoa.pipeline.PipelineGraph;
import io.openlineage.client.OpenLineage;
import io.openlineage.client.OpenLineage.RunEvent.EventType;
import io.openlineage.client.utils.DatasetIdentifier;
import io.openlineage.client.utils.filesystem.FilesystemDatasetUtils;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns one pipeline run into OpenLineage run events: the pipeline is a parent job run, and each
 * table it writes is a job run ({@code <pipeline>.<table>}) with the parent facet pointing at it.
 * Inputs and outputs are named by their location, as OpenLineage's naming spec names file-based
 * tables and as its Spark integration names Iceberg tables (namespace {@code file} or {@code
 * s3://bucket}, name the path), with the catalog name ({@code silver.users}) as a symlink, so
 * lineage from Lagoa and from other Spark jobs on the same tables joins up.
 *
 * <p>Calls come from the run's flow threads; events are built and queued under one lock so each
 * run's events leave in the order they happened.
 */
public final class PipelineLineage {
  private static final Logger LOG = LoggerFactory.getLogger(PipelineLineage.class);

  /** Identifies Lagoa as the producer of events and facets, as the spec asks. */
  public static final URI PRODUCER = URI.create("https://lagoa.io/openlineage/" + version());

  private static final String INTEGRATION = "LAGOA";
  private static final Pattern FILE_INPUT = Pattern.compile("(?s)^([A-Za-z0-9_]+)\\.`(.*)`$");
  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Pattern QUOTED = Pattern.compile("'(?:[^']|'')*'");

  private final OpenLineage openLineage = new OpenLineage(PRODUCER);
  private final String namespace;
  private final String pipeline;
  private final PipelineGraph graph;
  private final Catalog catalog;
  private final String warehouse;
  private final String catalogType;
  private final LineageEmitter emitter;
  private final Map<String, UUID> flowRuns = new HashMap<>();
  private UUID runId;

  /**
   * @param namespace the OpenLineage job namespace
   * @param warehouse the warehouse URI, for the catalog facet and symlinks
   * @param catalogType sqlite, postgres or rest
   */
  public PipelineLineage(
      String namespace,
      String pipeline,
      PipelineGraph graph,
      Catalog catalog,
      String warehouse,
      String catalogType,
      LineageEmitter emitter) {
    this.namespace = namespace;
    this.pipeline = pipeline;
    this.graph = graph;
    this.catalog = catalog;
    this.warehouse = warehouse;
    this.catalogType = catalogType;
    this.emitter = emitter;
  }

  /** The pipeline run's START event. */
  public synchronized void runStarted(String pipelineRunId, Instant at) {
    runId = uuid(pipelineRunId);
    emitter.emit(
        openLineage
            .newRunEventBuilder()
            .eventType(EventType.START)
            .eventTime(time(at))
            .run(openLineage.newRun(runId, engineFacets().build()))
            .job(pipelineJob())
            .inputs(List.of())
            .outputs(List.of())
            .build());
  }

  /** A flow's START event, with its inputs and its table if that exists already. */
  public synchronized void flowStarted(Dataset dataset, Instant at) {
    UUID flowRun = UUID.fromString(RunIds.next(at));
    flowRuns.put(dataset.name(), flowRun);
    List<OpenLineage.OutputDataset> outputs = new ArrayList<>();
    loadTable(dataset.name()).ifPresent(table -> outputs.add(output(dataset.name(), table, null)));
    emitter.emit(
        flowEvent(dataset, flowRun, EventType.START, at, Optional.empty())
            .inputs(inputs(dataset))
            .outputs(outputs)
            .build());
  }

  /** A flow's COMPLETE or FAIL event; the table's schema is read after the write. */
  public synchronized void flowFinished(Dataset dataset, FlowOutcome outcome) {
    UUID flowRun = flowRuns.computeIfAbsent(dataset.name(), name -> UUID.randomUUID());
    List<OpenLineage.OutputDataset> outputs = new ArrayList<>();
    if (outcome.state() == FlowOutcome.State.COMPLETED) {
      Optional<Table> table = loadTable(dataset.name());
      outputs.add(
          table
              .map(t -> output(dataset.name(), t, outcome))
              .orElseGet(
                  () -> withStatistics(dataset.name(), Optional.empty(), outcome.rowsWritten())));
      if (dataset.hasQuarantine()) {
        loadTable(dataset.quarantineTable())
            .ifPresent(
                quarantine ->
                    outputs.add(
                        withStatistics(
                            dataset.quarantineTable(),
                            Optional.of(quarantine),
                            outcome.rowsQuarantined())));
      }
    }
    emitter.emit(
        flowEvent(
                dataset,
                flowRun,
                outcome.state() == FlowOutcome.State.COMPLETED
                    ? EventType.COMPLETE
                    : EventType.FAIL,
                outcome.endedAt(),
                outcome.error())
            .inputs(inputs(dataset))
            .outputs(outputs)
            .build());
  }

  /** An ABORT event for a flow that was not run because another one failed. */
  public synchronized void flowSkipped(Dataset dataset, Instant at, String reason) {
    UUID flowRun =
        flowRuns.computeIfAbsent(dataset.name(), name -> UUID.fromString(RunIds.next(at)));
    emitter.emit(
        flowEvent(dataset, flowRun, EventType.ABORT, at, Optional.of(reason))
            .inputs(List.of())
            .outputs(List.of())
            .build());
  }

  /** The pipeline run's COMPLETE event, or FAIL with the error. */
  public synchronized void runFinished(boolean succeeded, Optional<String> error, Instant at) {
    OpenLineage.RunFacetsBuilder facets = engineFacets();
    if (!succeeded) {
      facets.errorMessage(errorFacet(error.orElse("the run failed")));
    }
    emitter.emit(
        openLineage
            .newRunEventBuilder()
            .eventType(succeeded ? EventType.COMPLETE : EventType.FAIL)
            .eventTime(time(at))
            .run(openLineage.newRun(runId, facets.build()))
            .job(pipelineJob())
            .inputs(List.of())
            .outputs(List.of())
            .build());
  }

  // ---- jobs and runs ----

  private OpenLineage.Job pipelineJob() {
    return openLineage
        .newJobBuilder()
        .namespace(namespace)
        .name(pipeline)
        .facets(openLineage.newJobFacetsBuilder().jobType(jobType("PIPELINE")).build())
        .build();
  }

  private OpenLineage.RunEventBuilder flowEvent(
      Dataset dataset, UUID flowRun, EventType type, Instant at, Optional<String> error) {
    OpenLineage.ParentRunFacet parent =
        openLineage
            .newParentRunFacetBuilder()
            .run(openLineage.newParentRunFacetRunBuilder().runId(runId).build())
            .job(
                openLineage
                    .newParentRunFacetJobBuilder()
                    .namespace(namespace)
                    .name(pipeline)
                    .build())
            .root(
                openLineage.newParentRunFacetRoot(
                    openLineage.newRootRun(runId, null),
                    openLineage.newRootJob(namespace, pipeline, null)))
            .build();
    OpenLineage.RunFacetsBuilder runFacets = engineFacets().parent(parent);
    if (type == EventType.FAIL || type == EventType.ABORT) {
      error.ifPresent(message -> runFacets.errorMessage(errorFacet(message)));
    }
    OpenLineage.Job job =
        openLineage
            .newJobBuilder()
            .namespace(namespace)
            .name(pipeline + "." + dataset.name())
            .facets(
                openLineage
                    .newJobFacetsBuilder()
                    .jobType(jobType(dataset.kind().name()))
                    .sql(
                        openLineage
                            .newSQLJobFacetBuilder()
                            .query(dataset.statement().statement().sql())
                            .dialect("spark")
                            .build())
                    .build())
            .build();
    return openLineage
        .newRunEventBuilder()
        .eventType(type)
        .eventTime(time(at))
        .run(openLineage.newRun(flowRun, runFacets.build()))
        .job(job);
  }

  private OpenLineage.JobTypeJobFacet jobType(String type) {
    return openLineage
        .newJobTypeJobFacetBuilder()
        .processingType("BATCH")
        .integration(INTEGRATION)
        .jobType(type)
        .build();
  }

  private OpenLineage.RunFacetsBuilder engineFacets() {
    return openLineage
        .newRunFacetsBuilder()
        .processing_engine(
            openLineage
                .newProcessingEngineRunFacetBuilder()
                .name("lagoa")
                .version(version())
                .openlineageAdapterVersion(openLineageVersion())
                .build());
  }

  private OpenLineage.ErrorMessageRunFacet errorFacet(String message) {
    return openLineage
        .newErrorMessageRunFacetBuilder()
        .message(message)
        .programmingLanguage("SQL")
        .build();
  }

  // ---- datasets ----

  /** What a flow reads: tables and files, looking through temporary views to what they read. */
  private List<OpenLineage.InputDataset> inputs(Dataset dataset) {
    Set<Input> seen = new LinkedHashSet<>();
    collectInputs(dataset, seen, new LinkedHashSet<>());
    List<OpenLineage.InputDataset> inputs = new ArrayList<>();
    Set<String> names = new LinkedHashSet<>();
    for (Input input : seen) {
      if (!names.add(input.name())) {
        continue;
      }
      if (input.kind() == Input.Kind.FILE) {
        fileInput(input.name()).ifPresent(inputs::add);
        continue;
      }
      Optional<Table> table = loadTable(input.name());
      DatasetIdentifier id = identifier(input.name(), table);
      inputs.add(
          openLineage
              .newInputDatasetBuilder()
              .namespace(id.getNamespace())
              .name(id.getName())
              .facets(tableFacets(input.name(), id, table.map(Table::schema)).build())
              .build());
    }
    return inputs;
  }

  private void collectInputs(Dataset dataset, Set<Input> into, Set<String> visited) {
    if (!visited.add(dataset.name())) {
      return;
    }
    for (Input input : dataset.inputs()) {
      Optional<Dataset> upstream =
          input.kind() == Input.Kind.DATASET ? graph.dataset(input.name()) : Optional.empty();
      if (upstream.isPresent() && !upstream.get().kind().isTable()) {
        collectInputs(upstream.get(), into, visited);
      } else {
        into.add(input);
      }
    }
  }

  /** A file read as {@code json.`/data/users.jsonl`}: named by its location. */
  private Optional<OpenLineage.InputDataset> fileInput(String name) {
    Matcher matcher = FILE_INPUT.matcher(name);
    if (!matcher.matches()) {
      return Optional.empty();
    }
    String path = matcher.group(2).replace("``", "`");
    URI location;
    try {
      location =
          path.matches("^[A-Za-z][A-Za-z0-9+.-]*:.*") && !path.matches("^[A-Za-z]:\\\\.*")
              ? URI.create(path)
              : Path.of(path).toAbsolutePath().normalize().toUri();
    } catch (RuntimeException e) {
      LOG.debug("cannot name input {} for lineage", name, e);
      return Optional.empty();
    }
    DatasetIdentifier id = FilesystemDatasetUtils.fromLocation(location);
    return Optional.of(
        openLineage
            .newInputDatasetBuilder()
            .namespace(id.getNamespace())
            .name(id.getName())
            .facets(
                openLineage
                    .newDatasetFacetsBuilder()
                    .dataSource(dataSource(id.getNamespace()))
                    .storage(
                        openLineage
                            .newStorageDatasetFacetBuilder()
                            .storageLayer("file")
                            .fileFormat(matcher.group(1).toLowerCase(Locale.ROOT))
                            .build())
                    .build())
            .build());
  }

  private OpenLineage.OutputDataset output(String name, Table table, FlowOutcome outcome) {
    DatasetIdentifier id = identifier(name, Optional.of(table));
    OpenLineage.OutputDatasetBuilder builder =
        openLineage
            .newOutputDatasetBuilder()
            .namespace(id.getNamespace())
            .name(id.getName())
            .facets(tableFacets(name, id, Optional.of(table.schema())).build());
    if (outcome != null) {
      OpenLineage.OutputDatasetOutputFacetsBuilder facets =
          openLineage
              .newOutputDatasetOutputFacetsBuilder()
              .outputStatistics(
                  openLineage
                      .newOutputStatisticsOutputDatasetFacetBuilder()
                      .rowCount(outcome.rowsWritten())
                      .build());
      if (!outcome.checks().isEmpty()) {
        facets.put(
            "dataQualityAssertions",
            new OutputAssertions(assertions(outcome.checks(), table.schema())));
      }
      builder.outputFacets(facets.build());
    }
    return builder.build();
  }

  /** An output with its row count; schema and data-source facets when the table could be read. */
  private OpenLineage.OutputDataset withStatistics(String name, Optional<Table> table, long rows) {
    DatasetIdentifier id = identifier(name, table);
    OpenLineage.OutputDatasetBuilder builder =
        openLineage.newOutputDatasetBuilder().namespace(id.getNamespace()).name(id.getName());
    table.ifPresent(t -> builder.facets(tableFacets(name, id, Optional.of(t.schema())).build()));
    return builder
        .outputFacets(
            openLineage
                .newOutputDatasetOutputFacetsBuilder()
                .outputStatistics(
                    openLineage
                        .newOutputStatisticsOutputDatasetFacetBuilder()
                        .rowCount(rows)
                        .build())
                .build())
        .build();
  }

  private OpenLineage.DatasetFacetsBuilder tableFacets(
      String name, DatasetIdentifier id, Optional<Schema> schema) {
    OpenLineage.DatasetFacetsBuilder facets =
        openLineage
            .newDatasetFacetsBuilder()
            .dataSource(dataSource(id.getNamespace()))
            .storage(
                openLineage
                    .newStorageDatasetFacetBuilder()
                    .storageLayer("iceberg")
                    .fileFormat("parquet")
                    .build())
            .catalog(
                openLineage
                    .newCatalogDatasetFacetBuilder()
                    .framework("iceberg")
                    .type(catalogType)
                    .name("lagoa")
                    .warehouseUri(warehouse)
                    .source("lagoa")
                    .build());
    if (!id.getSymlinks().isEmpty()) {
      List<OpenLineage.SymlinksDatasetFacetIdentifiers> identifiers = new ArrayList<>();
      for (DatasetIdentifier.Symlink symlink : id.getSymlinks()) {
        identifiers.add(
            openLineage
                .newSymlinksDatasetFacetIdentifiersBuilder()
                .namespace(symlink.getNamespace())
                .name(symlink.getName())
                .type(symlink.getType().name())
                .build());
      }
      facets.symlinks(openLineage.newSymlinksDatasetFacet(identifiers));
    }
    schema.ifPresent(s -> facets.schema(openLineage.newSchemaDatasetFacet(fields(s.columns()))));
    return facets;
  }

  /**
   * A table named by its location (the naming spec's file-system rule), with its catalog name as a
   * symlink; a table the catalog cannot load is named in the warehouse by its catalog name.
   */
  private DatasetIdentifier identifier(String name, Optional<Table> table) {
    if (table.isPresent()) {
      try {
        return FilesystemDatasetUtils.fromLocation(URI.create(table.get().location()))
            .withSymlink(name, warehouse, DatasetIdentifier.SymlinkType.TABLE);
      } catch (RuntimeException e) {
        LOG.debug("cannot name {} by its location {}", name, table.get().location(), e);
      }
    }
    return new DatasetIdentifier(name, warehouse);
  }

  private OpenLineage.DatasourceDatasetFacet dataSource(String datasetNamespace) {
    URI uri;
    try {
      uri =
          URI.create(datasetNamespace.contains(":") ? datasetNamespace : datasetNamespace + ":///");
    } catch (IllegalArgumentException e) {
      uri = URI.create(warehouse);
    }
    return openLineage.newDatasourceDatasetFacetBuilder().name(datasetNamespace).uri(uri).build();
  }

  private List<OpenLineage.SchemaDatasetFacetFields> fields(List<Types.NestedField> columns) {
    List<OpenLineage.SchemaDatasetFacetFields> fields = new ArrayList<>();
    long position = 1;
    for (Types.NestedField column : columns) {
      Type type = column.type();
      OpenLineage.SchemaDatasetFacetFieldsBuilder field =
          openLineage
              .newSchemaDatasetFacetFieldsBuilder()
              .name(column.name())
              .type(type.isStructType() ? "struct" : type.toString())
              .description(column.doc())
              .ordinal_position(position++);
      if (type.isStructType()) {
        field.fields(fields(type.asStructType().fields()));
      }
      fields.add(field.build());
    }
    return fields;
  }

  private List<OpenLineage.DataQualityAssertionsDatasetFacetAssertions> assertions(
      List<FlowOutcome.Check> checks, Schema schema) {
    List<OpenLineage.DataQualityAssertionsDatasetFacetAssertions> assertions = new ArrayList<>();
    for (FlowOutcome.Check check : checks) {
      assertions.add(
          openLineage
              .newDataQualityAssertionsDatasetFacetAssertionsBuilder()
              .assertion(check.rule())
              .success(check.rowsFailed() == 0)
              .column(column(check.condition(), schema))
              .severity(check.policy().equals("fail") ? "error" : "warn")
              .description("EXPECT (" + check.condition() + ") ON VIOLATION " + check.policy())
              .expected("0 failing rows")
              .actual(check.rowsFailed() + " of " + check.rowsChecked() + " rows failed")
              .build());
    }
    return assertions;
  }

  /** The column a condition is about, when it names exactly one column of the table. */
  static String column(String condition, Schema schema) {
    Map<String, String> columns = new LinkedHashMap<>();
    schema.columns().forEach(c -> columns.put(c.name().toLowerCase(Locale.ROOT), c.name()));
    Set<String> named = new LinkedHashSet<>();
    Matcher matcher = IDENTIFIER.matcher(QUOTED.matcher(condition).replaceAll("''"));
    while (matcher.find()) {
      String column = columns.get(matcher.group().toLowerCase(Locale.ROOT));
      if (column != null) {
        named.add(column);
      }
    }
    return named.size() == 1 ? named.iterator().next() : null;
  }

  // ---- helpers ----

  private Optional<Table> loadTable(String name) {
    try {
      Table table = catalog.loadTable(TableIdentifier.parse(name));
      table.refresh(); // the run wrote it through another session's cache
      return Optional.of(table);
    } catch (RuntimeException e) {
      LOG.debug("cannot load {} for its lineage", name, e);
      return Optional.empty();
    }
  }

  private static ZonedDateTime time(Instant at) {
    return at.atZone(ZoneOffset.UTC);
  }

  private static UUID uuid(String runId) {
    try {
      return UUID.fromString(runId);
    } catch (IllegalArgumentException e) {
      return UUID.nameUUIDFromBytes(runId.getBytes(StandardCharsets.UTF_8));
    }
  }

  static String version() {
    String version = PipelineLineage.class.getPackage().getImplementationVersion();
    return version == null ? "development" : version;
  }

  private static String openLineageVersion() {
    String version = OpenLineage.class.getPackage().getImplementationVersion();
    return version == null ? "unknown" : version;
  }
}
