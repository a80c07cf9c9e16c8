-- The orders as they are now (SCD type 1). A key update in PostgreSQL arrives as a delete of the
-- old key and an insert of the new one.
CREATE FLOW orders_current AS AUTO CDC INTO silver.orders
FROM STREAM(bronze.order_changes)
KEYS (id)
APPLY AS DELETE WHEN _op = 'd'
APPLY AS TRUNCATE WHEN _op = 't'
SEQUENCE BY _sequence
COLUMNS * EXCEPT (_op, _before, _ts_ms, _sequence, _source, _transaction)
STORED AS SCD TYPE 1;
