-- Every change of public.orders, as Debezium reads it from PostgreSQL's logical replication:
-- the row's columns, _op (c, u, d, r for the first snapshot), _sequence (commit LSN, LSN),
-- _before, _source, _ts_ms, _transaction. Kept whole, so silver can be rebuilt from it.
CREATE STREAMING TABLE bronze.order_changes
COMMENT 'Change log of public.orders'
AS SELECT * FROM STREAM read_postgres_cdc(
  url => '${pg_url}',
  user => '${pg_user}',
  password => '${pg_password}',
  table => 'public.orders');
