-- Every change of public.products, as Debezium reads it from PostgreSQL's logical replication:
-- the row's columns, _op (c, u, d, r for the first snapshot), _sequence (commit LSN, LSN),
-- _before, _source, _ts_ms, _transaction. Kept whole, so silver can be rebuilt from it.
CREATE STREAMING TABLE bronze.product_changes
COMMENT 'Change log of public.products'
AS SELECT * FROM STREAM read_postgres_cdc(
  url => '${pg_url}',
  user => '${pg_user}',
  password => '${pg_password}',
  table => 'public.products');
