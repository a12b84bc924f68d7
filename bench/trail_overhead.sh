#!/usr/bin/env bash
# What the audit trail costs per API call: the signed no-op (STS
# GetCallerIdentity) against two Kura servers, one with the trail on (the
# default) and one with --trail off. Two measures, ROUNDS times each:
#  1. In turn: wrk against one server, then the other; the ratio of their
#     throughputs (goal: the trail costs under 10%, a ratio above 0.90).
#     On a shared machine one run's throughput swings more than the trail
#     costs, so the spread is wide.
#  2. Together: one wrk per server at the same time, so both see the same
#     machine; the ratio of CPU time per call (trail off / on, all of each
#     server's threads, the trail's writer thread included). Throughput is
#     not compared here: the trail's writer thread takes its own share of
#     the cores, which would favour the server with the trail on.
#   bench/trail_overhead.sh [ROUNDS=5] [SECONDS=5] [CONNECTIONS=16]
# KURA_BIN picks the binary (default build/src/main/kura). CALL=getitem
# measures a signed GetItem of a 1 KB item instead of the no-op (its trail
# record is the same, the call's own work larger).
# Needs: wrk (Debian package), a build in build/.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-5}"; seconds="${2:-5}"; connections="${3:-16}"
kura="${KURA_BIN:-./build/src/main/kura}"
command -v wrk >/dev/null || { echo "install wrk (apt-get install wrk)"; exit 2; }
work=$(mktemp -d)
cleanup() { kill "${on_pid:-}" "${off_pid:-}" "${wrk_pid:-}" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
source bench/wrk_common.sh
on_port=$(free_port); off_port=$(free_port)
"$kura" serve --port "$on_port" --data-dir "$work/on" --log-level warn >"$work/on.log" 2>&1 &
on_pid=$!
"$kura" serve --port "$off_port" --data-dir "$work/off" --log-level warn --trail off >"$work/off.log" 2>&1 &
off_pid=$!
wait_health "$on_port"
wait_health "$off_port"
if [ "${CALL:-noop}" = getitem ]; then
  for side in on off; do
    port_var="${side}_port"
    /usr/bin/python3 - "${!port_var}" >"$work/$side.lua" <<'PY'
import json, sys, boto3, botocore.auth, botocore.awsrequest, botocore.credentials
url = f"http://127.0.0.1:{sys.argv[1]}"
c = boto3.client("dynamodb", endpoint_url=url, region_name="ap-northeast-1",
                 aws_access_key_id="test", aws_secret_access_key="test")
c.create_table(TableName="bench", KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
               AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")
c.get_waiter("table_exists").wait(TableName="bench")
c.put_item(TableName="bench", Item={"k": {"S": "k7"}, "v": {"S": "x" * 1000}})
body = json.dumps({"TableName": "bench", "Key": {"k": {"S": "k7"}}})
req = botocore.awsrequest.AWSRequest(method="POST", url=url + "/", data=body, headers={
    "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "DynamoDB_20120810.GetItem"})
botocore.auth.SigV4Auth(botocore.credentials.Credentials("test", "test"), "dynamodb", "ap-northeast-1").add_auth(req)
print('wrk.method = "POST"\nwrk.body = ' + json.dumps(body))
for k, v in req.headers.items():
    print(f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}")
PY
  done
else
  signed_noop_script "$on_port" >"$work/on.lua"
  signed_noop_script "$off_port" >"$work/off.lua"
fi

echo "in turn:"
echo "round on_rps on_p50_ms on_p99_ms off_rps off_p50_ms off_p99_ms on/off" | tee "$work/turns"
for round in $(seq 1 "$rounds"); do
  read -r a_rps a_p50 a_p99 < <(wrk_run "http://127.0.0.1:$on_port/" "$work/on.lua" "$seconds" "$connections")
  read -r b_rps b_p50 b_p99 < <(wrk_run "http://127.0.0.1:$off_port/" "$work/off.lua" "$seconds" "$connections")
  ratio=$(awk -v a="$a_rps" -v b="$b_rps" 'BEGIN { printf "%.3f", a / b }')
  echo "$round $a_rps $a_p50 $a_p99 $b_rps $b_p50 $b_p99 $ratio" | tee -a "$work/turns"
done

echo "together ($((connections / 2)) connections each):"
echo "round on_calls on_cpu_us off_calls off_cpu_us cpu_off/on" | tee "$work/together"
for round in $(seq 1 "$rounds"); do
  a0=$(cpu_ticks "$on_pid"); b0=$(cpu_ticks "$off_pid")
  wrk -t1 -c$((connections / 2)) -d"${seconds}s" -s "$work/on.lua" "http://127.0.0.1:$on_port/" >"$work/a.txt" &
  wrk_pid=$!
  wrk -t1 -c$((connections / 2)) -d"${seconds}s" -s "$work/off.lua" "http://127.0.0.1:$off_port/" >"$work/b.txt"
  wait "$wrk_pid"
  a_ticks=$(($(cpu_ticks "$on_pid") - a0)); b_ticks=$(($(cpu_ticks "$off_pid") - b0))
  a_calls=$(awk '/requests in/ { print $1 }' "$work/a.txt"); b_calls=$(awk '/requests in/ { print $1 }' "$work/b.txt")
  a_cpu=$(cpu_us_per_call "$a_ticks" "$a_calls"); b_cpu=$(cpu_us_per_call "$b_ticks" "$b_calls")
  ratio=$(awk -v a="$a_cpu" -v b="$b_cpu" 'BEGIN { printf "%.3f", b / a }')
  echo "$round $a_calls $a_cpu $b_calls $b_cpu $ratio" | tee -a "$work/together"
done
median_of_column "$work/turns" 8 "in turn: trail on / off throughput"
median_of_column "$work/together" 6 "together: CPU per call, trail off / on"
echo "trail records written: $(cat "$work"/on/trail/logs/*.log | wc -l)"
