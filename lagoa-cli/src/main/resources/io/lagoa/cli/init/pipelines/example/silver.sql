-- Silver: valid orders, cleaned. Each CONSTRAINT is an expectation on every row:
--   ON VIOLATION DROP ROW     drops the rows that fail it (and counts them)
--   ON VIOLATION FAIL UPDATE  stops the update instead
--   no ON VIOLATION           keeps the rows and only counts them
CREATE MATERIALIZED VIEW silver.orders (
  CONSTRAINT valid_id EXPECT (order_id IS NOT NULL) ON VIOLATION DROP ROW,
  CONSTRAINT positive_amount EXPECT (amount > 0) ON VIOLATION DROP ROW
)
COMMENT 'Valid orders, one row per order'
AS SELECT
  order_id,
  lower(trim(customer)) AS customer,
  amount,
  ordered_at,
  CAST(ordered_at AS DATE) AS order_date
FROM bronze.orders;
