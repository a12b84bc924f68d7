#!/usr/bin/env bash
# DynamoDB Streams: what a stream costs the writes, and how soon a write
# can be read from its stream.
#   1. Write throughput: PutItem (a new 1 KB item each) and UpdateItem (SET
#      of the 1 KB attribute of the loaded items in turn), signed by wrk
#      itself (bench/ddb_signed_write.lua), on a table without a stream and
#      on one with a NEW_AND_OLD_IMAGES stream, rounds interleaving the two
#      (goal: with the stream, not more than 15% lower).
#   2. Read lag: while wrk writes PutItems to the streamed table, a marker
#      writer puts one item every 20 ms and a reader polls GetRecords
#      (LATEST, then NextShardIterator, 10 ms apart when a poll is empty);
#      the lag is from a marker's acknowledged PutItem to the poll that
#      returns its record: p50 / p99 (goal: p99 under 100 ms).
#   bench/ddb_stream_cost.sh [KURA_BIN=build/src/main/kura] [ROUNDS=3] [CONNECTIONS=16] [SECONDS=5]
# Needs: wrk (Debian package), boto3.
set -euo pipefail
cd "$(dirname "$0")/.."
kura="${1:-build/src/main/kura}"; rounds="${2:-3}"; conns="${3:-16}"; seconds="${4:-5}"
command -v wrk >/dev/null || { echo "install wrk (apt-get install wrk)"; exit 2; }
work=$(mktemp -d)
cleanup() { kill "${kura_pid:-}" 2>/dev/null || true; sleep 0.5; rm -rf "$work"; }
trap cleanup EXIT
source bench/wrk_common.sh
lua="$PWD/bench/ddb_signed_write.lua"
keys=1000

kp=$(free_port)
"$kura" serve --host 127.0.0.1 --port "$kp" --data-dir "$work/kura" --log-level warn >"$work/kura.log" 2>&1 &
kura_pid=$!
wait_health "$kp"
/usr/bin/python3 - "$kp" "$keys" <<'PY'
import sys, boto3
port, keys = sys.argv[1], int(sys.argv[2])
c = boto3.client("dynamodb", endpoint_url=f"http://127.0.0.1:{port}", region_name="ap-northeast-1",
                 aws_access_key_id="test", aws_secret_access_key="test")
for name, stream in (("plain", None), ("streamed", {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})):
    extra = {"StreamSpecification": stream} if stream else {}
    c.create_table(TableName=name, KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
                   AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                   BillingMode="PAY_PER_REQUEST", **extra)
    for start in range(0, keys, 25):
        c.batch_write_item(RequestItems={name: [{"PutRequest": {"Item": {"k": {"S": f"k{i}"}, "v": {"S": "x" * 1000}}}}
                                                for i in range(start, min(start + 25, keys))]})
PY

# Kura's CPU time so far (user + system), in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$kura_pid/stat"; }

run() {  # table op seconds -> "rps p50_ms p99_ms cpu_us_per_request"
  local out before after
  before=$(cpu_ticks)
  out=$(DDB_OP="$2" DDB_HOST="127.0.0.1:$kp" DDB_TABLE="$1" DDB_KEYS=$keys DDB_RUN="$1$RANDOM$RANDOM" \
        wrk -t2 -c"$conns" -d"${3}s" --latency -s "$lua" "http://127.0.0.1:$kp/")
  after=$(cpu_ticks)
  if grep -q "Non-2xx" <<<"$out"; then echo "$1 $2: $(grep Non-2xx <<<"$out")" >&2; exit 1; fi
  awk -v ticks=$((after - before)) -v hz="$(getconf CLK_TCK)" '/requests in/ {n=$1} /Requests\/sec/ {rps=$2}
    / 50%/ {p50=$2} / 99%/ {p99=$2} END { printf "%s %s %s %.1f\n", rps, p50, p99, ticks * 1e6 / hz / n }' <<<"$out" |
    { read -r rps p50 p99 cpu; echo "$rps $(ms "$p50") $(ms "$p99") $cpu"; }
}

# Throughput on a shared machine moves with its other load; Kura's CPU
# time per request much less: both are reported.
echo "round op plain_rps streamed_rps streamed/plain plain_cpu_us streamed_cpu_us cpu_streamed/plain" |
  tee "$work/results"
for round in $(seq 1 "$rounds"); do
  for op in PutItem UpdateItem; do
    p=$(run plain "$op" "$seconds"); read -r p_rps _ _ p_cpu <<<"$p"
    s=$(run streamed "$op" "$seconds"); read -r s_rps _ _ s_cpu <<<"$s"
    echo "$round $op $p_rps $s_rps $(awk -v a="$s_rps" -v b="$p_rps" 'BEGIN { printf "%.3f", a / b }')" \
      "$p_cpu $s_cpu $(awk -v a="$s_cpu" -v b="$p_cpu" 'BEGIN { printf "%.3f", a / b }')" | tee -a "$work/results"
  done
done
for op in PutItem UpdateItem; do
  for column in 5 8; do
    awk -v o="$op" -v c="$column" '$2 == o { print $c }' "$work/results" | sort -g |
      awk -v o="$op" -v what="$([ $column = 5 ] && echo "throughput" || echo "CPU per request")" '{ v[NR] = $1 } END {
        printf "%s %s streamed/plain: median %.3f (min %.3f, max %.3f) over %d rounds\n", o, what, v[int((NR + 1) / 2)], v[1], v[NR], NR }'
  done
done

echo "read lag under a PutItem load ($conns connections):"
DDB_OP=PutItem DDB_HOST="127.0.0.1:$kp" DDB_TABLE=streamed DDB_KEYS=$keys DDB_RUN="lag$RANDOM" \
  wrk -t2 -c"$conns" -d"$((seconds * 2 + 2))s" -s "$lua" "http://127.0.0.1:$kp/" >"$work/load.txt" &
load_pid=$!
sleep 1
/usr/bin/python3 - "$kp" "$((seconds * 2 - 1))" <<'PY'
import sys, threading, time, boto3
port, seconds = sys.argv[1], float(sys.argv[2])
kw = dict(endpoint_url=f"http://127.0.0.1:{port}", region_name="ap-northeast-1",
          aws_access_key_id="test", aws_secret_access_key="test")
ddb, streams = boto3.client("dynamodb", **kw), boto3.client("dynamodbstreams", **kw)
arn = ddb.describe_table(TableName="streamed")["Table"]["LatestStreamArn"]
shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][-1]["ShardId"]
iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="LATEST")["ShardIterator"]
acked, lags, done = {}, [], threading.Event()
def markers():
    n = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        key = f"marker-{n}"
        ddb.put_item(TableName="streamed", Item={"k": {"S": key}})
        acked[key] = time.monotonic()
        n += 1
        time.sleep(0.02)
    done.set()
writer = threading.Thread(target=markers)
writer.start()
pending = set()
while not done.is_set() or len(lags) < len(acked):
    page = streams.get_records(ShardIterator=iterator)
    seen = time.monotonic()
    iterator = page["NextShardIterator"]
    for record in page["Records"]:
        key = record["dynamodb"]["Keys"]["k"]["S"]
        if key.startswith("marker-"):
            pending.add(key)
    for key in list(pending):
        if key in acked:
            lags.append(max(0.0, seen - acked[key]) * 1000)
            pending.discard(key)
    if not page["Records"]:
        if done.is_set() and not pending and len(lags) >= len(acked):
            break
        time.sleep(0.01)
writer.join()
lags.sort()
pick = lambda q: lags[min(len(lags) - 1, int(q * len(lags)))]
print(f"{len(lags)} markers: lag p50 {pick(0.5):.1f} ms, p99 {pick(0.99):.1f} ms, max {lags[-1]:.1f} ms")
PY
wait "$load_pid" || true
awk '/Requests\/sec/ { print "meanwhile the load wrote " $2 " PutItems/s" }' "$work/load.txt"
