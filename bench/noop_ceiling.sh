#!/usr/bin/env bash
# Requests per second and latency of a no-op signed call (STS
# GetCallerIdentity) over keep-alive connections, against the ceiling: Kura's
# HTTP layer alone answering 200 (bench/http_ceiling.cpp). Runs the two in
# turn ROUNDS times and reports each run, the medians, and Kura's fraction of
# the ceiling.
#   bench/noop_ceiling.sh [ROUNDS=5] [SECONDS=5] [CONNECTIONS=16]
# Needs: wrk (Debian package), a build in build/.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-5}"; seconds="${2:-5}"; connections="${3:-16}"
command -v wrk >/dev/null || { echo "install wrk (apt-get install wrk)"; exit 2; }
work=$(mktemp -d)
cleanup() { kill "${kura_pid:-}" "${ceiling_pid:-}" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
kura_port=$(port); ceiling_port=$(port)
./build/src/main/kura serve --port "$kura_port" --data-dir "$work/data" --log-level warn >"$work/kura.log" 2>&1 &
kura_pid=$!
./build/bench/kura_http_ceiling "$ceiling_port" >/dev/null 2>&1 &
ceiling_pid=$!
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$kura_port/_kura/health" >/dev/null 2>&1 && break; sleep 0.1; done

# One request signed by botocore, replayed by wrk (valid for the 15-minute skew window).
/usr/bin/python3 - "$kura_port" >"$work/signed.lua" <<'PY'
import sys, botocore.auth, botocore.awsrequest, botocore.credentials
port = sys.argv[1]
body = "Action=GetCallerIdentity&Version=2011-06-15"
req = botocore.awsrequest.AWSRequest(method="POST", url=f"http://127.0.0.1:{port}/", data=body,
      headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
botocore.auth.SigV4Auth(botocore.credentials.Credentials("test", "test"), "sts", "us-east-1").add_auth(req)
print('wrk.method = "POST"')
print(f'wrk.body = "{body}"')
for k, v in req.headers.items():
    print(f'wrk.headers["{k}"] = "{v}"')
PY
run() {  # url script -> "rps p50_ms p99_ms"
  wrk -t2 -c"$connections" -d"${seconds}s" --latency -s "$2" "$1" 2>/dev/null | awk '
    /Requests\/sec/ {rps=$2}
    / 50%/ {p50=$2} / 99%/ {p99=$2}
    END {
      print rps, p50, p99
    }'
}
ms() { awk -v v="$1" 'BEGIN { if (v ~ /us$/) {sub(/us$/,"",v); print v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v); print v} else {sub(/s$/,"",v); print v*1000} }'; }
echo "round kura_rps kura_p50_ms kura_p99_ms ceiling_rps ceiling_p50_ms ceiling_p99_ms ratio" | tee "$work/results"
for round in $(seq 1 "$rounds"); do
  read -r k_rps k_p50 k_p99 < <(run "http://127.0.0.1:$kura_port/" "$work/signed.lua")
  read -r c_rps c_p50 c_p99 < <(run "http://127.0.0.1:$ceiling_port/" "$work/signed.lua")
  ratio=$(awk -v a="$k_rps" -v b="$c_rps" 'BEGIN { printf "%.3f", a / b }')
  echo "$round $k_rps $(ms "$k_p50") $(ms "$k_p99") $c_rps $(ms "$c_p50") $(ms "$c_p99") $ratio" | tee -a "$work/results"
done
awk 'NR > 1 { print $8 }' "$work/results" | sort -n | awk '{ v[NR] = $1 } END {
  printf "kura / ceiling throughput: median %.3f (min %.3f, max %.3f) over %d rounds\n", v[int((NR + 1) / 2)], v[1], v[NR], NR }'
