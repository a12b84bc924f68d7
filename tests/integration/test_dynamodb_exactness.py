"""DynamoDB's exact answers in the corners: each row of ERRORS is a request
DynamoDB refuses, with the error code and message it answers (from the
DynamoDB developer guide and API reference, and where those are silent the
messages dynalite and moto took from the service); the tests after it read
back what requests DynamoDB accepts do. One server for the module."""
import boto3
import botocore.config
import botocore.exceptions
import pytest

V = "ValidationException"
INVALID_NAME = ("1 validation error detected: Value '{}' at 'tableName' failed to satisfy constraint: Member must "
                "satisfy regular expression pattern: [a-zA-Z0-9_.-]+")


def nested_map(depth):
    value = {"S": "leaf"}
    for _ in range(depth):
        value = {"M": {"m": value}}
    return value


# (operation, request, error code, message)
ERRORS = [
    # Reserved words named without a #alias, in each kind of expression.
    ("UpdateItem", {"TableName": "plain", "Key": {"pk": {"S": "a"}}, "UpdateExpression": "SET status = :v",
                    "ExpressionAttributeValues": {":v": {"S": "x"}}},
     V, "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: status"),
    ("PutItem", {"TableName": "plain", "Item": {"pk": {"S": "a"}}, "ConditionExpression": "attribute_exists(Data)"},
     V, "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: Data"),
    ("GetItem", {"TableName": "plain", "Key": {"pk": {"S": "a"}}, "ProjectionExpression": "pk, count"},
     V, "Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: count"),
    ("Scan", {"TableName": "plain", "FilterExpression": "#n = :v AND year > :v",
              "ExpressionAttributeNames": {"#n": "name"}, "ExpressionAttributeValues": {":v": {"N": "1"}}},
     V, "Invalid FilterExpression: Attribute name is a reserved keyword; reserved keyword: year"),
    # Syntax errors name the expression, the token and what is around it.
    ("PutItem", {"TableName": "plain", "Item": {"pk": {"S": "a"}}, "ConditionExpression": "a x b"},
     V, 'Invalid ConditionExpression: Syntax error; token: "x", near: "a x b"'),
    ("UpdateItem", {"TableName": "plain", "Key": {"pk": {"S": "a"}}, "UpdateExpression": "SET _123 = :v",
                    "ExpressionAttributeValues": {":v": {"S": "x"}}},
     V, 'Invalid UpdateExpression: Syntax error; token: "_", near: "SET _123"'),
    ("Scan", {"TableName": "plain", "FilterExpression": "a ="},
     V, 'Invalid FilterExpression: Syntax error; token: "<EOF>", near: "="'),
    ("Query", {"TableName": "sorted", "KeyConditionExpression": "pk = :v AND AND",
               "ExpressionAttributeValues": {":v": {"S": "a"}}},
     V, 'Invalid KeyConditionExpression: Syntax error; token: "AND", near: "AND AND"'),
    ("GetItem", {"TableName": "plain", "Key": {"pk": {"S": "a"}}, "ProjectionExpression": "a,,b"},
     V, 'Invalid ProjectionExpression: Syntax error; token: ",", near: ",,b"'),
    ("PutItem", {"TableName": "plain", "Item": {"pk": {"S": "a"}}, "ConditionExpression": ""},
     V, "Invalid ConditionExpression: The expression can not be empty;"),
    ("PutItem", {"TableName": "plain", "Item": {"pk": {"S": "a"}}, "ConditionExpression": "a" + " " * 4095 + "= b"},
     V, "Invalid ConditionExpression: Expression size has exceeded the maximum allowed size; expression size: 4099"),
    ("PutItem", {"TableName": "plain", "Item": {"pk": {"S": "a"}}, "ConditionExpression": "((a = b))"},
     V, "Invalid ConditionExpression: The expression has redundant parentheses;"),
    ("Scan", {"TableName": "plain", "FilterExpression": "a = :v AND b > ((c))", "ExpressionAttributeValues": {":v": {"N": "1"}}},
     V, "Invalid FilterExpression: The expression has redundant parentheses;"),
    ("Scan", {"TableName": "plain", "FilterExpression": "attribute_not_exists(a) > b"},
     V, "Invalid FilterExpression: The function is not allowed to be used this way in an expression; function: "
        "attribute_not_exists"),
    ("Scan", {"TableName": "plain", "FilterExpression": "size(size(a)) > b"},
     V, "Invalid FilterExpression: Incorrect operand type for operator or function; operator or function: size, "
        "operand type: N"),
    ("Scan", {"TableName": "plain", "FilterExpression": "a = a AND #a = b AND :nope > a", "ExpressionAttributeNames": {"#a": "a"}},
     V, "Invalid FilterExpression: The first operand must be distinct from the remaining operands for this operator or "
        "function; operator: =, first operand: [a]"),
    ("Scan", {"TableName": "plain", "FilterExpression": "attribute_exists(:v) AND a = a",
              "ExpressionAttributeValues": {":v": {"S": "1"}}},
     V, "Invalid FilterExpression: Operator or function requires a document path; operator or function: "
        "attribute_exists"),
    ("PutItem", {"TableName": "plain", "Item": {"pk": {"S": "a"}}, "ConditionExpression": "foo(a)"},
     V, "Invalid ConditionExpression: Invalid function name; function: foo"),
    ("PutItem", {"TableName": "plain", "Item": {"pk": {"S": "a"}}, "ConditionExpression": "a = size(b) AND contains(a)"},
     V, "Invalid ConditionExpression: Incorrect number of operands for operator or function; operator or function: "
        "contains, number of operands: 1"),
    ("PutItem", {"TableName": "plain", "Item": {"pk": {"S": "a"}}, "ConditionExpression": "#x = b"},
     V, "Invalid ConditionExpression: An expression attribute name used in the document path is not defined; "
        "attribute name: #x"),
    ("PutItem", {"TableName": "plain", "Item": {"pk": {"S": "a"}}, "ConditionExpression": "a = :nope"},
     V, "Invalid ConditionExpression: An expression attribute value used in expression is not defined; "
        "attribute value: :nope"),
    ("PutItem", {"TableName": "plain", "Item": {"pk": {"S": "a"}}, "ConditionExpression": "a BETWEEN :hi AND :lo",
                 "ExpressionAttributeValues": {":hi": {"N": "5"}, ":lo": {"N": "1"}}},
     V, "Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower "
        "bound; lower bound operand: AttributeValue: {N:5}, upper bound operand: AttributeValue: {N:1}"),
    ("PutItem", {"TableName": "plain", "Item": {"pk": {"S": "a"}}, "ConditionExpression": "begins_with(a, :n)",
                 "ExpressionAttributeValues": {":n": {"N": "5"}}},
     V, "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: "
        "begins_with, operand type: N"),
    ("PutItem", {"TableName": "plain", "Item": {"pk": {"S": "a"}}, "ConditionExpression": "attribute_type(a, :t)",
                 "ExpressionAttributeValues": {":t": {"S": "STRING"}}},
     V, "Invalid ConditionExpression: Invalid attribute type name found; type: STRING, valid types: "
        "{B,NULL,SS,BOOL,L,BS,N,NS,S,M}"),
    ("UpdateItem", {"TableName": "plain", "Key": {"pk": {"S": "a"}}, "UpdateExpression": "SET a = b + :s",
                    "ExpressionAttributeValues": {":s": {"S": "x"}}},
     V, "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: +, "
        "operand type: S"),
    ("UpdateItem", {"TableName": "plain", "Key": {"pk": {"S": "a"}}, "UpdateExpression": "SET a = :v SET b = :v",
                    "ExpressionAttributeValues": {":v": {"S": "x"}}},
     V, 'Invalid UpdateExpression: The "SET" section can only be used once in an update expression;'),
    ("UpdateItem", {"TableName": "plain", "Key": {"pk": {"S": "a"}}, "UpdateExpression": "SET a = :v SET abort = :v",
                    "ExpressionAttributeValues": {":v": {"S": "x"}}},
     V, "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: abort"),
    ("UpdateItem", {"TableName": "plain", "Key": {"pk": {"S": "a"}}, "UpdateExpression": "SET a.b = :v REMOVE a",
                    "ExpressionAttributeValues": {":v": {"S": "x"}}},
     V, "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these "
        "paths; path one: [a, b], path two: [a]"),
    ("UpdateItem", {"TableName": "plain", "Key": {"pk": {"S": "filled"}}, "UpdateExpression": "ADD a :s",
                    "ExpressionAttributeValues": {":s": {"S": "x"}}},
     V, "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: "
        "STRING"),
    ("UpdateItem", {"TableName": "plain", "Key": {"pk": {"S": "filled"}}, "UpdateExpression": "REMOVE gone.b"},
     V, "The document path provided in the update expression is invalid for update"),
    ("PutItem", {"TableName": "plain", "Item": {"pk": {"S": "a"}}, "ConditionExpression": "a.b = a.b"},
     V, "Invalid ConditionExpression: The first operand must be distinct from the remaining operands for this "
        "operator or function; operator: =, first operand: [a, b]"),
    # The placeholders' maps.
    ("PutItem", {"TableName": "plain", "Item": {"pk": {"S": "a"}}, "ConditionExpression": "a = :v",
                 "ExpressionAttributeValues": {":v": {"S": "x"}, ":x": {"S": "y"}}},
     V, "Value provided in ExpressionAttributeValues unused in expressions: keys: {:x}"),
    ("PutItem", {"TableName": "plain", "Item": {"pk": {"S": "a"}}, "ConditionExpression": "a = b",
                 "ExpressionAttributeNames": {"#n": "a"}},
     V, "Value provided in ExpressionAttributeNames unused in expressions: keys: {#n}"),
    ("PutItem", {"TableName": "plain", "Item": {"pk": {"S": "a"}}, "ConditionExpression": "a = b",
                 "ExpressionAttributeValues": {}},
     V, "ExpressionAttributeValues must not be empty"),
    ("PutItem", {"TableName": "plain", "Item": {"pk": {"S": "a"}}, "ConditionExpression": "a = b",
                 "ExpressionAttributeNames": {"name": "a"}},
     V, 'ExpressionAttributeNames contains invalid key: Syntax error; key: "name"'),
    ("PutItem", {"TableName": "plain", "Item": {"pk": {"S": "a"}}, "ConditionExpression": "a = :v",
                 "ExpressionAttributeValues": {":v": {"N": "x1"}}},
     V, "ExpressionAttributeValues contains invalid value: The parameter cannot be converted to a numeric value: x1 "
        "for key :v"),
    ("GetItem", {"TableName": "plain", "Key": {"pk": {"S": "a"}}, "ExpressionAttributeNames": {"#a": "a"}},
     V, "ExpressionAttributeNames can only be specified when using expressions"),
    ("UpdateItem", {"TableName": "plain", "Key": {"pk": {"S": "a"}}, "ExpressionAttributeValues": {":a": {"S": "a"}}},
     V, "ExpressionAttributeValues can only be specified when using expressions: UpdateExpression and "
        "ConditionExpression are null"),
    ("Scan", {"TableName": "plain", "FilterExpression": "a = :v", "ScanFilter": {}, "ExpressionAttributeValues": {":v": {"S": "a"}}},
     V, "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: "
        "{ScanFilter} Expression parameters: {FilterExpression}"),
    ("Scan", {"TableName": "plain", "ScanFilter": {"a": {"ComparisonOperator": "LT", "AttributeValueList": [{"BOOL": True}]}}},
     V, "One or more parameter values were invalid: ComparisonOperator LT is not valid for BOOL AttributeValue type"),
    ("Scan", {"TableName": "plain", "ScanFilter": {"a": {"ComparisonOperator": "BETWEEN",
                                                         "AttributeValueList": [{"N": "2"}, {"N": "1"}]}}},
     V, "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound"),
    # Checked before the table is looked up: a missing table does not hide them.
    ("GetItem", {"TableName": "nosuchtable", "Key": {"pk": {"N": "1e200"}}},
     V, "Number overflow. Attempting to store a number with magnitude larger than supported range"),
    ("Query", {"TableName": "nosuchtable", "KeyConditionExpression": "pk = :v OR pk = :v",
               "ExpressionAttributeValues": {":v": {"S": "a"}}},
     V, "Invalid operator used in KeyConditionExpression: OR"),
    ("Scan", {"TableName": "nosuchtable", "Segment": 1, "TotalSegments": 1},
     V, "The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: 1 is not less "
        "than TotalSegments: 1"),
    ("DescribeTable", {"TableName": "nosuchtable"}, "ResourceNotFoundException",
     "Requested resource not found: Table: nosuchtable not found"),
    # Key conditions.
    ("Query", {"TableName": "sorted", "KeyConditionExpression": "pk = :v OR pk = :w",
               "ExpressionAttributeValues": {":v": {"S": "a"}, ":w": {"S": "b"}}},
     V, "Invalid operator used in KeyConditionExpression: OR"),
    ("Query", {"TableName": "sorted", "KeyConditionExpression": "pk = :n",
               "ExpressionAttributeValues": {":n": {"N": "1"}}},
     V, "One or more parameter values were invalid: Condition parameter type does not match schema type"),
    ("Query", {"TableName": "sorted", "KeyConditionExpression": "sk = :v",
               "ExpressionAttributeValues": {":v": {"S": "a"}}},
     V, "Query condition missed key schema element: pk"),
    ("Query", {"TableName": "sorted", "KeyConditionExpression": "pk = :v AND pk = :v",
               "ExpressionAttributeValues": {":v": {"S": "a"}}},
     V, "KeyConditionExpressions must only contain one condition per key"),
    ("Query", {"TableName": "sorted", "KeyConditionExpression": "pk > :v",
               "ExpressionAttributeValues": {":v": {"S": "a"}}},
     V, "Query key condition not supported"),
    ("Query", {"TableName": "sorted", "KeyConditionExpression": "pk = :v AND size(sk) > :n",
               "ExpressionAttributeValues": {":v": {"S": "a"}, ":n": {"N": "1"}}},
     V, "KeyConditionExpressions cannot contain nested operations"),
    ("Query", {"TableName": "sorted", "KeyConditionExpression": "pk = :v",
               "ExpressionAttributeValues": {":v": {"S": "a"}}, "ExclusiveStartKey": {"x": {"S": "a"}}},
     V, "The provided starting key is invalid"),
    ("Query", {"TableName": "sorted", "KeyConditionExpression": "pk = :v",
               "ExpressionAttributeValues": {":v": {"S": "a"}}, "ExclusiveStartKey": {"pk": {"S": "a"}, "sk": {"N": "1"}}},
     V, "The provided key element does not match the schema"),
    ("Query", {"TableName": "sorted", "KeyConditionExpression": "pk = :v",
               "ExpressionAttributeValues": {":v": {"S": "a"}}, "ExclusiveStartKey": {"pk": {"S": "a"}, "sk": {"S": ""}}},
     V, "The provided starting key is invalid: One or more parameter values were invalid: The AttributeValue for a "
        "key attribute cannot contain an empty string value. Key: sk"),
    ("GetItem", {"TableName": "plain", "Key": {"pk": {"S": ""}}},
     V, "One or more parameter values were invalid: The AttributeValue for a key attribute cannot contain an empty "
        "string value. Key: pk"),
    ("PutItem", {"TableName": "plain", "Item": {"pk": {"S": ""}}},
     V, "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty "
        "string value. Key: pk"),
    ("GetItem", {"TableName": "plain", "Key": {"pk": {"S": "a"}}, "ProjectionExpression": "a",
                 "ExpressionAttributeNames": {"#a": "a", "#b": "b"}},
     V, "Value provided in ExpressionAttributeNames unused in expressions: keys: {#a, #b}"),
    ("UpdateItem", {"TableName": "plain", "Key": {"pk": {"S": "filled"}}, "UpdateExpression": "SET c = nothing"},
     V, "The provided expression refers to an attribute that does not exist in the item"),
    ("BatchGetItem", {"RequestItems": {"nosuchtable": {"Keys": [{"pk": {"S": "a"}}, {"pk": {"S": "a"}}]}}},
     V, "Provided list of item keys contains duplicates"),
    ("Query", {"TableName": "local", "IndexName": "by_other", "KeyConditionExpression": "pk = :v",
               "ExpressionAttributeValues": {":v": {"S": "a"}}, "ExclusiveStartKey": {"pk": {"S": "a"}, "sk": {"S": "1"}}},
     V, "The provided starting key is invalid"),
    ("Query", {"TableName": "local", "IndexName": "by_other", "KeyConditionExpression": "pk = :v",
               "ExpressionAttributeValues": {":v": {"S": "a"}},
               "ExclusiveStartKey": {"pk": {"S": "a"}, "sk": {"S": "1"}, "other": {"N": "1"}}},
     V, "The provided key element does not match the schema"),
    ("UpdateItem", {"TableName": "plain", "Key": {"pk": {"S": "a"}}, "UpdateExpression": "DELETE a :v",
                    "ExpressionAttributeValues": {":v": {"N": "1"}}},
     V, "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: DELETE, operand type: "
        "NUMBER"),
    ("PutItem", {"TableName": "plain", "Item": {"pk": {"S": "a"}},
                 "Expected": {"a": {"Value": {"S": "a"}, "AttributeValueList": [{"S": "a"}]}}},
     V, "One or more parameter values were invalid: Value and AttributeValueList cannot be used together for "
        "Attribute: a"),
    ("PutItem", {"TableName": "plain", "Item": {"pk": {"S": "a"}}, "Expected": {"a": {}}},
     V, "One or more parameter values were invalid: Value must be provided when Exists is null for Attribute: a"),
    ("BatchWriteItem", {"RequestItems": {"plain": [{"PutRequest": {"Item": {"pk": {"N": "1"}}}}]}},
     V, "The provided key element does not match the schema"),
    ("GetItem", {"TableName": "plain", "Key": {"pk": {"S": "a"}}, "ProjectionExpression": "a.b, a[0]"},
     V, "Invalid ProjectionExpression: Two document paths conflict with each other; must remove or rewrite one of "
        "these paths; path one: [a, b], path two: [a, [0]]"),
    ("GetItem", {"TableName": "plain", "Key": {"pk": {"S": "a"}}, "AttributesToGet": ["a", "a"]},
     V, "One or more parameter values were invalid: Duplicate value in attribute name: a"),
    ("GetItem", {"TableName": "plain", "Key": {"pk": {"S": "", "N": "x"}}},
     V, "The parameter cannot be converted to a numeric value: x"),
    ("Query", {"TableName": "sorted", "KeyConditionExpression": "pk = :v",
               "ExpressionAttributeValues": {":v": {"S": "a"}},
               "ExclusiveStartKey": {"pk": {"S": "b"}, "sk": {"S": "a"}}},
     V, "The provided starting key is outside query boundaries based on provided conditions"),
    ("Query", {"TableName": "sorted", "KeyConditions": {"sk": {"ComparisonOperator": "NULL"}}},
     V, "Query condition missed key schema element: pk"),
    ("Query", {"TableName": "sorted", "KeyConditions": {"pk": {"ComparisonOperator": "NULL"}}},
     V, "Attempted conditional constraint is not an indexable operation"),
    ("Query", {"TableName": "sorted", "KeyConditionExpression": "pk = :v", "FilterExpression": "sk > :v",
               "ExpressionAttributeValues": {":v": {"S": "a"}}},
     V, "Filter Expression can only contain non-primary key attributes: Primary key attribute: sk"),
    ("GetItem", {"TableName": "plain", "Key": {"pk": {"S": "a"}}, "ProjectionExpression": "pk.x"},
     V, "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: Key: pk"),
    ("Scan", {"TableName": "local", "FilterExpression": "attribute_exists(#o[0])", "ExpressionAttributeNames": {"#o": "other"}},
     V, "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: IndexKey: other"),
    ("Query", {"TableName": "sorted", "KeyConditionExpression": "pk = :v AND sk > :v",
               "ExpressionAttributeValues": {":v": {"S": "b"}}, "ExclusiveStartKey": {"pk": {"S": "b"}, "sk": {"S": "a"}}},
     V, "The provided starting key does not match the range key predicate"),
    ("UpdateItem", {"TableName": "plain", "Key": {"pk": {"S": "a"}}, "AttributeUpdates": {"a": {"Action": "DELETE", "Value": {"S": "1"}}}},
     V, "One or more parameter values were invalid: DELETE action with value is not supported for the type S"),
    ("UpdateItem", {"TableName": "plain", "Key": {"pk": {"S": "a"}}, "AttributeUpdates": {"a": {"Action": "ADD", "Value": {"B": "Yg=="}}}},
     V, "One or more parameter values were invalid: ADD action is not supported for the type B"),
    ("Query", {"TableName": "sorted", "KeyConditionExpression": "zz = :v", "ExpressionAttributeValues": {":v": {"S": "a"}},
               "ExclusiveStartKey": {"pk": {"S": "a"}, "x": {"S": "a"}}},
     V, "Query condition missed key schema element: pk"),
    # Table names.
    ("DescribeTable", {"TableName": "bad name!"}, V, INVALID_NAME.format("bad name!")),
    ("PutItem", {"TableName": "tab\u00e9", "Item": {"pk": {"S": "a"}}}, V, INVALID_NAME.format("tab\u00e9")),
    ("CreateTable", {"TableName": "has/slash", "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                     "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}], "BillingMode": "PAY_PER_REQUEST"},
     V, INVALID_NAME.format("has/slash")),
    # A table operation checks its TableName before the model, in words of its own (dynalite's recordings).
    ("DescribeTable", {"TableName": "ab"}, V,
     "TableName must be at least 3 characters long and at most 255 characters long"),
    ("DeleteTable", {"TableName": "a" * 256}, V,
     "TableName must be at least 3 characters long and at most 255 characters long"),
    ("DescribeTimeToLive", {}, V, "The parameter 'TableName' is required but was not present in the request"),
    # The other operations check it with the model's pattern and length, both named, the value quoted whole.
    ("DeleteItem", {"TableName": "a;", "Key": {"pk": {"S": "a"}}}, V,
     "2 validation errors detected: Value 'a;' at 'tableName' failed to satisfy constraint: Member must satisfy "
     "regular expression pattern: [a-zA-Z0-9_.-]+; Value 'a;' at 'tableName' failed to satisfy constraint: Member "
     "must have length greater than or equal to 3"),
    ("GetItem", {"TableName": "a" * 256, "Key": {"pk": {"S": "a"}}}, V,
     "1 validation error detected: Value '" + "a" * 256 + "' at 'tableName' failed to satisfy constraint: Member "
     "must have length less than or equal to 255"),
    ("CreateTable", {"TableName": "newt", "BillingMode": "PAY_PER_REQUEST",
                     "AttributeDefinitions": [{"AttributeName": n, "AttributeType": "S"} for n in ("a", "b")],
                     "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}],
                     "GlobalSecondaryIndexes": [{"IndexName": "by b!", "KeySchema": [{"AttributeName": "b", "KeyType": "HASH"}],
                                                 "Projection": {"ProjectionType": "ALL"}}]},
     V, "1 validation error detected: Value 'by b!' at 'globalSecondaryIndexes.1.member.indexName' failed to "
        "satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"),
    ("Query", {"TableName": "local", "IndexName": "no;", "KeyConditionExpression": "pk = :v",
               "ExpressionAttributeValues": {":v": {"S": "a"}}},
     V, "1 validation error detected: Value 'no;' at 'indexName' failed to satisfy constraint: Member must satisfy "
        "regular expression pattern: [a-zA-Z0-9_.-]+"),
    # A map's keys are checked together, its values named "<map>.<key>.member".
    ("BatchGetItem", {"RequestItems": {"a": {"Keys": [{"pk": {"S": "a"}}]}}}, V,
     "1 validation error detected: Value '{\"a\":{\"Keys\":[{\"pk\":{\"S\":\"a\"}}]}}' at 'requestItems' failed "
     "to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 255, "
     "Member must have length greater than or equal to 3, Member must satisfy regular expression pattern: "
     "[a-zA-Z0-9_.-]+]"),
    ("BatchGetItem", {"RequestItems": {"plain": {"Keys": []}}}, V,
     "1 validation error detected: Value '[]' at 'requestItems.plain.member.keys' failed to satisfy constraint: "
     "Member must have length greater than or equal to 1"),
    # Enum values listed in DynamoDB's order, not the model's.
    ("CreateTable", {"TableName": "newt", "AttributeDefinitions": [{"AttributeName": "a", "AttributeType": "SS"}],
                     "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}], "BillingMode": "PAY_PER_REQUEST"},
     V, "1 validation error detected: Value 'SS' at 'attributeDefinitions.1.member.attributeType' failed to satisfy "
        "constraint: Member must satisfy enum value set: [B, N, S]"),
    # The tagging calls check their ARN, then their tags, before looking for the table.
    ("TagResource", {"ResourceArn": "a:b:c:d:e:f/g", "Tags": [{"Key": "k", "Value": "v"}]}, V,
     "Invalid TableArn: Invalid ResourceArn provided as input a:b:c:d:e:f/g"),
    ("ListTagsOfResource", {"ResourceArn": "arn:aws:dynamodb:ap-northeast-1:000000000000:table/ab"}, V,
     "Invalid TableArn: Invalid ResourceArn provided as input arn:aws:dynamodb:ap-northeast-1:000000000000:table/ab"),
    ("UntagResource", {"ResourceArn": "arn:aws:dynamodb:ap-northeast-1:000000000000:table/nothere", "TagKeys": []},
     V, "Atleast one Tag Key needs to be provided as Input."),
    ("TagResource", {"Tags": [{"Key": "k", "Value": "v"}]}, V, "Invalid TableArn"),
    # A legacy QueryFilter on a key is named as such; a path inside a key attribute is the key's.
    ("Query", {"TableName": "sorted", "KeyConditions": {"pk": {"ComparisonOperator": "EQ",
                                                               "AttributeValueList": [{"S": "a"}]}},
               "QueryFilter": {"sk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "a"}]}}},
     V, "QueryFilter can only contain non-primary key attributes: Primary key attribute: sk"),
    ("UpdateItem", {"TableName": "sorted", "Key": {"pk": {"S": "a"}, "sk": {"S": "b"}},
                    "UpdateExpression": "ADD sk.deep :n", "ExpressionAttributeValues": {":n": {"N": "1"}}},
     V, "One or more parameter values were invalid: Cannot update attribute sk. This attribute is part of the key"),
    # UpdateTable's index updates, checked in DynamoDB's order.
    ("UpdateTable", {"TableName": "plain", "GlobalSecondaryIndexUpdates": [{}]}, V,
     "One or more parameter values were invalid: One of GlobalSecondaryIndexUpdate.Update, "
     "GlobalSecondaryIndexUpdate.Create, GlobalSecondaryIndexUpdate.Delete must not be null"),
    ("UpdateTable", {"TableName": "plain", "GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "gone"}},
                                                                           {"Delete": {"IndexName": "gone"}}]}, V,
     "One or more parameter values were invalid: Only one global secondary index update per index is allowed "
     "simultaneously. Index: gone"),
    # BatchGetItem checks a table's expression parameters before a key asked for twice.
    ("BatchGetItem", {"RequestItems": {"plain": {"Keys": [{"pk": {"S": "a"}}, {"pk": {"S": "a"}}],
                                                 "ProjectionExpression": ""}}},
     V, "Invalid ProjectionExpression: The expression can not be empty;"),
    ("BatchGetItem", {"RequestItems": {"plain": {"Keys": [{"pk": {"S": "a"}}], "AttributesToGet": ["a"],
                                                 "ExpressionAttributeNames": {}}}},
     V, "ExpressionAttributeNames can only be specified when using expressions"),
    # A boolean written as a string is read as DynamoDB's JSON reader reads it.
    ("PutItem", {"TableName": "plain", "Item": {"pk": {"S": "a"}, "s": {"NULL": "no"}}},
     V, "One or more parameter values were invalid: Null attribute value types must have the value of true"),
    # CreateTable's schema.
    ("CreateTable", {"TableName": "newt", "AttributeDefinitions": [{"AttributeName": "a", "AttributeType": "S"}],
                     "KeySchema": [{"AttributeName": "a", "KeyType": "RANGE"}], "BillingMode": "PAY_PER_REQUEST"},
     V, "Invalid KeySchema: The first KeySchemaElement is not a HASH key type"),
    ("CreateTable", {"TableName": "newt", "AttributeDefinitions": [{"AttributeName": "a", "AttributeType": "S"}],
                     "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}]},
     V, "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified "
        "when BillingMode is PROVISIONED"),
    ("CreateTable", {"TableName": "newt", "AttributeDefinitions": [{"AttributeName": "a", "AttributeType": "S"}],
                     "KeySchema": [{"AttributeName": "b", "KeyType": "HASH"}], "BillingMode": "PAY_PER_REQUEST"},
     V, "One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. "
        "Keys: [b], AttributeDefinitions: [a]"),
    ("CreateTable", {"TableName": "newt", "BillingMode": "PAY_PER_REQUEST",
                     "AttributeDefinitions": [{"AttributeName": n, "AttributeType": "S"} for n in ("a", "b")],
                     "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}],
                     "GlobalSecondaryIndexes": [{"IndexName": "gsi", "KeySchema": [{"AttributeName": "b", "KeyType": "HASH"}],
                                                 "Projection": {}}]},
     V, "One or more parameter values were invalid: Unknown ProjectionType: null"),
    ("UpdateTable", {"TableName": "plain", "ProvisionedThroughput": {"ReadCapacityUnits": 1000000000001,
                                                                     "WriteCapacityUnits": 1}},
     V, "Given value 1000000000001 for ReadCapacityUnits is out of bounds"),
    # Attribute values.
    ("PutItem", {"TableName": "plain", "Item": {"pk": {"S": "a"}, "n": {"N": "1" * 39}}},
     V, "Attempting to store more than 38 significant digits in a Number"),
    ("PutItem", {"TableName": "plain", "Item": {"pk": {"S": "a"}, "n": {"N": "1e126"}}},
     V, "Number overflow. Attempting to store a number with magnitude larger than supported range"),
    ("PutItem", {"TableName": "plain", "Item": {"pk": {"S": "a"}, "n": {"N": "1e-131"}}},
     V, "Number underflow. Attempting to store a number with magnitude smaller than supported range"),
    ("PutItem", {"TableName": "plain", "Item": {"pk": {"S": "a"}, "n": {"N": "12abc"}}},
     V, "The parameter cannot be converted to a numeric value: 12abc"),
    ("PutItem", {"TableName": "plain", "Item": {"pk": {"S": "a"}, "s": {"SS": []}}},
     V, "One or more parameter values were invalid: An string set  may not be empty"),
    ("PutItem", {"TableName": "plain", "Item": {"pk": {"S": "a"}, "s": {"NS": []}}},
     V, "One or more parameter values were invalid: An number set  may not be empty"),
    ("PutItem", {"TableName": "plain", "Item": {"pk": {"S": "a"}, "s": {"BS": []}}},
     V, "One or more parameter values were invalid: Binary sets should not be empty"),
    ("PutItem", {"TableName": "plain", "Item": {"pk": {"S": "a"}, "s": {"SS": ["x", "x"]}}},
     V, "One or more parameter values were invalid: Input collection [x, x] contains duplicates."),
    ("PutItem", {"TableName": "plain", "Item": {"pk": {"S": "a"}, "s": {"NULL": False}}},
     V, "One or more parameter values were invalid: Null attribute value types must have the value of true"),
    ("PutItem", {"TableName": "plain", "Item": {"pk": {"S": "a"}, "s": {"S": "x", "N": "1"}}},
     V, "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"),
    ("PutItem", {"TableName": "plain", "Item": {"pk": {"S": "a"}, "deep": nested_map(33)}},
     V, "Nesting Levels have exceeded supported limits"),
    # Keys: sizes are bytes (a binary key's decoded bytes).
    ("PutItem", {"TableName": "binary", "Item": {"pk": {"B": b"x" * 2049}}},
     V, "One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes"),
    ("PutItem", {"TableName": "binary", "Item": {"pk": {"B": b""}}},
     V, "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty "
        "binary value. Key: pk"),
    ("BatchGetItem", {"RequestItems": {"plain": {"Keys": [{"pk": {"S": "a"}}], "AttributesToGet": ["a"],
                                                 "ProjectionExpression": "a"}}},
     V, "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: "
        "{AttributesToGet} Expression parameters: {ProjectionExpression}"),
    ("PutItem", {"TableName": "sorted", "Item": {"pk": {"S": "a"}, "sk": {"S": "x" * 1025}}},
     V, "One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of "
        "1024 bytes"),
]


@pytest.fixture(scope="module")
def server(kura_factory):
    return kura_factory()


@pytest.fixture(scope="module")
def raw(server):
    """A client that sends what it is given: the server, not boto3, judges it."""
    config = botocore.config.Config(parameter_validation=False, retries={"max_attempts": 1, "mode": "standard"})
    return boto3.client("dynamodb", endpoint_url=server.endpoint, region_name="ap-northeast-1",
                        aws_access_key_id="test", aws_secret_access_key="test", config=config)


@pytest.fixture(scope="module")
def ddb(raw):
    def table(name, key_type="S", sort=None):
        definitions = [{"AttributeName": "pk", "AttributeType": key_type}]
        schema = [{"AttributeName": "pk", "KeyType": "HASH"}]
        if sort:
            definitions.append({"AttributeName": "sk", "AttributeType": sort})
            schema.append({"AttributeName": "sk", "KeyType": "RANGE"})
        raw.create_table(TableName=name, AttributeDefinitions=definitions, KeySchema=schema,
                         BillingMode="PAY_PER_REQUEST")
    table("plain")
    table("sorted", sort="S")
    table("binary", key_type="B")
    table("binsort", sort="B")
    table("scanned")
    raw.create_table(TableName="local", BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n in ("pk", "sk", "other")],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
                     LocalSecondaryIndexes=[{"IndexName": "by_other", "Projection": {"ProjectionType": "ALL"},
                                             "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                                           {"AttributeName": "other", "KeyType": "RANGE"}]}])
    raw.put_item(TableName="plain", Item={"pk": {"S": "filled"}, "a": {"N": "1"}})
    return raw


def operation_method(operation):
    return "".join("_" + c.lower() if c.isupper() else c for c in operation).lstrip("_")


@pytest.mark.parametrize("operation,request_,code,message", ERRORS,
                         ids=[f"{i}-{row[0]}" for i, row in enumerate(ERRORS)])
def test_refused_as_dynamodb_refuses(ddb, operation, request_, code, message):
    with pytest.raises(botocore.exceptions.ClientError) as info:
        getattr(ddb, operation_method(operation))(**request_)
    error = info.value.response["Error"]
    assert (error["Code"], error["Message"]) == (code, message)


def test_binary_values_are_measured_and_compared_as_bytes(ddb):
    eight = bytes([0, 1, 2, 0xFF, 0xFE, 5, 6, 7])
    ddb.put_item(TableName="plain", Item={"pk": {"S": "bin"}, "b": {"B": eight}, "low": {"B": b"\x01"}})
    def matches(condition, values):
        return ddb.scan(TableName="plain", FilterExpression=condition,
                        ExpressionAttributeValues=values)["Count"]
    assert matches("size(b) = :n", {":n": {"N": "8"}}) == 1
    assert matches("begins_with(b, :p)", {":p": {"B": eight[:4]}}) == 1
    assert matches("begins_with(b, :p)", {":p": {"B": eight[1:5]}}) == 0
    assert matches("contains(b, :p)", {":p": {"B": bytes([0xFF, 0xFE])}}) == 1
    assert matches("contains(b, :p)", {":p": {"B": bytes([0xFE, 0xFF])}}) == 0
    # Unsigned bytes: 0xFF sorts after 0x01.
    assert matches("b > :v", {":v": {"B": b"\x01\xff"}}) == 0
    assert matches("low < :v", {":v": {"B": b"\xff"}}) == 1
    assert matches("low BETWEEN :a AND :z", {":a": {"B": b"\x00"}, ":z": {"B": b"\x80"}}) == 1
    # A binary key of 2,048 bytes is within the limit (its base64 text is longer).
    ddb.put_item(TableName="binary", Item={"pk": {"B": b"k" * 2048}})
    assert ddb.get_item(TableName="binary", Key={"pk": {"B": b"k" * 2048}})["Item"]["pk"]["B"] == b"k" * 2048


def test_legacy_add_of_a_list_appends_to_it(ddb):
    key = {"pk": {"S": "listed"}}
    for values in (["a"], ["b", "c"]):
        ddb.update_item(TableName="plain", Key=key,
                        AttributeUpdates={"l": {"Action": "ADD", "Value": {"L": [{"S": v} for v in values]}}})
    assert ddb.get_item(TableName="plain", Key=key)["Item"]["l"] == {"L": [{"S": "a"}, {"S": "b"}, {"S": "c"}]}


def test_binary_sort_keys_order_as_unsigned_bytes(ddb):
    for sk in [b"\xff", b"\x01", b"\x80\x00", b"\x7f", b"\x80"]:
        ddb.put_item(TableName="binsort", Item={"pk": {"S": "p"}, "sk": {"B": sk}})
    out = ddb.query(TableName="binsort", KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "p"}})
    assert [item["sk"]["B"] for item in out["Items"]] == [b"\x01", b"\x7f", b"\x80", b"\x80\x00", b"\xff"]
    out = ddb.query(TableName="binsort", KeyConditionExpression="pk = :p AND sk BETWEEN :lo AND :hi",
                    ExpressionAttributeValues={":p": {"S": "p"}, ":lo": {"B": b"\x7f"}, ":hi": {"B": b"\x80\x00"}})
    assert [item["sk"]["B"] for item in out["Items"]] == [b"\x7f", b"\x80", b"\x80\x00"]


def test_removing_from_a_missing_item_creates_nothing(ddb):
    ddb.update_item(TableName="plain", Key={"pk": {"S": "ghost"}}, UpdateExpression="REMOVE a")
    ddb.update_item(TableName="plain", Key={"pk": {"S": "ghost"}}, UpdateExpression="REMOVE x.y, z[0]")
    ddb.update_item(TableName="plain", Key={"pk": {"S": "ghost"}}, UpdateExpression="DELETE s :v",
                    ExpressionAttributeValues={":v": {"SS": ["a"]}})
    assert "Item" not in ddb.get_item(TableName="plain", Key={"pk": {"S": "ghost"}}, ConsistentRead=True)
    ddb.transact_write_items(TransactItems=[{"Update": {"TableName": "plain", "Key": {"pk": {"S": "ghost"}},
                                                        "UpdateExpression": "REMOVE a"}}])
    assert "Item" not in ddb.get_item(TableName="plain", Key={"pk": {"S": "ghost"}}, ConsistentRead=True)
    # An update with no actions creates the item with its key alone.
    ddb.update_item(TableName="plain", Key={"pk": {"S": "bare"}})
    assert ddb.get_item(TableName="plain", Key={"pk": {"S": "bare"}})["Item"] == {"pk": {"S": "bare"}}
    # Removing a missing attribute of an existing item is no error.
    ddb.update_item(TableName="plain", Key={"pk": {"S": "bare"}}, UpdateExpression="REMOVE a")


def test_query_continues_after_a_start_key_that_is_no_item(ddb):
    for sk in ["a", "b", "c", "d"]:
        ddb.put_item(TableName="sorted", Item={"pk": {"S": "page"}, "sk": {"S": sk}})
    def keys(forward, start):
        out = ddb.query(TableName="sorted", KeyConditionExpression="pk = :p",
                        ExpressionAttributeValues={":p": {"S": "page"}}, ScanIndexForward=forward,
                        ExclusiveStartKey={"pk": {"S": "page"}, "sk": {"S": start}})
        return [item["sk"]["S"] for item in out["Items"]]
    assert keys(True, "bb") == ["c", "d"]
    assert keys(False, "bb") == ["b", "a"]
    assert keys(True, "b") == ["c", "d"]
    assert keys(True, "zz") == []
    # A key condition with the literal first reads as the same condition.
    out = ddb.query(TableName="sorted", KeyConditionExpression=":p = pk AND :s < sk",
                    ExpressionAttributeValues={":p": {"S": "page"}, ":s": {"S": "b"}})
    assert [item["sk"]["S"] for item in out["Items"]] == ["c", "d"]


def test_parenthesized_operands_read_as_their_operand(ddb):
    ddb.put_item(TableName="plain", Item={"pk": {"S": "paren"}, "n": {"N": "5"}})
    out = ddb.scan(TableName="plain", FilterExpression="(n) BETWEEN (:lo) AND (:hi) AND ((n = :five) OR n = :lo)",
                   ExpressionAttributeValues={":lo": {"N": "1"}, ":hi": {"N": "9"}, ":five": {"N": "5"}})
    assert [item["pk"]["S"] for item in out["Items"]] == ["paren"]


def test_scan_continues_after_a_start_key_that_is_no_item(ddb):
    for pk in ["a", "b", "c", "d"]:
        ddb.put_item(TableName="scanned", Item={"pk": {"S": pk}})
    order = [item["pk"]["S"] for item in ddb.scan(TableName="scanned")["Items"]]
    assert sorted(order) == ["a", "b", "c", "d"]
    for at, key in enumerate(order):
        ddb.delete_item(TableName="scanned", Key={"pk": {"S": key}})  # the start key need not be an item
        rest = ddb.scan(TableName="scanned", ExclusiveStartKey={"pk": {"S": key}})["Items"]
        assert [item["pk"]["S"] for item in rest] == order[at + 1:]
        ddb.put_item(TableName="scanned", Item={"pk": {"S": key}})


def test_comparisons_of_different_types_are_false_not_errors(ddb):
    # A condition comparing an attribute with a value of another type holds
    # for no item; only a key condition's literal is checked against the schema.
    assert ddb.scan(TableName="plain", FilterExpression="a < :s",
                    ExpressionAttributeValues={":s": {"S": "9"}})["Count"] == 0
    with pytest.raises(botocore.exceptions.ClientError) as info:
        ddb.put_item(TableName="plain", Item={"pk": {"S": "filled"}, "a": {"N": "2"}},
                     ConditionExpression="a = :s", ExpressionAttributeValues={":s": {"S": "1"}})
    assert info.value.response["Error"]["Code"] == "ConditionalCheckFailedException"


def test_item_collection_metrics_for_tables_with_local_indexes(ddb):
    metrics = {"ItemCollectionKey": {"pk": {"S": "c"}}, "SizeEstimateRangeGB": [0.0, 1.0]}
    item = {"pk": {"S": "c"}, "sk": {"S": "1"}, "other": {"S": "x"}}
    out = ddb.put_item(TableName="local", Item=item, ReturnItemCollectionMetrics="SIZE")
    assert out["ItemCollectionMetrics"] == metrics
    out = ddb.update_item(TableName="local", Key={"pk": {"S": "c"}, "sk": {"S": "1"}}, UpdateExpression="SET z = :z",
                          ExpressionAttributeValues={":z": {"N": "1"}}, ReturnItemCollectionMetrics="SIZE")
    assert out["ItemCollectionMetrics"] == metrics
    out = ddb.batch_write_item(RequestItems={"local": [{"PutRequest": {"Item": dict(item, sk={"S": "2"})}}]},
                               ReturnItemCollectionMetrics="SIZE")
    assert out["ItemCollectionMetrics"] == {"local": [metrics]}
    out = ddb.delete_item(TableName="local", Key={"pk": {"S": "c"}, "sk": {"S": "1"}}, ReturnItemCollectionMetrics="SIZE")
    assert out["ItemCollectionMetrics"] == metrics
    # Not asked for, or no local index: none.
    assert "ItemCollectionMetrics" not in ddb.put_item(TableName="local", Item=item)
    assert "ItemCollectionMetrics" not in ddb.put_item(TableName="plain", Item={"pk": {"S": "m"}},
                                                       ReturnItemCollectionMetrics="SIZE")


def test_batch_get_item_projects_attributes_to_get(ddb):
    ddb.put_item(TableName="plain", Item={"pk": {"S": "wide"}, "a": {"N": "1"}, "b": {"S": "x"}, "c": {"S": "y"}})
    out = ddb.batch_get_item(RequestItems={"plain": {"Keys": [{"pk": {"S": "wide"}}], "AttributesToGet": ["pk", "b"]}})
    assert out["Responses"]["plain"] == [{"pk": {"S": "wide"}, "b": {"S": "x"}}]


def test_booleans_written_as_strings_are_read_as_dynamodb_reads_them(ddb):
    ddb.put_item(TableName="plain", Item={"pk": {"S": "flags"}, "yes": {"BOOL": "Yes"}, "zero": {"BOOL": "0"},
                                          "nothing": {"NULL": "true"}})
    item = ddb.get_item(TableName="plain", Key={"pk": {"S": "flags"}}, ConsistentRead=True)["Item"]
    assert item["yes"] == {"BOOL": True} and item["zero"] == {"BOOL": False} and item["nothing"] == {"NULL": True}
    with pytest.raises(botocore.exceptions.ClientError) as info:
        ddb.put_item(TableName="plain", Item={"pk": {"S": "flags"}, "b": {"BOOL": "maybe"}})
    assert info.value.response["Error"]["Code"] == "ValidationException"
