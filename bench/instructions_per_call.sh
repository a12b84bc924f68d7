#!/usr/bin/env bash
# Instructions a signed GetItem of a 1 KB item (CALL=putitem: a PutItem of
# one, durable) costs Kura, counted by
# valgrind's callgrind: a measure the shared machine's noise does not move
# (repeated runs agree within 0.2%), where wall-clock and CPU-time ones
# spread by tens of percent. Each variant runs under callgrind; after a
# warm-up, CALLS GetItem calls are sent one after the other on one
# keep-alive connection, then an idle window as long is counted and taken
# off (the periodic tasks), and what is left is divided by CALLS. All of
# Kura's threads count (the trail's writer included); the kernel does not.
#
# Valgrind runs code without the CPU's SHA extensions (SHA-NI): OpenSSL
# takes its generic SHA-256 under it, several times the instructions. Read
# the SHA-256 frames (SigV4, the trail's chain) as an upper bound.
#
#   bench/instructions_per_call.sh [CALLS=3000] [ROUNDS=2]
# VARIANTS (default "trail-on=;trail-off=--trail off"): name=extra serve
# flags, separated by ';'. KURA_BIN picks the binary (default
# build/src/main/kura). KEEP=dir keeps each run's callgrind files there
# (callgrind_annotate --inclusive=yes FILE.1: the calls' window).
# Needs: valgrind, Debian's python3-boto3.
set -euo pipefail
cd "$(dirname "$0")/.."
calls="${1:-3000}"; rounds="${2:-2}"; call="${CALL:-getitem}"
kura="${KURA_BIN:-./build/src/main/kura}"
variants="${VARIANTS:-trail-on=;trail-off=--trail off}"
command -v valgrind >/dev/null || { echo "install valgrind (apt-get install valgrind)"; exit 2; }
work=$(mktemp -d)
cleanup() { [ -n "${vpid:-}" ] && kill "$vpid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
source bench/wrk_common.sh

cat >"$work/drive.py" <<'PY'
import http.client, json, sys, boto3, botocore.auth, botocore.awsrequest, botocore.credentials
port, count, mode = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
url = f"http://127.0.0.1:{port}"
if mode == "setup":
    c = boto3.client("dynamodb", endpoint_url=url, region_name="ap-northeast-1",
                     aws_access_key_id="test", aws_secret_access_key="test")
    c.create_table(TableName="bench", KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
                   AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")
    c.get_waiter("table_exists").wait(TableName="bench", WaiterConfig={"Delay": 1, "MaxAttempts": 300})
    c.put_item(TableName="bench", Item={"k": {"S": "k7"}, "v": {"S": "x" * 1000}})
    sys.exit(0)
operation = {"getitem": "GetItem", "putitem": "PutItem"}[mode]
if operation == "GetItem":
    body = json.dumps({"TableName": "bench", "Key": {"k": {"S": "k7"}}})
else:  # the same item written again and again: each write durable, as any
    body = json.dumps({"TableName": "bench", "Item": {"k": {"S": "k7"}, "v": {"S": "x" * 1000}}})
request = botocore.awsrequest.AWSRequest(method="POST", url=url + "/", data=body, headers={
    "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "DynamoDB_20120810." + operation})
botocore.auth.SigV4Auth(botocore.credentials.Credentials("test", "test"), "dynamodb", "ap-northeast-1").add_auth(request)
headers = dict(request.headers.items())
connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
for _ in range(count):
    connection.request("POST", "/", body=body, headers=headers)
    answer = connection.getresponse()
    answer.read()
    if answer.status != 200:
        sys.exit(f"GetItem answered {answer.status}")
PY

measure() {  # name flags -> "name instructions_per_call"
  local name=$1 flags=$2 port out t0 t1 elapsed busy idle
  port=$(free_port); out="$work/$name"
  rm -rf "$out.data"
  # shellcheck disable=SC2086
  valgrind --tool=callgrind --callgrind-out-file="$out.cg" "$kura" serve --port "$port" --data-dir "$out.data" \
    --log-level warn $flags >"$out.log" 2>&1 &
  vpid=$!
  for _ in $(seq 1 600); do curl -fsS "http://127.0.0.1:$port/_kura/health" >/dev/null 2>&1 && break; sleep 0.5; done
  /usr/bin/python3 "$work/drive.py" "$port" 0 setup
  /usr/bin/python3 "$work/drive.py" "$port" 300 "$call"  # warm-up
  sleep 2
  callgrind_control -z "$vpid" >/dev/null 2>&1
  t0=$(date +%s.%N)
  /usr/bin/python3 "$work/drive.py" "$port" "$calls" "$call"
  t1=$(date +%s.%N)
  callgrind_control -d calls "$vpid" >/dev/null 2>&1
  elapsed=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
  callgrind_control -z "$vpid" >/dev/null 2>&1
  sleep "$elapsed"
  callgrind_control -d idle "$vpid" >/dev/null 2>&1
  kill -INT "$vpid"; wait "$vpid" 2>/dev/null || true; vpid=""
  busy=$(awk '/^summary:/ { print $2 }' "$out.cg.1"); idle=$(awk '/^summary:/ { print $2 }' "$out.cg.2")
  if [ -n "${KEEP:-}" ]; then mkdir -p "$KEEP"; cp "$out.cg.1" "$KEEP/$name.$round.calls"; fi
  rm -f "$out.cg"*
  awk -v n="$name" -v b="$busy" -v i="$idle" -v c="$calls" 'BEGIN { printf "%s %.0f\n", n, (b - i) / c }'
}

echo "round variant instructions_per_call"
for round in $(seq 1 "$rounds"); do
  IFS=';' read -r -a list <<<"$variants"
  for entry in "${list[@]}"; do
    echo "$round $(measure "${entry%%=*}" "${entry#*=}")"
  done
done
