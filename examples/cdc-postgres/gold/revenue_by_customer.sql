-- Orders and revenue per current customer, at today's prices.
CREATE MATERIALIZED VIEW gold.revenue_by_customer
COMMENT 'Orders and revenue per customer'
AS SELECT c.id AS customer_id,
          c.name,
          c.city,
          count(o.id) AS orders,
          coalesce(sum(o.quantity), 0) AS items,
          coalesce(sum(o.quantity * p.price), 0) AS revenue
FROM silver.customers c
LEFT JOIN silver.orders o ON o.customer_id = c.id
LEFT JOIN silver.products p ON p.id = o.product_id
GROUP BY c.id, c.name, c.city;
