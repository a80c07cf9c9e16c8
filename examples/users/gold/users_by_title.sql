CREATE MATERIALIZED VIEW gold.users_by_title
COMMENT 'How many users hold each title'
AS SELECT coalesce(title, '(no title)') AS title, count(*) AS users
FROM silver.users
GROUP BY 1;
