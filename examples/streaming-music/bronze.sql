-- Every record of the topic, exactly once. Unreadable records (bad JSON, wrong types) land in
-- bronze.music_source_quarantine with their raw bytes; fields not in the schema in _rescued_data.
CREATE STREAMING TABLE bronze.music
COMMENT 'Raw plays from Kafka, one row per record'
AS SELECT * FROM STREAM read_kafka(
  bootstrap_servers => '${kafka}',
  topic => '${topic}',
  starting_offsets => 'earliest',
  schema => 'event_id BIGINT, user_id BIGINT, first_name STRING, last_name STRING,
             song STRING, artist STRING, duration_ms BIGINT, played_at STRING'
);
