-- The products as they are now (SCD type 1).
CREATE FLOW products_current AS AUTO CDC INTO silver.products
FROM STREAM(bronze.product_changes)
KEYS (id)
APPLY AS DELETE WHEN _op = 'd'
APPLY AS TRUNCATE WHEN _op = 't'
SEQUENCE BY _sequence
COLUMNS * EXCEPT (_op, _before, _ts_ms, _sequence, _source, _transaction)
STORED AS SCD TYPE 1;
