-- Silver: valid orders, cleaned and typed. Each CONSTRAINT is an expectation on every row:
--   ON VIOLATION DROP ROW     drops the rows that fail it (and counts them)
--   ON VIOLATION QUARANTINE   writes them to silver.orders_quarantine instead
--   ON VIOLATION FAIL UPDATE  stops the run, and every table stays as it was
--   no ON VIOLATION           keeps the rows and only counts them (expectation-policy: warn)
CREATE MATERIALIZED VIEW silver.orders (
  CONSTRAINT valid_id EXPECT (order_id IS NOT NULL) ON VIOLATION DROP ROW,
  CONSTRAINT positive_amount EXPECT (amount > 0) ON VIOLATION DROP ROW
)
COMMENT 'Valid orders, one row per order'
AS SELECT
  CAST(order_id AS BIGINT) AS order_id,
  lower(trim(customer)) AS customer,
  CAST(amount AS DECIMAL(10, 2)) AS amount,
  CAST(ordered_at AS TIMESTAMP) AS ordered_at,
  to_date(ordered_at) AS order_date
FROM bronze.orders;
