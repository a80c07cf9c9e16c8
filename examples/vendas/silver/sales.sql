-- Typed sales, partitioned by month. A quantity of zero or less is dropped; a price that is not
-- a number goes to silver.sales_quarantine.
CREATE MATERIALIZED VIEW sales (
  CONSTRAINT positive_quantity EXPECT (quantity > 0) ON VIOLATION DROP ROW,
  CONSTRAINT numeric_price EXPECT (unit_price IS NOT NULL) ON VIOLATION QUARANTINE
)
COMMENT 'Typed sales'
PARTITIONED BY (months(sale_date))
AS SELECT
  CAST(sale_id AS BIGINT) AS sale_id,
  CAST(sale_date AS DATE) AS sale_date,
  product,
  store,
  TRY_CAST(quantity AS INT) AS quantity,
  TRY_CAST(unit_price AS DECIMAL(10, 2)) AS unit_price,
  TRY_CAST(quantity AS INT) * TRY_CAST(unit_price AS DECIMAL(10, 2)) AS amount,
  '${currency}' AS currency
FROM bronze.sales;
