-- Typed and cleaned, following bronze as it grows.
CREATE STREAMING TABLE silver.plays (
  CONSTRAINT has_user EXPECT (user_id IS NOT NULL) ON VIOLATION DROP ROW,
  CONSTRAINT has_time EXPECT (played_at IS NOT NULL) ON VIOLATION QUARANTINE
)
COMMENT 'One row per play, with full names and parsed times'
PARTITIONED BY (days(played_at))
AS SELECT
  event_id,
  user_id,
  concat_ws(' ', first_name, last_name) AS full_name,
  song,
  artist,
  duration_ms / 1000.0 AS duration_s,
  to_timestamp(played_at) AS played_at,
  _kafka.partition AS kafka_partition,
  _kafka.offset AS kafka_offset
FROM STREAM(bronze.music);
