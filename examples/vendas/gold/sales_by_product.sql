CREATE MATERIALIZED VIEW gold.sales_by_product
COMMENT 'Units and revenue per product'
AS SELECT product, sum(quantity) AS units, sum(amount) AS revenue, any_value(currency) AS currency
FROM silver.sales
GROUP BY product;
