-- Every version of every customer (SCD type 2): __START_AT and __END_AT are the _sequence of the
-- changes that made and ended a version. A change of updated_at alone makes no new version.
CREATE FLOW customers_history AS AUTO CDC INTO silver.customer_history
FROM STREAM(bronze.customer_changes)
KEYS (id)
APPLY AS DELETE WHEN _op = 'd'
SEQUENCE BY _sequence
COLUMNS * EXCEPT (_op, _before, _ts_ms, _sequence, _source, _transaction)
STORED AS SCD TYPE 2
TRACK HISTORY ON * EXCEPT (updated_at);
