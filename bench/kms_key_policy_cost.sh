#!/usr/bin/env bash
# What a key policy costs a KMS call: requests per second and latency of a
# signed DescribeKey on a customer key made by the account root (never
# evaluated) and by an IAM user allowed by its identity policy through the
# key's default policy (the root's kms:*, which delegates to IAM): every
# call of the user reads the key's policy, weighs it with the user's
# policies and, finding it enough, looks at no grant. Runs the two in turn
# ROUNDS times and reports each run, the medians, and the user's fraction of
# the root's throughput.
#   bench/kms_key_policy_cost.sh [ROUNDS=5] [SECONDS=5] [CONNECTIONS=16]
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

/usr/bin/python3 - "$port" "$work" <<'PY'
import json, sys
import boto3, botocore.auth, botocore.awsrequest, botocore.credentials
port, work = sys.argv[1], sys.argv[2]
endpoint = f"http://127.0.0.1:{port}"
root = dict(endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test")
iam, kms = boto3.client("iam", **root), boto3.client("kms", **root)
key = kms.create_key(Description="bench")["KeyMetadata"]
iam.create_user(UserName="bench")
iam.put_user_policy(UserName="bench", PolicyName="kms", PolicyDocument=json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:DescribeKey", "Resource": key["Arn"]}]}))
access = iam.create_access_key(UserName="bench")["AccessKey"]

def script(path, key_id, secret):
    body = json.dumps({"KeyId": key["KeyId"]})
    req = botocore.awsrequest.AWSRequest(method="POST", url=endpoint + "/", data=body, headers={
        "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "TrentService.DescribeKey"})
    botocore.auth.SigV4Auth(botocore.credentials.Credentials(key_id, secret), "kms", "us-east-1").add_auth(req)
    with open(path, "w") as out:
        out.write(f'wrk.method = "POST"\nwrk.body = {json.dumps(body)}\n')
        for k, v in req.headers.items():
            out.write(f'wrk.headers["{k}"] = "{v}"\n')

script(f"{work}/root.lua", "test", "test")
script(f"{work}/user.lua", access["AccessKeyId"], access["SecretAccessKey"])
PY
for principal in root user; do
  wrk -t1 -c1 -d1s -s "$work/$principal.lua" "http://127.0.0.1:$port/" | grep -q "Non-2xx" &&
    { echo "$principal's DescribeKey does not answer 200"; exit 1; }
done

echo "round root_rps root_p50_ms root_p99_ms user_rps user_p50_ms user_p99_ms ratio" | tee "$work/results"
for round in $(seq 1 "$rounds"); do
  read -r r_rps r_p50 r_p99 < <(wrk_run "http://127.0.0.1:$port/" "$work/root.lua" "$seconds" "$connections")
  read -r u_rps u_p50 u_p99 < <(wrk_run "http://127.0.0.1:$port/" "$work/user.lua" "$seconds" "$connections")
  ratio=$(awk -v a="$u_rps" -v b="$r_rps" 'BEGIN { printf "%.3f", a / b }')
  echo "$round $r_rps $r_p50 $r_p99 $u_rps $u_p50 $u_p99 $ratio" | tee -a "$work/results"
done
median_of_column "$work/results" 8 "IAM user (through the default key policy) / root throughput"
