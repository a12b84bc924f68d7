#!/usr/bin/env bash
# DynamoDB GetItem, PutItem and UpdateItem against the ceiling of a plain
# HTTP server, side by side in one run (the method of the shared
# perf-getitem.sh): nginx with one worker answering a body of the same size
# as Kura's answer (the GetItem's item, `{}` for the writes), and Kura, each
# replayed by wrk over keep-alive connections, rounds interleaving the two.
#   - GetItem: one signed request (a 1 KB item) replayed, as perf-getitem.sh;
#   - PutItem: every request a new 1 KB item (a new key), signed by wrk
#     itself (bench/ddb_signed_write.lua); every write and its trail record
#     are synced before the answer;
#   - UpdateItem: SET of the 1 KB attribute of the loaded items in turn,
#     signed the same way.
# nginx gets the same wrk script (it ignores the signature): both sides
# pay the same client cost. Then, for each operation, Kura's latency at
# about half its peak (wrk waits between requests on each connection).
# Each Kura run also reports Kura's CPU time per request (all its threads,
# from /proc: less noisy than throughput on a shared machine).
# KURA_BIN may name several builds, comma-separated (before,after): each
# runs as a server of its own, loaded alike, and every round runs nginx
# and then each build in turn, so that they are compared in the same run.
# Kura logs at warn unless LOG_LEVEL says otherwise (info is the default of
# `kura serve` and of perf-getitem.sh: a request line per call).
#   [LOG_LEVEL=warn] bench/ddb_write_ceiling.sh [KURA_BIN=build/src/main/kura] [ROUNDS=3] [CONNECTIONS=16] [SECONDS=5]
# Needs: wrk, nginx (Debian packages; nginx-light is enough), boto3.
set -euo pipefail
cd "$(dirname "$0")/.."
kura="${1:-build/src/main/kura}"; rounds="${2:-3}"; conns="${3:-16}"; seconds="${4:-5}"
command -v wrk >/dev/null || { echo "install wrk (apt-get install wrk)"; exit 2; }
nginx=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$nginx" ] || { echo "install nginx (apt-get install nginx-light)"; exit 2; }
work=$(mktemp -d)
cleanup() { kill ${kura_pid:-} "${nginx_pid:-}" 2>/dev/null || true; sleep 0.5; rm -rf "$work"; }
trap cleanup EXIT
source bench/wrk_common.sh
lua="$PWD/bench/ddb_signed_write.lua"
keys=1000

IFS=, read -r -a kuras <<<"$kura"
np=$(free_port)
kura_pids=(); kura_ports=()
for i in "${!kuras[@]}"; do
  kp=$(free_port)
  "${kuras[$i]}" serve --host 127.0.0.1 --port "$kp" --data-dir "$work/kura$i" --log-level "${LOG_LEVEL:-warn}" >"$work/kura$i.log" 2>&1 &
  kura_pids+=($!); kura_ports+=("$kp")
  kura_pid="${kura_pids[*]}"  # for cleanup
  wait_health "$kp"
/usr/bin/python3 - "$kp" "$keys" "$work" "$i" <<'PY'
import json, sys, boto3, botocore.auth, botocore.awsrequest, botocore.credentials
port, keys, work, index = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
url = f"http://127.0.0.1:{port}"
c = boto3.client("dynamodb", endpoint_url=url, region_name="ap-northeast-1",
                 aws_access_key_id="test", aws_secret_access_key="test")
c.create_table(TableName="bench", KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
               AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")
c.get_waiter("table_exists").wait(TableName="bench")
for start in range(0, keys, 25):
    c.batch_write_item(RequestItems={"bench": [{"PutRequest": {"Item": {"k": {"S": f"k{i}"}, "v": {"S": "x" * 1000}}}}
                                               for i in range(start, min(start + 25, keys))]})
r = c.get_item(TableName="bench", Key={"k": {"S": "k7"}})
assert len(r["Item"]["v"]["S"]) == 1000
body = json.dumps({"TableName": "bench", "Key": {"k": {"S": "k7"}}})
# One signed GetItem, replayed as is (perf-getitem.sh's request).
def getitem_script(host):
    req = botocore.awsrequest.AWSRequest(method="POST", url=f"http://{host}/", data=body, headers={
        "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "DynamoDB_20120810.GetItem"})
    botocore.auth.SigV4Auth(botocore.credentials.Credentials("test", "test"), "dynamodb", "ap-northeast-1").add_auth(req)
    lua = 'wrk.method = "POST"\nwrk.body = ' + json.dumps(body) + "\n"
    for k, v in req.headers.items():
        lua += f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}\n"
    return lua
open(f"{work}/kura{index}-GetItem.lua", "w").write(getitem_script(f"127.0.0.1:{port}"))
# nginx answers what Kura answers, as many bytes.
answer = json.dumps(r["Item"] and {"Item": {"k": {"S": "k7"}, "v": {"S": "x" * 1000}}})
open(f"{work}/getitem.json", "w").write(answer)
PY
done
cp "$work/kura0-GetItem.lua" "$work/nginx-GetItem.lua"
mkdir -p "$work/nginx"
cat >"$work/nginx.conf" <<EOF
worker_processes 1; daemon off; pid $work/nginx.pid; error_log $work/nginx/err.log;
events { worker_connections 1024; }
http { access_log off; client_body_temp_path $work/nginx; proxy_temp_path $work/nginx; fastcgi_temp_path $work/nginx;
  uwsgi_temp_path $work/nginx; scgi_temp_path $work/nginx; client_body_buffer_size 64k;
  map \$http_x_amz_target \$answer { DynamoDB_20120810.GetItem '$(cat "$work/getitem.json")'; default '{}'; }
  server { listen 127.0.0.1:$np; location / { default_type application/x-amz-json-1.0; return 200 \$answer; } } }
EOF
"$nginx" -c "$work/nginx.conf" &
nginx_pid=$!
sleep 0.5

# One wrk run: "rps p50_ms p99_ms cpu_us" (exits if any answer was not 2xx);
# cpu_us: the server's CPU time per request (kuraN only; nginx: 0).
run() {  # server op port seconds connections [delay_ms]
  local out script="$work/$1-$2.lua" pid="" before=0 after=0
  [ "$2" = GetItem ] && [ -z "${6:-}" ] || script="$lua"
  [[ "$1" == kura* ]] && pid="${kura_pids[${1#kura}]}"
  [ -n "$pid" ] && before=$(cpu_ticks "$pid")
  out=$(DDB_OP="$2" DDB_HOST="127.0.0.1:$3" DDB_TABLE=bench DDB_KEYS=$keys DDB_RUN="$1$RANDOM$RANDOM" \
        DDB_DELAY_MS="${6:-0}" wrk -t2 -c"$5" -d"${4}s" --latency -s "$script" "http://127.0.0.1:$3/")
  [ -n "$pid" ] && after=$(cpu_ticks "$pid")
  if grep -q "Non-2xx" <<<"$out"; then echo "$1 $2: $(grep Non-2xx <<<"$out")" >&2; exit 1; fi
  awk '/Requests\/sec/ {rps=$2} / 50%/ {p50=$2} / 99%/ {p99=$2} END { print rps, p50, p99 }' <<<"$out" |
    { read -r rps p50 p99; echo "$rps $(ms "$p50") $(ms "$p99") $(awk -v t=$((after - before)) -v hz="$hz" -v r="$rps" -v s="$4" \
        'BEGIN { printf "%.0f", (r > 0 ? t / hz * 1e6 / (r * s) : 0) }')"; }
}
hz=$(getconf CLK_TCK)
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# What the disk gives: a durable write waits for at least one sync.
disk_sync_ms() {
  dd if=/dev/zero of="$work/dsync" bs=4k count=200 oflag=dsync 2>&1 | awk '/copied/ { printf "%.2f", $(NF-3) * 1000 / 200 }'
  rm -f "$work/dsync"
}
echo "disk: a 4 KB appending write with O_DSYNC takes $(disk_sync_ms) ms (before the rounds)"
ops=(GetItem PutItem UpdateItem)
echo "round op server nginx_rps kura_rps kura_p50_ms kura_p99_ms kura_cpu_us kura/nginx" | tee "$work/results"
for round in $(seq 1 "$rounds"); do
  for op in "${ops[@]}"; do
    n=$(run nginx "$op" "$np" "$seconds" "$conns"); read -r n_rps _ _ _ <<<"$n"
    for i in "${!kuras[@]}"; do
      k=$(run "kura$i" "$op" "${kura_ports[$i]}" "$seconds" "$conns"); read -r k_rps k_p50 k_p99 k_cpu <<<"$k"
      echo "$round $op kura$i $n_rps $k_rps $k_p50 $k_p99 $k_cpu $(awk -v a="$k_rps" -v b="$n_rps" 'BEGIN { printf "%.3f", a / b }')" |
        tee -a "$work/results"
    done
  done
done
echo "disk: a 4 KB appending write with O_DSYNC takes $(disk_sync_ms) ms (after the rounds)"
for i in "${!kuras[@]}"; do
  echo "kura$i = ${kuras[$i]}"
done
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
echo "Kura at about half its peak ($conns connections, each waiting between requests):"
for op in "${ops[@]}"; do
  for i in "${!kuras[@]}"; do
    peak=$(awk -v o="$op" -v k="kura$i" '$2 == o && $3 == k { print $5 }' "$work/results" | median)
    # Each connection's cycle at half the peak is twice its cycle at the
    # peak; the wait is the difference, less the shorter latency there.
    delay=$(awk -v c="$conns" -v p="$peak" 'BEGIN { printf "%.3f", 1000 * c / p * 1.5 }')
    h=$(run "kura$i" "$op" "${kura_ports[$i]}" "$seconds" "$conns" "$delay"); read -r h_rps h_p50 h_p99 _ <<<"$h"
    echo "kura$i $op: $h_rps req/s ($(awk -v a="$h_rps" -v b="$peak" 'BEGIN { printf "%.2f", a / b }') of the median peak $peak), p50 $h_p50 ms, p99 $h_p99 ms"
  done
done
for op in "${ops[@]}"; do
  for i in "${!kuras[@]}"; do
    ratios=$(awk -v o="$op" -v k="kura$i" '$2 == o && $3 == k { print $9 }' "$work/results" | sort -g | tr '\n' ' ')
    cpus=$(awk -v o="$op" -v k="kura$i" '$2 == o && $3 == k { print $8 }' "$work/results" | sort -g | tr '\n' ' ')
    awk -v o="$op" -v k="kura$i" -v r="$ratios" -v c="$cpus" 'BEGIN {
      n = split(r, v, " "); split(c, u, " "); m = int((n + 1) / 2)
      printf "%s %s kura/nginx: median %.3f (min %.3f, max %.3f) over %d rounds; CPU per request: median %d us (%d-%d)\n",
        k, o, v[m], v[1], v[n], n, u[m], u[1], u[n] }'
  done
done
