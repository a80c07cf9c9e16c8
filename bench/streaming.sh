#!/usr/bin/env bash
# Streaming benchmark: Kafka -> bronze throughput, and produce-to-visible-in-silver latency at a
# steady rate. Uses only ./lagoa: a local broker (lagoa dev kafka), lagoa produce, a pipeline run.
#
#   bench/streaming.sh                     # 3,000,000 events of ~1 KB; latency at 5,000/s for 60 s
#   EVENTS=200000 RATE=2000 SECONDS_AT_RATE=30 WARMUP=90 bench/streaming.sh  # WARMUP: seconds before measuring
#
# Throughput comes from lagoa_system.flow_runs (rows read / time in the bronze flow, so Spark's
# start-up is not counted), for all the batches of the --once run and for those after its first
# two (500,000 events each by default), when the JVM has compiled its hot code; latency from
# Iceberg metadata: for each silver row, the commit time of
# the snapshot that added its data file minus the Kafka timestamp of its record. Peak memory: the
# --once run's max RSS (/usr/bin/time), and the continuous runner's (VmHWM) just before it stops.
set -euo pipefail
cd "$(dirname "$0")/.."
EVENTS=${EVENTS:-3000000}
RATE=${RATE:-5000}
SECONDS_AT_RATE=${SECONDS_AT_RATE:-60}
PORT=${PORT:-19092}
WORK=${WORK:-$(mktemp -d /tmp/lagoa-bench-streaming.XXXXXX)}
export LAGOA_WAREHOUSE="$WORK/warehouse"
export LAGOA_CATALOG_URI="jdbc:sqlite:$WORK/warehouse/catalog.db"
mkdir -p "$WORK/pipeline" "$WORK/warehouse"
echo "working in $WORK"

# ~1 KB JSON events: ids, a user, a song, a timestamp and some padding text
awk -v n=10000 'BEGIN {
  pad = ""; for (i = 0; i < 820; i++) pad = pad sprintf("%c", 97 + (i * 7) % 26);
  for (i = 0; i < n; i++)
    printf "{\"event_id\":%d,\"user_id\":%d,\"first_name\":\"Name%d\",\"last_name\":\"Surname%d\",\"song\":\"Song %d\",\"artist\":\"Artist %d\",\"duration_ms\":%d,\"played_at\":\"2026-11-26T10:%02d:%02dZ\",\"note\":\"%s\"}\n",
      i, i % 5000, i % 300, i % 700, i % 2000, i % 150, 120000 + i % 180000, (i / 60) % 60, i % 60, pad
}' > "$WORK/events.jsonl"
echo "event size: $(( $(wc -c < "$WORK/events.jsonl") / 10000 )) bytes"

./lagoa dev kafka --port "$PORT" --data "$WORK/kafka" > "$WORK/kafka.log" 2>&1 &
KAFKA=$!
trap 'kill $KAFKA 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do grep -q "127.0.0.1:$PORT" "$WORK/kafka.log" && break; sleep 1; done

# compact-every: 0 — latency is read from the snapshot that added each row's data file, and a
# compaction re-adds files (their rows would look as late as the compaction)
cat > "$WORK/pipeline/pipeline.yaml" <<YAML
name: bench-streaming
trigger-interval: 1s
compact-every: 0
YAML
cat > "$WORK/pipeline/bronze.sql" <<SQL
CREATE STREAMING TABLE bronze.events AS SELECT * FROM STREAM read_kafka(
  bootstrap_servers => '127.0.0.1:$PORT', topic => 'events',
  schema => 'event_id BIGINT, user_id BIGINT, first_name STRING, last_name STRING, song STRING,
             artist STRING, duration_ms BIGINT, played_at STRING, note STRING')
SQL
cat > "$WORK/pipeline/silver.sql" <<'SQL'
CREATE STREAMING TABLE silver.events AS
SELECT event_id, user_id, concat_ws(' ', first_name, last_name) AS full_name, song, artist,
       to_timestamp(played_at) AS played_at, _kafka.timestamp AS produced_at
FROM STREAM(bronze.events)
SQL

echo "== throughput: $EVENTS events into the topic, then pipeline run --once"
./lagoa produce events "$WORK/events.jsonl" --bootstrap-servers "127.0.0.1:$PORT" \
  --create-topic --partitions 2 --repeat $(( EVENTS / 10000 )) > /dev/null
/usr/bin/time -f "wall %e s, max RSS %M KB" ./lagoa pipeline run "$WORK/pipeline" --once --select bronze.events
./lagoa sql "SELECT sum(rows_read) AS rows, round(sum(rows_read) / sum(unix_millis(ended_at) - unix_millis(started_at)) * 1000) AS rows_per_s,
  round(sum(rows_read) * $(( $(wc -c < "$WORK/events.jsonl") / 10000 )) / 1048576 / (sum(unix_millis(ended_at) - unix_millis(started_at)) / 1000), 1) AS mb_per_s,
  count(*) AS batches FROM lagoa_system.flow_runs WHERE flow = 'bronze.events' AND status = 'succeeded'"
echo "after the first two batches (warm):"
./lagoa sql "WITH batches AS (SELECT * FROM lagoa_system.flow_runs
    WHERE flow = 'bronze.events' AND status = 'succeeded' AND rows_read > 0)
  SELECT sum(rows_read) AS rows, round(sum(rows_read) / sum(unix_millis(ended_at) - unix_millis(started_at)) * 1000) AS rows_per_s,
  count(*) AS batches FROM batches
  WHERE started_at > (SELECT max(started_at) FROM (SELECT started_at FROM batches ORDER BY started_at LIMIT 2))"
./lagoa sql "SELECT count(*) AS data_files, round(avg(file_size_in_bytes) / 1048576, 1) AS avg_mb FROM bronze.events.files"
./lagoa pipeline run "$WORK/pipeline" --once --select silver.events > /dev/null

echo "== latency: $RATE events/s for $SECONDS_AT_RATE s with pipeline run --continuous"
./lagoa produce events "$WORK/events.jsonl" --bootstrap-servers "127.0.0.1:$PORT" \
  --rate "$RATE" --loop > "$WORK/produce.log" 2>&1 &
PRODUCER=$!
./lagoa pipeline run "$WORK/pipeline" --continuous > "$WORK/continuous.out" 2> "$WORK/continuous.err" &
RUNNER=$!
sleep "${WARMUP:-90}"  # start-up and catching up with what was sent meanwhile
START_MS=$(($(date +%s%3N)))
sleep "$SECONDS_AT_RATE"
END_MS=$(($(date +%s%3N)))
kill -TERM $PRODUCER; wait $PRODUCER || true  # background jobs ignore SIGINT
sleep 5
# the launcher execs java: the runner's own peak resident memory so far
echo "continuous runner: peak RSS $(awk '/VmHWM/ {print $2, $3}' /proc/$RUNNER/status 2>/dev/null)"
kill -TERM $RUNNER; wait $RUNNER || true
tail -3 "$WORK/continuous.err"
./lagoa sql "WITH added AS (
    SELECT e.data_file.file_path AS file, s.committed_at
    FROM silver.events.entries e JOIN silver.events.snapshots s ON e.snapshot_id = s.snapshot_id
    WHERE e.status = 1),
  rows AS (
    SELECT unix_millis(a.committed_at) - unix_millis(r.produced_at) AS latency_ms
    FROM (SELECT produced_at, _file FROM silver.events) r JOIN added a ON r._file = a.file
    WHERE unix_millis(r.produced_at) BETWEEN $START_MS AND $END_MS)
  SELECT count(*) AS events, percentile(latency_ms, 0.5) AS p50_ms,
         percentile(latency_ms, 0.99) AS p99_ms, max(latency_ms) AS max_ms FROM rows"
echo "results and logs in $WORK"
