#!/usr/bin/env bash
# What IAM policy evaluation costs a call: requests per second and latency
# of a signed no-op DynamoDB call (DescribeLimits, answered without touching
# storage) made by the account root (never evaluated) and by an IAM user
# whose policy has 20 statements, the one allowing the call last (every
# statement is read). Runs the two in turn ROUNDS times and reports each
# run, the medians, and the user's fraction of the root's throughput
# (issue 18's goal: within 10%).
#   bench/iam_policy_cost.sh [ROUNDS=5] [SECONDS=5] [CONNECTIONS=16]
# Needs: wrk (Debian package), python3-boto3, a build in build/.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-5}"; seconds="${2:-5}"; connections="${3:-16}"
command -v wrk >/dev/null || { echo "install wrk (apt-get install wrk)"; exit 2; }
work=$(mktemp -d)
cleanup() { kill "${kura_pid:-}" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
source bench/wrk_common.sh
port=$(free_port)
"${KURA_BIN:-./build/src/main/kura}" serve --port "$port" --data-dir "$work/data" --log-level warn >"$work/kura.log" 2>&1 &
kura_pid=$!
wait_health "$port"

# The user, its key and its 20-statement policy; then a signed DescribeLimits
# as a wrk script for each of the two principals.
/usr/bin/python3 - "$port" "$work" <<'PY'
import json, sys
import boto3, botocore.auth, botocore.awsrequest, botocore.credentials
port, work = sys.argv[1], sys.argv[2]
endpoint = f"http://127.0.0.1:{port}"
iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1",
                   aws_access_key_id="test", aws_secret_access_key="test")
statements = [{"Effect": "Allow", "Action": [f"dynamodb:Get{i}*", f"rds:Describe{i}*"],
               "Resource": f"arn:aws:dynamodb:*:*:table/bench-{i}-*",
               "Condition": {"StringEquals": {"aws:RequestedRegion": "us-east-1"}}} for i in range(19)]
statements.append({"Effect": "Allow", "Action": "dynamodb:DescribeLimits", "Resource": "*"})
iam.create_user(UserName="bench")
policy = iam.create_policy(PolicyName="twenty",  # managed: 6,144 characters, where inline ones have 2,048
                           PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": statements}))
iam.attach_user_policy(UserName="bench", PolicyArn=policy["Policy"]["Arn"])
key = iam.create_access_key(UserName="bench")["AccessKey"]

def script(path, key_id, secret):
    body = "{}"
    req = botocore.awsrequest.AWSRequest(method="POST", url=endpoint + "/", data=body, headers={
        "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "DynamoDB_20120810.DescribeLimits"})
    botocore.auth.SigV4Auth(botocore.credentials.Credentials(key_id, secret), "dynamodb", "us-east-1").add_auth(req)
    with open(path, "w") as out:
        out.write('wrk.method = "POST"\nwrk.body = "{}"\n')
        for k, v in req.headers.items():
            out.write(f'wrk.headers["{k}"] = "{v}"\n')

script(f"{work}/root.lua", "test", "test")
script(f"{work}/user.lua", key["AccessKeyId"], key["SecretAccessKey"])
PY
# Both answer 200 before anything is measured.
for principal in root user; do
  wrk -t1 -c1 -d1s -s "$work/$principal.lua" "http://127.0.0.1:$port/" | grep -q "Non-2xx" &&
    { echo "$principal's DescribeLimits does not answer 200"; exit 1; }
done

echo "round root_rps root_p50_ms root_p99_ms user_rps user_p50_ms user_p99_ms ratio" | tee "$work/results"
for round in $(seq 1 "$rounds"); do
  read -r r_rps r_p50 r_p99 < <(wrk_run "http://127.0.0.1:$port/" "$work/root.lua" "$seconds" "$connections")
  read -r u_rps u_p50 u_p99 < <(wrk_run "http://127.0.0.1:$port/" "$work/user.lua" "$seconds" "$connections")
  ratio=$(awk -v a="$u_rps" -v b="$r_rps" 'BEGIN { printf "%.3f", a / b }')
  echo "$round $r_rps $r_p50 $r_p99 $u_rps $u_p50 $u_p99 $ratio" | tee -a "$work/results"
done
median_of_column "$work/results" 8 "IAM user (20 statements) / root throughput"
