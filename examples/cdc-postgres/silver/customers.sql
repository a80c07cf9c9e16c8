-- The customers as they are now: one row per id, deletes applied (SCD type 1).
CREATE FLOW customers_current AS AUTO CDC INTO silver.customers
FROM STREAM(bronze.customer_changes)
KEYS (id)
APPLY AS DELETE WHEN _op = 'd'
APPLY AS TRUNCATE WHEN _op = 't'
SEQUENCE BY _sequence
COLUMNS * EXCEPT (_op, _before, _ts_ms, _sequence, _source, _transaction)
STORED AS SCD TYPE 1;
