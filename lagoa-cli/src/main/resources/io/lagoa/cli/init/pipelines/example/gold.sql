-- Gold: what the business reads. Revenue, orders and customers per day.
CREATE MATERIALIZED VIEW gold.daily_revenue
COMMENT 'Revenue, orders and customers per day'
AS SELECT
  order_date,
  count(*) AS orders,
  count(DISTINCT customer) AS customers,
  sum(amount) AS revenue
FROM silver.orders
GROUP BY order_date;
