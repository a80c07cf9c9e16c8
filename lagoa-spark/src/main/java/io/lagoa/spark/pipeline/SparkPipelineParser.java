package io.lagoa.spark.pipeline;

import io.lagoa.pipeline.AutoCdc;
import io.lagoa.pipeline.DatasetKind;
import io.lagoa.pipeline.DatasetStatement;
import io.lagoa.pipeline.Expectation;
import io.lagoa.pipeline.InputReference;
import io.lagoa.pipeline.ParsedDataset;
import io.lagoa.pipeline.ParsedStatement;
import io.lagoa.pipeline.PipelineException;
import io.lagoa.pipeline.PipelineGraph;
import io.lagoa.pipeline.PipelineSource;
import io.lagoa.pipeline.SourcePosition;
import io.lagoa.pipeline.SqlToken;
import io.lagoa.pipeline.SqlTokenizer;
import io.lagoa.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.spark.sql.catalyst.analysis.UnresolvedRelation;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.SubqueryExpression;
import org.apache.spark.sql.catalyst.parser.ParseException;
import org.apache.spark.sql.catalyst.parser.ParserInterface;
import org.apache.spark.sql.catalyst.plans.logical.CreatePipelineDatasetAsSelect;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.TableSpecBase;
import org.apache.spark.sql.catalyst.plans.logical.UnresolvedWith;
import org.apache.spark.sql.catalyst.trees.Origin;
import org.apache.spark.sql.connector.expressions.Transform;
import org.apache.spark.sql.execution.SparkSqlParser;
import org.apache.spark.sql.execution.command.CreateViewCommand;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Parses pipeline statements with Spark's own SQL parser (no SparkContext needed) and finds the
 * tables each query reads in the parsed plan: every UnresolvedRelation, in subqueries and CTE
 * bodies too, except references to the query's own CTEs.
 */
public final class SparkPipelineParser {
  /** The write modes an AUTO CDC target gets unless its declaration sets one of them. */
  private static final List<String> MERGE_ON_READ_MODES =
      List.of("write.merge.mode", "write.update.mode", "write.delete.mode");

  private final ParserInterface parser;

  public SparkPipelineParser() {
    this(new SparkSqlParser());
  }

  public SparkPipelineParser(ParserInterface parser) {
    this.parser = parser;
  }

  /**
   * Parses every statement and builds the checked graph.
   *
   * @param tableExists whether the catalog has a table, by lower-case dotted name
   * @throws PipelineException with every problem, each at its file:line:col
   */
  public CompiledPipeline compile(PipelineSource source, Predicate<String> tableExists) {
    List<String> problems = new ArrayList<>();
    List<ParsedDataset> parsed = new ArrayList<>();
    Map<DatasetStatement, DatasetPlan> plans = new LinkedHashMap<>();
    Set<String> badDeclarations = new HashSet<>();
    for (ParsedStatement.Declaration declaration : source.declarations()) {
      checkDeclaration(declaration.dataset())
          .ifPresent(
              problem -> {
                problems.add(problem);
                badDeclarations.add(key(declaration.dataset()));
              });
    }
    for (DatasetStatement statement : source.statements()) {
      try {
        DatasetPlan plan = parse(statement, parsed, badDeclarations);
        plans.put(statement, plan);
      } catch (PipelineException e) {
        problems.addAll(e.problems());
      }
      for (Expectation expectation : statement.expectations()) {
        checkExpression(
                expectation.condition(),
                expectation.conditionPosition(),
                "in expectation " + expectation.name())
            .ifPresent(problems::add);
      }
      statement.autoCdc().ifPresent(cdc -> problems.addAll(checkExpressions(cdc)));
    }
    if (!problems.isEmpty()) {
      throw new PipelineException(problems);
    }
    PipelineGraph graph = PipelineGraph.build(source.spec(), parsed, tableExists);
    Map<String, DatasetPlan> byName = new LinkedHashMap<>();
    graph.datasets().forEach(dataset -> byName.put(dataset.name(), plans.get(dataset.statement())));
    return new CompiledPipeline(source, graph, byName);
  }

  private DatasetPlan parse(
      DatasetStatement statement, List<ParsedDataset> parsed, Set<String> badDeclarations) {
    String sql = statement.engineSql();
    LogicalPlan plan;
    try {
      plan = parser.parsePlan(sql);
    } catch (ParseException e) {
      if (statement.autoCdc().isPresent()
          && e.line().isDefined()
          && (Integer) e.line().get() == 1) {
        // The head made of the target's declaration: reported at the declaration's own place
        if (badDeclarations.contains(key(statement))) {
          throw new PipelineException(List.of());
        }
        throw PipelineException.at(statement.position(), firstLine(e.getMessage()));
      }
      SourcePosition at =
          e.line().isDefined()
              ? statement.positionAt((Integer) e.line().get(), (Integer) e.startPosition().get())
              : statement.position();
      if (statement.vault().isPresent() && e.line().isDefined()) {
        // the query was written from the LOAD flows: the error is in the flow that wrote the line
        at = statement.vault().get().flowAt((Integer) e.line().get()).orElse(statement.position());
      }
      throw PipelineException.at(at, firstLine(e.getMessage()));
    }
    LogicalPlan query;
    List<String> partitioning = new ArrayList<>();
    Optional<String> comment = Optional.empty();
    Map<String, String> properties = new LinkedHashMap<>();
    if (plan instanceof CreatePipelineDatasetAsSelect dataset
        && statement.kind() != DatasetKind.TEMPORARY_VIEW) {
      query = dataset.query();
      for (Transform transform : CollectionConverters.asJava(dataset.partitioning())) {
        partitioning.add(transform.describe());
      }
      TableSpecBase spec = dataset.tableSpec();
      if (spec.provider().isDefined() && !spec.provider().get().equalsIgnoreCase("iceberg")) {
        throw PipelineException.at(
            statement.position(),
            "pipeline tables are Iceberg tables;" + " remove USING " + spec.provider().get());
      }
      if (spec.location().isDefined()) {
        throw PipelineException.at(
            statement.position(),
            "LOCATION is not supported: the" + " catalog decides where pipeline tables live");
      }
      comment = Optional.ofNullable(spec.comment().isDefined() ? spec.comment().get() : null);
      properties.putAll(CollectionConverters.asJava(spec.properties()));
      if (!dataset.columns().isEmpty()) {
        throw PipelineException.at(
            statement.position(),
            "declaring the columns in CREATE ..."
                + " (column TYPE, ...) is not supported yet; cast and name them in the query instead");
      }
    } else if (plan instanceof CreateViewCommand view
        && statement.kind() == DatasetKind.TEMPORARY_VIEW) {
      query = view.plan();
    } else {
      throw PipelineException.at(
          statement.position(),
          "Spark read this statement as "
              + plan.nodeName()
              + ", not as a "
              + statement.kind().description());
    }
    int queryOffset = queryOffset(statement, query);
    Set<String> cteNames = new HashSet<>();
    collectCteNames(query, cteNames);
    List<InputReference> inputs = new ArrayList<>();
    List<DatasetPlan.StreamRead> streams = new ArrayList<>();
    collectInputs(statement, query, cteNames, inputs, streams);
    parsed.add(new ParsedDataset(statement, inputs));
    if (statement.autoCdc().isPresent()
        && MERGE_ON_READ_MODES.stream().noneMatch(properties::containsKey)) {
      // An AUTO CDC target changes a little of itself every batch: merge-on-read writes delete
      // files instead of rewriting every data file a batch touches (3x the changes/s at 10M rows,
      // docs/benchmarks.md#cdc), and compaction keeps its reads fast.
      MERGE_ON_READ_MODES.forEach(mode -> properties.put(mode, "merge-on-read"));
    }
    return new DatasetPlan(statement, queryOffset, partitioning, comment, properties, streams);
  }

  /**
   * Where the query starts: the first token after the AS that ends the statement's head (the query
   * plan's own origin points at its top operator, e.g. GROUP BY, not at its start).
   */
  private static int queryOffset(DatasetStatement statement, LogicalPlan query) {
    List<SqlToken> tokens = SqlTokenizer.tokenize(statement.engineSql());
    int depth = 0;
    for (int i = 3; i < tokens.size(); i++) {
      SqlToken token = tokens.get(i);
      if (token.isSymbol('(')) {
        depth++;
      } else if (token.isSymbol(')')) {
        depth--;
      } else if (depth == 0 && token.isKeyword("AS") && i + 1 < tokens.size()) {
        return tokens.get(i + 1).start();
      }
    }
    throw PipelineException.at(statement.position(), "cannot find the query after AS");
  }

  private static void collectCteNames(LogicalPlan plan, Set<String> names) {
    if (plan instanceof UnresolvedWith with) {
      for (scala.Tuple3<String, ?, ?> relation : CollectionConverters.asJava(with.cteRelations())) {
        names.add(relation._1().toLowerCase(java.util.Locale.ROOT));
      }
    }
    for (LogicalPlan child : children(plan)) {
      collectCteNames(child, names);
    }
  }

  private static void collectInputs(
      DatasetStatement statement,
      LogicalPlan plan,
      Set<String> cteNames,
      List<InputReference> inputs,
      List<DatasetPlan.StreamRead> streams) {
    if (plan instanceof UnresolvedRelation relation) {
      List<String> parts = CollectionConverters.asJava(relation.multipartIdentifier());
      if (parts.size() == 1 && cteNames.contains(parts.get(0).toLowerCase(java.util.Locale.ROOT))) {
        return;
      }
      Origin origin = relation.origin();
      SourcePosition position =
          origin.line().isDefined()
              ? statement.positionAt(
                  (Integer) origin.line().get(), (Integer) origin.startPosition().get())
              : statement.position();
      inputs.add(new InputReference(parts, relation.isStreaming(), position));
      if (relation.isStreaming() && origin.startIndex().isDefined()) {
        streams.add(streamRead(statement, parts, (Integer) origin.startIndex().get()));
      }
      return;
    }
    for (LogicalPlan child : children(plan)) {
      collectInputs(statement, child, cteNames, inputs, streams);
    }
  }

  /** The children, the CTE definitions, and the plans of subqueries inside expressions. */
  private static List<LogicalPlan> children(LogicalPlan plan) {
    List<LogicalPlan> all = new ArrayList<>();
    if (plan instanceof UnresolvedWith with) {
      for (scala.Tuple3<String, ?, ?> relation : CollectionConverters.asJava(with.cteRelations())) {
        all.add((LogicalPlan) relation._2());
      }
    }
    all.addAll(CollectionConverters.asJava(plan.children()));
    for (Expression expression : CollectionConverters.asJava(plan.expressions())) {
      collectSubqueries(expression, all);
    }
    return all;
  }

  private static void collectSubqueries(Expression expression, List<LogicalPlan> into) {
    if (expression instanceof SubqueryExpression subquery) {
      into.add(subquery.plan());
    }
    for (Expression child : CollectionConverters.asJava(expression.children())) {
      collectSubqueries(child, into);
    }
  }

  /** The span of {@code STREAM(name)} or {@code STREAM name} that starts at an offset. */
  private static DatasetPlan.StreamRead streamRead(
      DatasetStatement statement, List<String> parts, int start) {
    String sql = statement.engineSql();
    List<SqlToken> tokens = SqlTokenizer.tokenize(sql.substring(start));
    int i = 1; // tokens[0] is STREAM
    boolean parenthesized = i < tokens.size() && tokens.get(i).isSymbol('(');
    if (parenthesized) {
      i++;
    }
    int end = start;
    while (i < tokens.size() && tokens.get(i).isIdentifier()) {
      end = start + tokens.get(i).end();
      i++;
      if (i < tokens.size() && tokens.get(i).isSymbol('.')) {
        i++;
      } else {
        break;
      }
    }
    if (parenthesized && i < tokens.size() && tokens.get(i).isSymbol(')')) {
      end = start + tokens.get(i).end();
    }
    return new DatasetPlan.StreamRead(parts, start, end);
  }

  /**
   * The clauses of an AUTO CDC target's declaration ({@code COMMENT}, {@code PARTITIONED BY},
   * {@code TBLPROPERTIES}), parsed where they are written: the declaration with a query added.
   */
  private Optional<String> checkDeclaration(DatasetStatement declaration) {
    try {
      parser.parsePlan(declaration.engineSql() + "\nAS SELECT 1");
      return Optional.empty();
    } catch (ParseException e) {
      SourcePosition at =
          e.line().isDefined()
              ? declaration.positionAt((Integer) e.line().get(), (Integer) e.startPosition().get())
              : declaration.position();
      return Optional.of(at + ": " + firstLine(e.getMessage()));
    }
  }

  /** SEQUENCE BY, APPLY AS DELETE WHEN and APPLY AS TRUNCATE WHEN, each at its place. */
  private List<String> checkExpressions(AutoCdc cdc) {
    List<String> problems = new ArrayList<>();
    for (AutoCdc.Expression sequence : cdc.sequenceBy()) {
      checkExpression(sequence.sql(), sequence.position(), "in SEQUENCE BY")
          .ifPresent(problems::add);
    }
    cdc.deleteWhen()
        .flatMap(
            condition ->
                checkExpression(condition.sql(), condition.position(), "in APPLY AS DELETE WHEN"))
        .ifPresent(problems::add);
    cdc.truncateWhen()
        .flatMap(
            condition ->
                checkExpression(condition.sql(), condition.position(), "in APPLY AS TRUNCATE WHEN"))
        .ifPresent(problems::add);
    return problems;
  }

  /** The dataset's name as written, lower case: how a CDC target and its declaration match. */
  private static String key(DatasetStatement statement) {
    return String.join(".", statement.nameParts()).toLowerCase(java.util.Locale.ROOT);
  }

  private Optional<String> checkExpression(String sql, SourcePosition start, String what) {
    try {
      parser.parseExpression(sql);
      return Optional.empty();
    } catch (ParseException e) {
      Statement condition = new Statement(sql, start.line(), start.column());
      String at = start.toString();
      if (e.line().isDefined()) {
        int line = (Integer) e.line().get();
        at =
            new SourcePosition(
                    start.file(),
                    condition.fileLine(line),
                    condition.fileColumn(line, (Integer) e.startPosition().get()))
                .toString();
      }
      return Optional.of(at + ": " + what + ": " + firstLine(e.getMessage()));
    }
  }

  /** Spark's message without the "== SQL ==" excerpt (our position is in front of it). */
  public static String withoutExcerpt(String message) {
    int excerpt = message.indexOf("\n== SQL");
    String text = excerpt < 0 ? message : message.substring(0, excerpt);
    return text.strip().replaceAll(" ?\\(line \\d+, pos \\d+\\)$", "");
  }

  static String firstLine(String message) {
    for (String line : message.strip().split("\n")) {
      if (!line.isBlank()) {
        return line.replaceAll(" ?\\(line \\d+, pos \\d+\\)$", "").strip();
      }
    }
    return message.strip();
  }
}
