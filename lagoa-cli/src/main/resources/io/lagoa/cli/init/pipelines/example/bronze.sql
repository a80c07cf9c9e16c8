-- Bronze: the landing data as it arrived, plus when it was loaded. Nothing is cleaned or
-- dropped here, so silver can always be rebuilt from bronze.
CREATE MATERIALIZED VIEW bronze.orders
COMMENT 'Orders as received from the shop system'
AS SELECT
  *,
  current_timestamp() AS _loaded_at
FROM landing.orders;
