#!/usr/bin/env python3
"""Sends the cases tools/ddb_reference/cases.js gathered from dynalite's
tests (requests DynamoDB refuses, with the message each gets) to a running
Kura and lists those whose answer differs: a check of Kura's validation
against a reference that took its messages from DynamoDB. Where the two
disagree the AWS documentation decides; not every difference is Kura's.
    node tools/ddb_reference/cases.js DYNALITE/test/*.js > /tmp/cases.json
    /usr/bin/python3 tools/ddb_reference/replay.py http://127.0.0.1:PORT /tmp/cases.json --setup [Operation]
--setup creates the tables the cases name (once per server)."""
import json, re, sys, collections
import boto3, botocore.auth, botocore.awsrequest, botocore.credentials, urllib.request, urllib.error

endpoint = sys.argv[1]
cases = json.load(open(sys.argv[2]))
only = next((a for a in sys.argv[3:] if not a.startswith("--")), None)
creds = botocore.credentials.Credentials("test", "test")
region = "ap-northeast-1"

def call(target, data):
    body = json.dumps(data).encode()
    req = botocore.awsrequest.AWSRequest(method="POST", url=endpoint + "/", data=body, headers={
        "X-Amz-Target": "DynamoDB_20120810." + target, "Content-Type": "application/x-amz-json-1.0"})
    botocore.auth.SigV4Auth(creds, "dynamodb", region).add_auth(req)
    r = urllib.request.Request(endpoint + "/", data=body, headers=dict(req.headers.items()), method="POST")
    try:
        with urllib.request.urlopen(r, timeout=10) as resp:
            return resp.status, json.loads(resp.read() or b"{}")
    except urllib.error.HTTPError as e:
        text = e.read()
        try:
            return e.code, json.loads(text)
        except Exception:
            return e.code, {"raw": text.decode("utf-8", "replace")}

def setup():
    ddb = boto3.client("dynamodb", endpoint_url=endpoint, region_name=region, aws_access_key_id="test", aws_secret_access_key="test")
    pt = {"ReadCapacityUnits": 10, "WriteCapacityUnits": 5}
    ddb.create_table(TableName="hash_t1", AttributeDefinitions=[{"AttributeName": "a", "AttributeType": "S"}],
                     KeySchema=[{"KeyType": "HASH", "AttributeName": "a"}], ProvisionedThroughput=pt)
    ddb.create_table(TableName="hash_n2", AttributeDefinitions=[{"AttributeName": "a", "AttributeType": "N"}],
                     KeySchema=[{"KeyType": "HASH", "AttributeName": "a"}], BillingMode="PAY_PER_REQUEST")
    ddb.create_table(TableName="range_t3", AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n in "abcd"],
        KeySchema=[{"KeyType": "HASH", "AttributeName": "a"}, {"KeyType": "RANGE", "AttributeName": "b"}], ProvisionedThroughput=pt,
        LocalSecondaryIndexes=[
            {"IndexName": "index1", "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}, {"AttributeName": "c", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "ALL"}},
            {"IndexName": "index2", "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}, {"AttributeName": "d", "KeyType": "RANGE"}], "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["c"]}}],
        GlobalSecondaryIndexes=[
            {"IndexName": "index3", "KeySchema": [{"AttributeName": "c", "KeyType": "HASH"}], "ProvisionedThroughput": pt, "Projection": {"ProjectionType": "ALL"}},
            {"IndexName": "index4", "KeySchema": [{"AttributeName": "c", "KeyType": "HASH"}, {"AttributeName": "d", "KeyType": "RANGE"}], "ProvisionedThroughput": pt, "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["e"]}}])
    ddb.create_table(TableName="range_n4", AttributeDefinitions=[{"AttributeName": "a", "AttributeType": "S"}, {"AttributeName": "b", "AttributeType": "N"}],
        KeySchema=[{"KeyType": "HASH", "AttributeName": "a"}, {"KeyType": "RANGE", "AttributeName": "b"}], ProvisionedThroughput=pt)
    ddb.create_table(TableName="range_b5", AttributeDefinitions=[{"AttributeName": "a", "AttributeType": "S"}, {"AttributeName": "b", "AttributeType": "B"}],
        KeySchema=[{"KeyType": "HASH", "AttributeName": "a"}, {"KeyType": "RANGE", "AttributeName": "b"}], ProvisionedThroughput=pt)

def matches(msg, got):
    if isinstance(msg, str):
        return got == msg
    if "regex" in msg:
        return re.search(msg["regex"], got) is not None
    items = msg["list"]
    prefix = f"{len(items)} validation error{'' if len(items) == 1 else 's'} detected: "
    return got.startswith(prefix) and all((True if isinstance(i, dict) else i in got) for i in items)

if "--setup" in sys.argv:
    setup()
ok = 0
bad = collections.defaultdict(list)
for case in cases:
    if only and case["target"] != only:
        continue
    status, body = call(case["target"], case["data"])
    got = body.get("message", body.get("Message", "")) if isinstance(body, dict) else ""
    code = (body.get("__type", "") if isinstance(body, dict) else "").split("#")[-1]
    if code == "ValidationException" and matches(case["msg"], got):
        ok += 1
    else:
        bad[case["target"]].append((case["test"], json.dumps(case["data"])[:300], case["msg"], f"{status} {code}: {got}"[:400]))
total = sum(len(v) for v in bad.values())
print(f"matched {ok}, differ {total}")
for target, rows in bad.items():
    print(f"== {target}: {len(rows)}")
    for test, data, msg, got in rows:
        print(f"- {test}\n  req: {data}\n  want: {msg}\n  got:  {got}")
