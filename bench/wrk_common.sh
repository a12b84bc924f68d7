# Shared by the wrk benchmarks (sourced): free ports, a request signed by
# botocore for wrk to replay, one wrk run, and the median of a column.

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

wait_health() {  # port
  for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$1/_kura/health" >/dev/null 2>&1 && return 0; sleep 0.1; done
  return 1
}

# Each build of a comma-separated list as a server of its own (a free port,
# a data directory under WORK, warn level) holding an empty on-demand table
# "bench" (hash key "k"): appends to the arrays `pids` and `ports`.
serve_bench_tables() {  # builds work
  local builds i port
  IFS=, read -r -a builds <<<"$1"
  for i in "${!builds[@]}"; do
    port=$(free_port)
    "${builds[$i]}" serve --host 127.0.0.1 --port "$port" --data-dir "$2/kura$i" --log-level warn >"$2/kura$i.log" 2>&1 &
    pids+=($!); ports+=("$port")
    wait_health "$port"
    /usr/bin/python3 - "$port" <<'PY'
import sys, boto3
c = boto3.client("dynamodb", endpoint_url=f"http://127.0.0.1:{sys.argv[1]}", region_name="ap-northeast-1",
                 aws_access_key_id="test", aws_secret_access_key="test")
c.create_table(TableName="bench", KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
               AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")
c.get_waiter("table_exists").wait(TableName="bench")
PY
  done
}

# A signed STS GetCallerIdentity as a wrk script (valid for the 15-minute
# skew window).
signed_noop_script() {  # port > script.lua
  /usr/bin/python3 - "$1" <<'PY'
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
}

ms() { awk -v v="$1" 'BEGIN { if (v ~ /us$/) {sub(/us$/,"",v); print v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v); print v} else {sub(/s$/,"",v); print v*1000} }'; }

wrk_run() {  # url script seconds connections -> "rps p50_ms p99_ms"
  local rps p50 p99
  read -r rps p50 p99 < <(wrk -t2 -c"$4" -d"${3}s" --latency -s "$2" "$1" 2>/dev/null | awk '
    /Requests\/sec/ {rps=$2}
    / 50%/ {p50=$2} / 99%/ {p99=$2}
    END { print rps, p50, p99 }')
  echo "$rps $(ms "$p50") $(ms "$p99")"
}

median_of_column() {  # file column label
  awk -v c="$2" 'NR > 1 { print $c }' "$1" | sort -n | awk -v label="$3" '{ v[NR] = $1 } END {
    printf "%s: median %.3f (min %.3f, max %.3f) over %d rounds\n", label, v[int((NR + 1) / 2)], v[1], v[NR], NR }'
}

# CPU time (user + system, in clock ticks) a process and all its threads
# have used so far.
cpu_ticks() {  # pid
  awk '{ print $14 + $15 }' "/proc/$1/stat"
}

# Microseconds of a process's CPU per call, from the ticks it used while
# answering `calls` calls.
cpu_us_per_call() {  # ticks calls
  awk -v t="$1" -v n="$2" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", t / hz * 1e6 / n }'
}
