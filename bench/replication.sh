#!/usr/bin/env bash
# RPO of continuous replication: a pipeline commits every few seconds (a landing folder gets a file
# every FEED seconds; the pipeline's trigger-interval is 2s) while `lagoa replicate --continuous
# --every EVERY` runs beside it. A sampler reads both sides every SAMPLE seconds without a JVM (the
# primary's current snapshot time from its catalog's metadata file, the replicated one from the
# replica's _lagoa_replica/state.json) and reports the lag, max and p50: the commits a failover at
# that moment would have lost.
#
#   bench/replication.sh                        # 5 minutes, --every 30s
#   MINUTES=3 EVERY=10s bench/replication.sh
set -euo pipefail
cd "$(dirname "$0")/.."
MINUTES=${MINUTES:-5}
EVERY=${EVERY:-30s}
FEED=${FEED:-3}
SAMPLE=${SAMPLE:-2}
WORK=${WORK:-$(mktemp -d /tmp/lagoa-bench-replication.XXXXXX)}
export LAGOA_WAREHOUSE="$WORK/warehouse"
mkdir -p "$WORK/pipeline/landing" "$WORK/incoming" "$WORK/warehouse"
echo "working in $WORK"
cat > "$WORK/pipeline/pipeline.yaml" <<EOF
name: feed
namespace: bronze
trigger-interval: 2s
EOF
cat > "$WORK/pipeline/events.sql" <<EOF
CREATE STREAMING TABLE events AS
SELECT * FROM STREAM read_files('landing', format => 'json', schema => 'id BIGINT, v STRING')
EOF

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

./lagoa pipeline run "$WORK/pipeline" --continuous >"$WORK/pipeline.log" 2>&1 &
pids+=($!)
( i=0; while true; do
    i=$((i + 1))
    printf '{"id":%d,"v":"event %d"}\n' "$i" "$i" >"$WORK/incoming/f$i.json"
    mv "$WORK/incoming/f$i.json" "$WORK/pipeline/landing/f$i.json"
    sleep "$FEED"
  done ) &
pids+=($!)
echo "waiting for the pipeline's first commit..."
until python3 - "$WORK" <<'PY' 2>/dev/null
import sqlite3, sys
db = sqlite3.connect(sys.argv[1] + "/warehouse/catalog.db")
row = db.execute("select 1 from iceberg_tables where table_namespace='bronze' and table_name='events'").fetchone()
sys.exit(0 if row else 1)
PY
do sleep 2; done

./lagoa replicate --to "$WORK/replica" --continuous --every "$EVERY" --json \
  >"$WORK/replicate.jsonl" 2>"$WORK/replicate.err" &
pids+=($!)
echo "replicating every $EVERY beside the pipeline for $MINUTES minutes; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$WORK" "$MINUTES" "$SAMPLE" <<'PY'
import json, os, sqlite3, statistics, sys, time
work, minutes, sample = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])

def primary_millis():
    db = sqlite3.connect(work + "/warehouse/catalog.db")
    (location,) = db.execute(
        "select metadata_location from iceberg_tables"
        " where table_namespace='bronze' and table_name='events'").fetchone()
    db.close()
    path = location.split(":", 1)[1] if location.startswith("file:") else location
    while path.startswith("//"):
        path = path[1:]
    with open(path) as f:
        metadata = json.load(f)
    current = metadata.get("current-snapshot-id")
    return next(s["timestamp-ms"] for s in metadata["snapshots"] if s["snapshot-id"] == current)

def replica_millis():
    try:
        with open(work + "/replica/_lagoa_replica/state.json") as f:
            state = json.load(f)
    except (OSError, ValueError):
        return None
    for table in state["tables"]:
        if table["name"] == "bronze.events" and table.get("target_metadata_file"):
            return table["snapshot_timestamp_ms"]
    return None

lags, loads = [], []
end = time.time() + minutes * 60
while time.time() < end:
    try:
        p, r = primary_millis(), replica_millis()
    except (OSError, ValueError, TypeError, StopIteration):
        p = r = None
    if p is not None and r is not None:
        lags.append(max(0, p - r) / 1000.0)
    loads.append(float(open("/proc/loadavg").read().split()[0]))
    time.sleep(sample)

passes = []
with open(work + "/replicate.jsonl") as f:
    for line in f:
        if line.strip():
            passes.append(json.loads(line)["seconds"])
lags.sort()
print(f"samples: {len(lags)} (every {sample:g} s over {minutes:g} min)")
if lags:
    print(f"lag of bronze.events: max {lags[-1]:.1f} s, p50 {statistics.median(lags):.1f} s, "
          f"p90 {lags[int(0.9 * (len(lags) - 1))]:.1f} s")
if passes:
    print(f"replication passes: {len(passes)}, seconds per pass: max {max(passes):.2f}, "
          f"p50 {statistics.median(passes):.2f}")
print(f"load average (1 min) while measuring: mean {statistics.mean(loads):.1f}, max {max(loads):.1f}")
PY
