CREATE MATERIALIZED VIEW gold.sales_by_month
COMMENT 'Sales and revenue per month'
AS SELECT date_trunc('MONTH', sale_date) AS month, count(*) AS sales, sum(amount) AS revenue
FROM silver.sales
GROUP BY 1;
