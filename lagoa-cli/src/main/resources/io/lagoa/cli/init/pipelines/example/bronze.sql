-- Bronze: the landing data as it arrived, plus when it was loaded. Nothing is cleaned or
-- dropped here, so silver can always be rebuilt from bronze.
-- The orders come as JSON lines in data/ next to this file, mistakes included: one has no id
-- and one a negative amount.
CREATE MATERIALIZED VIEW bronze.orders
COMMENT 'Orders as received from the shop system'
AS SELECT
  *,
  current_timestamp() AS _loaded_at
FROM json.`${pipeline.dir}/${landing}/orders.jsonl`;
