package io.lagoa.pipeline;

/**
 * What one statement of a pipeline file is, as {@link DatasetStatementParser} read it: a dataset's
 * definition (an {@code AUTO CDC INTO} flow included: it defines its target), or the declaration of
 * an {@code AUTO CDC} flow's target. {@link PipelineLoader} merges each declaration into the flow
 * that writes into it.
 */
public sealed interface ParsedStatement {
  DatasetStatement dataset();

  /**
   * {@code CREATE MATERIALIZED VIEW / STREAMING TABLE / TEMPORARY VIEW ... AS query}, or an {@code
   * AUTO CDC INTO} flow, whose dataset is its target with {@link DatasetStatement#autoCdc()} set.
   */
  record Definition(DatasetStatement dataset) implements ParsedStatement {}

  /**
   * {@code CREATE [OR REFRESH] STREAMING TABLE name [(CONSTRAINT ...)] [COMMENT ...] [PARTITIONED
   * BY ...] [TBLPROPERTIES ...]} without a query: the target of an {@code AUTO CDC} flow.
   *
   * @param dataset the declaration, its {@link DatasetStatement#engineSql()} without a query
   * @param head {@code CREATE STREAMING TABLE name} and the declaration's clauses on one line,
   *     comments and Lagoa's clauses left out, ready for {@code AS query}
   */
  record Declaration(DatasetStatement dataset, String head) implements ParsedStatement {}

  /**
   * A Data Vault statement ({@code CREATE HUB ...}, {@code CREATE FLOW ... AS LOAD HUB ...}): its
   * dataset is a stand-in with the table's name and place; {@link VaultAssembler} builds the
   * table's definition once every file is read.
   */
  record Vault(DatasetStatement dataset, VaultStatement vault) implements ParsedStatement {}
}
