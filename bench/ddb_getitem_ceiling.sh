#!/usr/bin/env bash
# DynamoDB GetItem at the server's limit: a table of ITEMS 1-KB items is
# loaded (BatchWriteItem), then one signed GetItem (ConsistentRead) is
# replayed with wrk over keep-alive connections against
#   - Kura's signed no-op (STS GetCallerIdentity), the foundation's ceiling;
#   - a peer, the same GetItem (when PEER is given: `moto` for moto's
#     server on PATH, or a folder holding dynalite);
# ROUNDS times each, at CONNECTIONS and at a quarter of them (a lighter load,
# for the latency there). Also reports Kura's memory (RSS) and the size of
# its DynamoDB folder per million items.
#   bench/ddb_getitem_ceiling.sh [ITEMS=200000] [ROUNDS=3] [SECONDS=5] [CONNECTIONS=16] [PEER]
# Needs: wrk, a build in build/; dynalite: `npm install --prefix DIR dynalite`.
set -euo pipefail
cd "$(dirname "$0")/.."
items="${1:-200000}"; rounds="${2:-3}"; seconds="${3:-5}"; connections="${4:-16}"; peer="${5:-}"
command -v wrk >/dev/null || { echo "install wrk (apt-get install wrk)"; exit 2; }
work=$(mktemp -d)
cleanup() { kill "${kura_pid:-}" "${peer_pid:-}" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
source bench/wrk_common.sh
kura_port=$(free_port)
./build/src/main/kura serve --port "$kura_port" --data-dir "$work/data" --log-level warn >"$work/kura.log" 2>&1 &
kura_pid=$!
wait_health "$kura_port"
rss_kb() { awk '/VmRSS/ { print $2 }' "/proc/$1/status"; }

# Loads ITEMS items into table "ceiling" at PORT, then writes the signed GetItem.
load_and_sign() {  # port items script.lua
  /usr/bin/python3 - "$1" "$2" "$3" <<'PY'
import concurrent.futures, json, sys, time
import boto3, botocore.auth, botocore.awsrequest, botocore.credentials
port, items, script = sys.argv[1], int(sys.argv[2]), sys.argv[3]
url = f"http://127.0.0.1:{port}"
def client():
    return boto3.client("dynamodb", endpoint_url=url, region_name="ap-northeast-1",
                        aws_access_key_id="test", aws_secret_access_key="test")
ddb = client()
ddb.create_table(TableName="ceiling", AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                 KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST")
ddb.get_waiter("table_exists").wait(TableName="ceiling")
value = {f"field{i}": {"S": "x" * 100} for i in range(10)}
def load(first):
    c = client()
    for start in range(first, min(first + 10000, items), 25):
        batch = [{"PutRequest": {"Item": {"k": {"S": f"user{n:010d}"}, **value}}}
                 for n in range(start, min(start + 25, items))]
        while batch:
            batch = c.batch_write_item(RequestItems={"ceiling": batch})["UnprocessedItems"].get("ceiling", [])
began = time.monotonic()
with concurrent.futures.ThreadPoolExecutor(4) as pool:
    list(pool.map(load, range(0, items, 10000)))
print(f"loaded {items} items in {time.monotonic() - began:.1f} s", file=sys.stderr)
body = json.dumps({"TableName": "ceiling", "Key": {"k": {"S": "user0000000042"}}, "ConsistentRead": True})
req = botocore.awsrequest.AWSRequest(method="POST", url=url + "/", data=body,
      headers={"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "DynamoDB_20120810.GetItem"})
botocore.auth.SigV4Auth(botocore.credentials.Credentials("test", "test"), "dynamodb", "ap-northeast-1").add_auth(req)
# The signed request is sent once first: it must answer the item (wrk would
# count refusals as answers).
import urllib.request
answer = json.loads(urllib.request.urlopen(urllib.request.Request(url + "/", data=body.encode(),
                                                                  headers=dict(req.headers))).read())
assert answer["Item"]["k"]["S"] == "user0000000042", answer
with open(script, "w") as f:
    f.write('wrk.method = "POST"\n')
    f.write("wrk.body = '" + body + "'\n")
    for k, v in req.headers.items():
        f.write(f'wrk.headers["{k}"] = "{v}"\n')
PY
}

rss_before=$(rss_kb "$kura_pid")
load_and_sign "$kura_port" "$items" "$work/getitem.lua"
sleep 2
rss_after=$(rss_kb "$kura_pid")
disk_kb=$(du -sk "$work/data/dynamodb" | awk '{ print $1 }')
awk -v a="$rss_before" -v b="$rss_after" -v d="$disk_kb" -v n="$items" 'BEGIN {
  printf "kura memory: RSS %.0f MB before the load, %.0f MB after (%.0f MB per million items); DynamoDB folder %.0f MB (%.0f MB per million items)\n",
    a / 1024, b / 1024, (b - a) / 1024 * 1e6 / n, d / 1024, d / 1024 * 1e6 / n }'
signed_noop_script "$kura_port" >"$work/noop.lua"

if [ -n "$peer" ]; then
  peer_port=$(free_port)
  if [ "$peer" = moto ]; then
    moto_server -p "$peer_port" >/dev/null 2>&1 &
  else
    "$peer/node_modules/.bin/dynalite" --port "$peer_port" --path "$work/dynalite" --createTableMs 0 >/dev/null 2>&1 &
  fi
  peer_pid=$!
  sleep 2.5
  load_and_sign "$peer_port" "$items" "$work/peer.lua"
fi

echo "round conns kura_getitem_rps p50_ms p99_ms noop_rps noop_p50_ms noop_p99_ms getitem/noop peer_rps peer_p50_ms peer_p99_ms kura/peer" | tee "$work/results"
for round in $(seq 1 "$rounds"); do
  for conns in "$connections" "$(( connections / 4 > 0 ? connections / 4 : 1 ))"; do
    read -r g_rps g_p50 g_p99 < <(wrk_run "http://127.0.0.1:$kura_port/" "$work/getitem.lua" "$seconds" "$conns")
    read -r n_rps n_p50 n_p99 < <(wrk_run "http://127.0.0.1:$kura_port/" "$work/noop.lua" "$seconds" "$conns")
    d_rps=0 d_p50=0 d_p99=0 peer_ratio=0
    if [ -n "$peer" ]; then
      read -r d_rps d_p50 d_p99 < <(wrk_run "http://127.0.0.1:$peer_port/" "$work/peer.lua" "$seconds" "$conns")
      peer_ratio=$(awk -v a="$g_rps" -v b="$d_rps" 'BEGIN { printf "%.2f", a / b }')
    fi
    ratio=$(awk -v a="$g_rps" -v b="$n_rps" 'BEGIN { printf "%.3f", a / b }')
    echo "$round $conns $g_rps $g_p50 $g_p99 $n_rps $n_p50 $n_p99 $ratio $d_rps $d_p50 $d_p99 $peer_ratio" | tee -a "$work/results"
  done
done
awk -v c="$connections" 'NR > 1 && $2 == c' "$work/results" | sort -n -k9 | awk '{ v[NR] = $9 } END {
  printf "GetItem / no-op throughput at %s connections: median %.3f (min %.3f, max %.3f)\n", c, v[int((NR + 1) / 2)], v[1], v[NR] }' c="$connections"
