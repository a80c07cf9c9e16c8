-- Raw users as delivered: nested JSON, one object per line.
CREATE MATERIALIZED VIEW bronze.users
COMMENT 'Raw users, as delivered'
AS SELECT * FROM json.`${pipeline.dir}/data/users.jsonl`;
