-- Sales as delivered by the stores: every field a string.
CREATE MATERIALIZED VIEW bronze.sales
COMMENT 'Raw sales, as delivered'
AS SELECT * FROM json.`${pipeline.dir}/data/sales.jsonl`;
