"""DynamoDB's legacy parameters, as older SDKs and mappers send them:
KeyConditions, QueryFilter, ScanFilter, Expected (with ConditionalOperator),
AttributeUpdates and AttributesToGet, read back through both forms."""
import botocore.exceptions
import pytest


def code_of(call, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call(**kwargs)
    return info.value.response["Error"]["Code"], info.value.response["Error"]["Message"]


def test_legacy_parameters(kura):
    ddb = kura.client("dynamodb")
    ddb.create_table(TableName="legacy", BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                           {"AttributeName": "sk", "AttributeType": "N"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}])
    for i in range(5):
        ddb.put_item(TableName="legacy", Item={"pk": {"S": "a"}, "sk": {"N": str(i)}, "color": {"S": "red" if i % 2 else "blue"}},
                     Expected={"pk": {"Exists": False}})
    assert code_of(ddb.put_item, TableName="legacy", Item={"pk": {"S": "a"}, "sk": {"N": "1"}},
                   Expected={"pk": {"Exists": False}})[0] == "ConditionalCheckFailedException"
    page = ddb.query(TableName="legacy", KeyConditions={
        "pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "a"}]},
        "sk": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "1"}, {"N": "3"}]}},
        QueryFilter={"color": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "red"}]}},
        AttributesToGet=["sk"])
    assert page["Items"] == [{"sk": {"N": "1"}}, {"sk": {"N": "3"}}] and page["ScannedCount"] == 3
    scanned = ddb.scan(TableName="legacy", ConditionalOperator="OR", ScanFilter={
        "sk": {"ComparisonOperator": "LT", "AttributeValueList": [{"N": "1"}]},
        "color": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [{"S": "re"}]}})
    assert sorted(int(i["sk"]["N"]) for i in scanned["Items"]) == [0, 1, 3]
    ddb.update_item(TableName="legacy", Key={"pk": {"S": "a"}, "sk": {"N": "0"}},
                    AttributeUpdates={"color": {"Action": "PUT", "Value": {"S": "green"}},
                                      "hits": {"Action": "ADD", "Value": {"N": "2"}}},
                    Expected={"color": {"Value": {"S": "blue"}}})
    item = ddb.get_item(TableName="legacy", Key={"pk": {"S": "a"}, "sk": {"N": "0"}}, AttributesToGet=["color", "hits"])
    assert item["Item"] == {"color": {"S": "green"}, "hits": {"N": "2"}}
    ddb.update_item(TableName="legacy", Key={"pk": {"S": "a"}, "sk": {"N": "0"}},
                    AttributeUpdates={"hits": {"Action": "DELETE"}})
    assert "hits" not in ddb.get_item(TableName="legacy", Key={"pk": {"S": "a"}, "sk": {"N": "0"}})["Item"]
    assert code_of(ddb.delete_item, TableName="legacy", Key={"pk": {"S": "a"}, "sk": {"N": "0"}},
                   Expected={"color": {"ComparisonOperator": "IN",
                                       "AttributeValueList": [{"S": "red"}, {"S": "blue"}]}})[0] == \
        "ConditionalCheckFailedException"
    code, message = code_of(ddb.query, TableName="legacy", KeyConditionExpression="pk = :p",
                            ExpressionAttributeValues={":p": {"S": "a"}},
                            QueryFilter={"color": {"ComparisonOperator": "NOT_NULL"}})
    assert code == "ValidationException" and "Can not use both expression and non-expression parameters" in message
