"""The bytes of DynamoDB's answers stay what they were: fixed requests
(PutItem, UpdateItem, GetItem, Query, with every kind of attribute value and
the ReturnValues, projections, conditions and capacity that change an
answer's shape) are sent in order to a fresh server, and each answer's
status, x-amzn-ErrorType and body are compared byte for byte with the ones
recorded in golden/dynamodb_answers.json, made by the build before the
data path's speed work (issue 21). A change to the path that answers (the
raw item text, the JSON writer, the HTTP layer) that alters one byte fails
here.

To record the answers again (only for a change meant to alter them):
    KURA_GOLDEN_WRITE=1 KURA_BIN=... pytest tests/integration/test_dynamodb_answer_bytes.py
"""
import json
import os

import pytest

from raw_http import send, sign

GOLDEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden", "dynamodb_answers.json")
TABLE = "answer-bytes"

ITEM = {
    "pk": {"S": "user#1"}, "sk": {"N": "1"},
    "name": {"S": "\u00c4d\u00e5 \"quoted\" \\ / \u2028 tab\t new\nline \u0001"},
    "emoji": {"S": "\U0001F600"},
    "n": {"N": "-12.3400"}, "big": {"N": "12345678901234567890123456789012345678"},
    "small": {"N": "0.000000000000000000000000000000000000001"},
    "b": {"B": "AAEC/w=="}, "ss": {"SS": ["b", "a", "c"]}, "ns": {"NS": ["3", "1.0", "2"]},
    "bs": {"BS": ["AQ==", "Ag=="]}, "yes": {"BOOL": True}, "nothing": {"NULL": True},
    "m": {"M": {"z": {"NULL": True}, "a": {"BOOL": False},
                "l": {"L": [{"S": "x"}, {"N": "0"}, {"M": {}}, {"L": []}]}}},
}

# (operation, input) in order; the answers depend on what came before.
REQUESTS = [
    ("PutItem", {"TableName": TABLE, "Item": ITEM}),
    ("PutItem", {"TableName": TABLE, "Item": {"pk": {"S": "user#1"}, "sk": {"N": "2"}, "v": {"S": "two"}}}),
    ("PutItem", {"TableName": TABLE, "Item": {"pk": {"S": "user#1"}, "sk": {"N": "3"}, "v": {"S": "three"},
                                               "count": {"N": "7"}}, "ReturnValues": "ALL_OLD"}),
    ("PutItem", {"TableName": TABLE, "Item": {"pk": {"S": "user#1"}, "sk": {"N": "3"}, "v": {"S": "three again"}},
                 "ReturnValues": "ALL_OLD", "ReturnConsumedCapacity": "TOTAL"}),
    ("PutItem", {"TableName": TABLE, "Item": {"pk": {"S": "user#2"}, "sk": {"N": "1"}},
                 "ReturnConsumedCapacity": "INDEXES", "ReturnItemCollectionMetrics": "SIZE"}),
    ("PutItem", {"TableName": TABLE, "Item": {"pk": {"S": "user#1"}, "sk": {"N": "2"}},
                 "ConditionExpression": "attribute_not_exists(pk)"}),
    ("PutItem", {"TableName": TABLE, "Item": {"pk": {"S": "user#1"}, "sk": {"N": "2"}},
                 "ConditionExpression": "attribute_not_exists(pk)",
                 "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}),
    ("PutItem", {"TableName": TABLE, "Item": {"pk": {"S": "user#1"}}}),
    ("PutItem", {"TableName": "no-such-table", "Item": {"pk": {"S": "x"}, "sk": {"N": "1"}}}),
    ("GetItem", {"TableName": TABLE, "Key": {"pk": {"S": "user#1"}, "sk": {"N": "1"}}}),
    ("GetItem", {"TableName": TABLE, "Key": {"pk": {"S": "user#1"}, "sk": {"N": "1"}}, "ConsistentRead": True}),
    ("GetItem", {"TableName": TABLE, "Key": {"pk": {"S": "user#1"}, "sk": {"N": "1"}},
                 "ProjectionExpression": "#n, m.l[2], ss, big", "ExpressionAttributeNames": {"#n": "name"}}),
    ("GetItem", {"TableName": TABLE, "Key": {"pk": {"S": "user#1"}, "sk": {"N": "1"}},
                 "ReturnConsumedCapacity": "TOTAL"}),
    ("GetItem", {"TableName": TABLE, "Key": {"pk": {"S": "user#9"}, "sk": {"N": "1"}}}),
    ("GetItem", {"TableName": TABLE, "Key": {"pk": {"S": "user#9"}, "sk": {"N": "1"}},
                 "ReturnConsumedCapacity": "TOTAL"}),
    ("UpdateItem", {"TableName": TABLE, "Key": {"pk": {"S": "user#1"}, "sk": {"N": "3"}},
                    "UpdateExpression": "SET v = :v ADD #c :one", "ExpressionAttributeNames": {"#c": "count"},
                    "ExpressionAttributeValues": {":v": {"S": "updated"}, ":one": {"N": "1"}}}),
    ("UpdateItem", {"TableName": TABLE, "Key": {"pk": {"S": "user#1"}, "sk": {"N": "3"}},
                    "UpdateExpression": "SET l = list_append(if_not_exists(l, :empty), :l) ADD #c :one",
                    "ExpressionAttributeNames": {"#c": "count"},
                    "ExpressionAttributeValues": {":l": {"L": [{"N": "1"}, {"S": "a"}]}, ":empty": {"L": []},
                                                  ":one": {"N": "1.5"}},
                    "ReturnValues": "ALL_NEW"}),
    ("UpdateItem", {"TableName": TABLE, "Key": {"pk": {"S": "user#1"}, "sk": {"N": "3"}},
                    "UpdateExpression": "REMOVE v SET w = :w", "ExpressionAttributeValues": {":w": {"NS": ["1", "2"]}},
                    "ReturnValues": "UPDATED_OLD"}),
    ("UpdateItem", {"TableName": TABLE, "Key": {"pk": {"S": "user#1"}, "sk": {"N": "3"}},
                    "UpdateExpression": "ADD w :w DELETE ss2 :s", "ExpressionAttributeValues": {
                        ":w": {"NS": ["3"]}, ":s": {"SS": ["x"]}},
                    "ReturnValues": "UPDATED_NEW", "ReturnConsumedCapacity": "TOTAL"}),
    ("UpdateItem", {"TableName": TABLE, "Key": {"pk": {"S": "user#1"}, "sk": {"N": "4"}},
                    "UpdateExpression": "SET m = :m", "ExpressionAttributeValues": {
                        ":m": {"M": {"k": {"S": "\u00e9"}, "n": {"N": "10E2"}}}},
                    "ReturnValues": "ALL_OLD"}),
    ("UpdateItem", {"TableName": TABLE, "Key": {"pk": {"S": "user#1"}, "sk": {"N": "4"}},
                    "UpdateExpression": "SET m.k = :k", "ConditionExpression": "m.n > :big",
                    "ExpressionAttributeValues": {":k": {"S": "no"}, ":big": {"N": "5000"}}}),
    ("UpdateItem", {"TableName": TABLE, "Key": {"pk": {"S": "user#1"}, "sk": {"N": "4"}},
                    "UpdateExpression": "SET m.k = :k", "ReturnValues": "ALL_NEW",
                    "ExpressionAttributeValues": {":k": {"BOOL": True}}}),
    ("UpdateItem", {"TableName": TABLE, "Key": {"pk": {"S": "user#1"}, "sk": {"N": "4"}},
                    "UpdateExpression": "SET #a = :a", "ExpressionAttributeValues": {":a": {"S": "x"}}}),
    ("Query", {"TableName": TABLE, "KeyConditionExpression": "pk = :p",
               "ExpressionAttributeValues": {":p": {"S": "user#1"}}}),
    ("Query", {"TableName": TABLE, "KeyConditionExpression": "pk = :p AND sk BETWEEN :a AND :b",
               "ExpressionAttributeValues": {":p": {"S": "user#1"}, ":a": {"N": "2"}, ":b": {"N": "4"}},
               "ScanIndexForward": False, "Limit": 2, "ReturnConsumedCapacity": "TOTAL"}),
    ("Query", {"TableName": TABLE, "KeyConditionExpression": "pk = :p",
               "ExclusiveStartKey": {"pk": {"S": "user#1"}, "sk": {"N": "2"}},
               "FilterExpression": "attribute_exists(#c) OR size(#n) > :z",
               "ExpressionAttributeNames": {"#c": "count", "#n": "name"},
               "ExpressionAttributeValues": {":p": {"S": "user#1"}, ":z": {"N": "0"}},
               "ProjectionExpression": "sk, #c, l[1]"}),
    ("Query", {"TableName": TABLE, "KeyConditionExpression": "pk = :p", "Select": "COUNT",
               "ExpressionAttributeValues": {":p": {"S": "user#1"}}}),
    ("Query", {"TableName": TABLE, "KeyConditionExpression": "pk = :p",
               "ExpressionAttributeValues": {":p": {"S": "nobody"}}}),
    ("Query", {"TableName": TABLE, "KeyConditionExpression": "sk = :p",
               "ExpressionAttributeValues": {":p": {"N": "1"}}}),
]


def call(server, operation, payload):
    body = json.dumps(payload).encode()
    request = sign(server.endpoint, "dynamodb", body=body, headers={
        "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": f"DynamoDB_20120810.{operation}"})
    status, headers, answer = send(server.endpoint, headers=dict(request.headers), body=body)
    error_type = next((v for k, v in headers.items() if k.lower() == "x-amzn-errortype"), "")
    return {"status": status, "errorType": error_type, "body": answer.decode("utf-8")}


@pytest.fixture(scope="module")
def server(kura_factory):
    server = kura_factory()
    ddb = server.client("dynamodb")
    ddb.create_table(TableName=TABLE, BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                           {"AttributeName": "sk", "AttributeType": "N"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}])
    ddb.get_waiter("table_exists").wait(TableName=TABLE)
    return server


def test_answers_are_the_recorded_bytes(server):
    answers = [call(server, operation, payload) for operation, payload in REQUESTS]
    if os.environ.get("KURA_GOLDEN_WRITE"):
        os.makedirs(os.path.dirname(GOLDEN), exist_ok=True)
        with open(GOLDEN, "w", encoding="utf-8") as f:
            json.dump([{"operation": op, **answer} for (op, _), answer in zip(REQUESTS, answers)], f, indent=1,
                      ensure_ascii=False)
            f.write("\n")
        pytest.skip("answers recorded")
    with open(GOLDEN, encoding="utf-8") as f:
        golden = json.load(f)
    assert len(golden) == len(REQUESTS)
    for index, ((operation, _), answer, expected) in enumerate(zip(REQUESTS, answers, golden)):
        assert expected["operation"] == operation
        assert (answer["status"], answer["errorType"]) == (expected["status"], expected["errorType"]), \
            f"request {index} ({operation})"
        assert answer["body"] == expected["body"], f"request {index} ({operation}): the answer's bytes changed"


def test_answers_are_read_back(server):
    """What the golden answers show is what the table holds, read back
    through boto3 (so that the recorded bytes are not recorded errors)."""
    ddb = server.client("dynamodb")
    item = ddb.get_item(TableName=TABLE, Key={"pk": {"S": "user#1"}, "sk": {"N": "1"}}, ConsistentRead=True)["Item"]
    assert item["name"] == ITEM["name"] and item["big"] == ITEM["big"] and item["m"] == ITEM["m"]
    updated = ddb.get_item(TableName=TABLE, Key={"pk": {"S": "user#1"}, "sk": {"N": "3"}})["Item"]
    assert updated["count"] == {"N": "2.5"} and "v" not in updated
    assert sorted(updated["w"]["NS"], key=float) == ["1", "2", "3"]
    assert ddb.query(TableName=TABLE, KeyConditionExpression="pk = :p",
                     ExpressionAttributeValues={":p": {"S": "user#1"}}, Select="COUNT")["Count"] == 4
