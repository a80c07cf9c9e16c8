CREATE MATERIALIZED VIEW bronze.ssn
COMMENT 'Raw social security numbers by user'
AS SELECT * FROM json.`${pipeline.dir}/data/ssn.jsonl`;
