-- Sample data for the example pipeline in pipelines/example/, and the namespaces it writes to.
-- Run it with:
--   lagoa sql -f setup.sql
-- Running it again is safe: the sample table is replaced, not appended to (its earlier
-- versions stay in the table's history).

CREATE NAMESPACE IF NOT EXISTS landing;
CREATE NAMESPACE IF NOT EXISTS bronze;
CREATE NAMESPACE IF NOT EXISTS silver;
CREATE NAMESPACE IF NOT EXISTS gold;

-- Orders as a shop's system exports them, mistakes included: one order has no id and one a
-- negative amount. The silver layer of the example pipeline drops both.
CREATE OR REPLACE TABLE landing.orders
USING iceberg
PARTITIONED BY (days(ordered_at))
AS SELECT
  CAST(order_id AS BIGINT) AS order_id,
  customer,
  CAST(amount AS DECIMAL(10, 2)) AS amount,
  CAST(ordered_at AS TIMESTAMP) AS ordered_at
FROM VALUES
  (1, 'ana', 120.50, '2026-01-05 09:12:00'),
  (2, 'bruno', 35.00, '2026-01-05 11:40:00'),
  (3, 'Carla ', 78.20, '2026-01-06 16:03:00'),
  (NULL, 'duarte', 15.00, '2026-01-06 17:30:00'),
  (5, 'ana', -12.00, '2026-01-07 08:55:00'),
  (6, 'eva', 230.00, '2026-01-07 19:21:00')
  AS orders(order_id, customer, amount, ordered_at);

SELECT count(*) AS orders, sum(amount) AS total FROM landing.orders;
