"""PartiQL: ExecuteStatement, BatchExecuteStatement and ExecuteTransaction
through boto3 and the AWS CLI, each statement read back through the item API
(and the other way round), with DynamoDB's error for each wrong statement."""
import botocore.exceptions
import pytest


@pytest.fixture(scope="module")
def ddb(kura):
    client = kura.client("dynamodb")
    client.create_table(
        TableName="pql",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "sk", "AttributeType": "N"},
                              {"AttributeName": "city", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[{"IndexName": "by-city",
                                 "KeySchema": [{"AttributeName": "city", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "ALL"}}],
        BillingMode="PAY_PER_REQUEST")
    return client


def run(ddb, statement, *parameters, **extra):
    if parameters:
        extra["Parameters"] = list(parameters)
    return ddb.execute_statement(Statement=statement, **extra)


def error_of(call):
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        call()
    return raised.value.response["Error"]


def test_insert_select_update_delete_round_trip(ddb):
    out = run(ddb, "INSERT INTO pql VALUE {'pk': 'u1', 'sk': 1, 'name': 'Ann', 'tags': <<'a', 'b'>>, "
                   "'n': 5, 'doc': {'x': [1, 'two', TRUE, NULL]}, 'city': 'Oslo'}")
    assert out["Items"] == []
    # The item API sees what the statement wrote, typed as DynamoDB types it.
    item = ddb.get_item(TableName="pql", Key={"pk": {"S": "u1"}, "sk": {"N": "1"}})["Item"]
    assert item["name"] == {"S": "Ann"}
    assert sorted(item["tags"]["SS"]) == ["a", "b"]
    assert item["doc"] == {"M": {"x": {"L": [{"N": "1"}, {"S": "two"}, {"BOOL": True}, {"NULL": True}]}}}
    # And the statement reads what the item API wrote.
    ddb.put_item(TableName="pql", Item={"pk": {"S": "u1"}, "sk": {"N": "2"}, "name": {"S": "Bo"},
                                       "n": {"N": "7"}, "city": {"S": "Rome"}})
    rows = run(ddb, 'SELECT "name", sk FROM "pql" WHERE pk = ? ORDER BY sk DESC', {"S": "u1"})["Items"]
    assert rows == [{"name": {"S": "Bo"}, "sk": {"N": "2"}}, {"name": {"S": "Ann"}, "sk": {"N": "1"}}]

    out = run(ddb, "UPDATE pql SET n = n + 10 SET tags = set_add(tags, <<'c'>>) REMOVE doc "
                   "WHERE pk = 'u1' AND sk = 1 RETURNING ALL NEW *")
    assert out["Items"][0]["n"] == {"N": "15"}
    item = ddb.get_item(TableName="pql", Key={"pk": {"S": "u1"}, "sk": {"N": "1"}}, ConsistentRead=True)["Item"]
    assert item["n"] == {"N": "15"} and sorted(item["tags"]["SS"]) == ["a", "b", "c"] and "doc" not in item

    out = run(ddb, "DELETE FROM pql WHERE pk = ? AND sk = ? RETURNING ALL OLD *", {"S": "u1"}, {"N": "2"})
    assert out["Items"][0]["name"] == {"S": "Bo"}
    assert "Item" not in ddb.get_item(TableName="pql", Key={"pk": {"S": "u1"}, "sk": {"N": "2"}})


def test_where_clauses_filter_as_dynamodb_does(ddb):
    for i in range(10):
        ddb.put_item(TableName="pql", Item={"pk": {"S": "w"}, "sk": {"N": str(i)}, "v": {"N": str(i * i)},
                                           "city": {"S": "Lima" if i % 2 else "Kiev"},
                                           **({"opt": {"S": f"o{i}"}} if i < 3 else {})})

    def sks(statement, *parameters):
        return sorted(int(row["sk"]["N"]) for row in run(ddb, statement, *parameters)["Items"])

    assert sks("SELECT * FROM pql WHERE pk = 'w' AND sk BETWEEN 2 AND 4") == [2, 3, 4]
    assert sks("SELECT * FROM pql WHERE pk = 'w' AND sk > 6 AND v < 64") == [7]
    assert sks("SELECT * FROM pql WHERE pk = 'w' AND (v = 1 OR v = 81)") == [1, 9]
    assert sks("SELECT * FROM pql WHERE pk = 'w' AND v IN [0, 4, 16]") == [0, 2, 4]
    assert sks("SELECT * FROM pql WHERE pk = 'w' AND opt IS MISSING AND NOT sk >= 5") == [3, 4]
    assert sks("SELECT * FROM pql WHERE pk = 'w' AND opt IS NOT MISSING") == [0, 1, 2]
    assert sks("SELECT * FROM pql WHERE pk = 'w' AND begins_with(opt, 'o1')") == [1]
    assert sks("SELECT * FROM pql WHERE pk = 'w' AND sk <> 0 AND v <= ?", {"N": "4"}) == [1, 2]
    # Without the partition key it is a scan; through an index, its keys.
    assert sks("SELECT * FROM pql WHERE v >= 49 AND pk = 'w'") == [7, 8, 9]
    assert sks("SELECT * FROM pql WHERE v > 70") == [9]
    assert sks('SELECT * FROM "pql"."by-city" WHERE city = \'Kiev\' AND pk = \'w\'') == [0, 2, 4, 6, 8]
    # Limit and NextToken page through every row once.
    seen, token = [], None
    while True:
        extra = {"Limit": 3, **({"NextToken": token} if token else {})}
        page = run(ddb, "SELECT sk FROM pql WHERE pk = 'w'", **extra)
        seen += [int(row["sk"]["N"]) for row in page["Items"]]
        token = page.get("NextToken")
        if not token:
            break
    assert seen == list(range(10))


def test_insert_of_a_taken_key_and_update_of_a_missing_item_change_nothing(ddb):
    run(ddb, "INSERT INTO pql VALUE {'pk': 'dup', 'sk': 1, 'v': 'first'}")
    error = error_of(lambda: run(ddb, "INSERT INTO pql VALUE {'pk': 'dup', 'sk': 1, 'v': 'second'}"))
    assert error["Code"] == "DuplicateItemException"
    assert run(ddb, "SELECT v FROM pql WHERE pk = 'dup' AND sk = 1")["Items"] == [{"v": {"S": "first"}}]
    # UPDATE never makes an item; a false predicate leaves the item alone.
    error = error_of(lambda: run(ddb, "UPDATE pql SET v = 'x' WHERE pk = 'dup' AND sk = 2"))
    assert error["Code"] == "ConditionalCheckFailedException"
    assert run(ddb, "SELECT * FROM pql WHERE pk = 'dup' AND sk = 2")["Items"] == []
    error = error_of(lambda: run(ddb, "UPDATE pql SET v = 'x' WHERE pk = 'dup' AND sk = 1 AND v = 'other'"))
    assert error["Code"] == "ConditionalCheckFailedException"
    error = error_of(lambda: run(ddb, "DELETE FROM pql WHERE pk = 'dup' AND sk = 1 AND v = 'other'"))
    assert error["Code"] == "ConditionalCheckFailedException"
    assert run(ddb, "SELECT v FROM pql WHERE pk = 'dup' AND sk = 1")["Items"] == [{"v": {"S": "first"}}]
    # DELETE of a key that holds nothing is no error.
    assert run(ddb, "DELETE FROM pql WHERE pk = 'dup' AND sk = 9")["Items"] == []


@pytest.mark.parametrize("statement, parameters, words", [
    ("SELEC * FROM pql", [], "wasn't well formed"),
    ("SELECT * FROM pql WHERE", [], "wasn't well formed"),
    ("SELECT * FROM pql WHERE pk = 'a' AND", [], "wasn't well formed"),
    ("INSERT INTO pql VALUE {'pk': 'a', 'sk': 1", [], "wasn't well formed"),
    ("SELECT * FROM pql WHERE pk = 'unterminated", [], "wasn't well formed"),
    ("SELECT * FROM pql WHERE pk = ?", [], "Number of parameters"),
    ("SELECT * FROM pql WHERE pk = ?", [{"S": "a"}, {"S": "b"}], "Number of parameters"),
    ("UPDATE pql SET v = 1 WHERE pk = 'a'", [], "mandatory equality on all key attributes"),
    ("DELETE FROM pql WHERE v = 1", [], "mandatory equality on all key attributes"),
    ("INSERT INTO pql VALUE {'pk': 'a', 'sk': 1, 's': <<'x', 'x'>>}", [], "duplicates"),
    ("INSERT INTO pql VALUE {'pk': 'a', 'sk': 1, 's': <<'x', 1>>}", [], "one type"),
    ("INSERT INTO pql VALUE {'pk': 'a'}", [], "Missing the key sk"),
    ("SELECT * FROM pql WHERE v = 1 ORDER BY sk", [], "ORDER BY"),
    ("DELETE FROM pql WHERE pk = 'a' AND sk = 1 RETURNING ALL NEW *", [], "ALL OLD"),
    ("EXISTS(SELECT * FROM pql WHERE pk = 'a' AND sk = 1)", [], "ExecuteTransaction"),
])
def test_wrong_statements_answer_validation_errors(ddb, statement, parameters, words):
    before = ddb.scan(TableName="pql", ConsistentRead=True)["Items"]
    error = error_of(lambda: run(ddb, statement, *parameters))
    assert error["Code"] == "ValidationException", error
    assert words in error["Message"], error
    assert ddb.scan(TableName="pql", ConsistentRead=True)["Items"] == before


def test_unknown_table_is_resource_not_found(ddb):
    error = error_of(lambda: run(ddb, "SELECT * FROM nowhere"))
    assert error["Code"] == "ResourceNotFoundException"


def test_batch_reads_and_writes_answer_per_statement(ddb):
    out = ddb.batch_execute_statement(Statements=[
        {"Statement": "INSERT INTO pql VALUE {'pk': 'b', 'sk': 1, 'v': 1}"},
        {"Statement": "INSERT INTO pql VALUE {'pk': 'b', 'sk': 2, 'v': 2}"},
        {"Statement": "INSERT INTO pql VALUE {'pk': 'b', 'sk': 1, 'v': 3}"},
        {"Statement": "UPDATE pql SET v = 5 WHERE pk = ? AND sk = ?", "Parameters": [{"S": "b"}, {"N": "2"}]},
        {"Statement": "INSERT INTO missing VALUE {'pk': 'b'}"},
    ], ReturnConsumedCapacity="TOTAL")
    codes = [response.get("Error", {}).get("Code") for response in out["Responses"]]
    assert codes == [None, None, "DuplicateItem", None, "ResourceNotFound"]
    assert out["Responses"][0]["TableName"] == "pql"
    assert out["ConsumedCapacity"][0]["TableName"] == "pql"
    assert out["ConsumedCapacity"][0]["CapacityUnits"] >= 3

    out = ddb.batch_execute_statement(Statements=[
        {"Statement": "SELECT v FROM pql WHERE pk = 'b' AND sk = 1", "ConsistentRead": True},
        {"Statement": "SELECT * FROM pql WHERE pk = 'b' AND sk = 2"},
        {"Statement": "SELECT * FROM pql WHERE pk = 'b' AND sk = 3"},
        {"Statement": "SELECT * FROM pql WHERE pk = 'b'"},
    ])
    responses = out["Responses"]
    assert responses[0]["Item"] == {"v": {"N": "1"}}
    assert responses[1]["Item"]["v"] == {"N": "5"}
    assert "Item" not in responses[2] and "Error" not in responses[2]
    assert responses[3]["Error"]["Code"] == "ValidationError"

    error = error_of(lambda: ddb.batch_execute_statement(Statements=[
        {"Statement": "SELECT * FROM pql WHERE pk = 'b' AND sk = 1"},
        {"Statement": "DELETE FROM pql WHERE pk = 'b' AND sk = 1"}]))
    assert error["Code"] == "ValidationException"
    assert ddb.get_item(TableName="pql", Key={"pk": {"S": "b"}, "sk": {"N": "1"}}).get("Item")


def test_transactions_are_all_or_nothing(ddb):
    ddb.execute_transaction(TransactStatements=[
        {"Statement": "INSERT INTO pql VALUE {'pk': 't', 'sk': 1, 'balance': 100}"},
        {"Statement": "INSERT INTO pql VALUE {'pk': 't', 'sk': 2, 'balance': 0}"},
        {"Statement": "INSERT INTO pql VALUE {'pk': 't', 'sk': 9, 'open': TRUE}"}])
    transfer = [
        {"Statement": "UPDATE pql SET balance = balance - 30 WHERE pk = 't' AND sk = 1 AND balance >= 30"},
        {"Statement": "UPDATE pql SET balance = balance + 30 WHERE pk = 't' AND sk = 2"},
        {"Statement": "EXISTS(SELECT * FROM pql WHERE pk = 't' AND sk = 9 AND \"open\" = TRUE)"}]
    for _ in range(3):
        ddb.execute_transaction(TransactStatements=transfer, ClientRequestToken="not-the-same-" + str(_))
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        ddb.execute_transaction(TransactStatements=transfer)
    assert raised.value.response["Error"]["Code"] == "TransactionCanceledException"
    reasons = [reason["Code"] for reason in raised.value.response["CancellationReasons"]]
    assert reasons == ["ConditionalCheckFailed", "None", "None"]
    out = ddb.execute_transaction(TransactStatements=[
        {"Statement": "SELECT balance FROM pql WHERE pk = 't' AND sk = 1"},
        {"Statement": "SELECT balance FROM pql WHERE pk = ? AND sk = ?", "Parameters": [{"S": "t"}, {"N": "2"}]}])
    assert [r["Item"]["balance"]["N"] for r in out["Responses"]] == ["10", "90"]
    # A taken key of an INSERT cancels the whole transaction.
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        ddb.execute_transaction(TransactStatements=[
            {"Statement": "INSERT INTO pql VALUE {'pk': 't', 'sk': 3, 'balance': 1}"},
            {"Statement": "INSERT INTO pql VALUE {'pk': 't', 'sk': 1, 'balance': 1}"}])
    reasons = [reason["Code"] for reason in raised.value.response["CancellationReasons"]]
    assert reasons == ["None", "DuplicateItem"]
    assert "Item" not in ddb.get_item(TableName="pql", Key={"pk": {"S": "t"}, "sk": {"N": "3"}})
    # NOT EXISTS holds for a key that has no item.
    ddb.execute_transaction(TransactStatements=[
        {"Statement": "NOT EXISTS(SELECT * FROM pql WHERE pk = 't' AND sk = 5)"},
        {"Statement": "INSERT INTO pql VALUE {'pk': 't', 'sk': 4, 'balance': 4}"}])
    error = error_of(lambda: ddb.execute_transaction(TransactStatements=[
        {"Statement": "NOT EXISTS(SELECT * FROM pql WHERE pk = 't' AND sk = 4)"},
        {"Statement": "DELETE FROM pql WHERE pk = 't' AND sk = 1"}]))
    assert error["Code"] == "TransactionCanceledException"
    assert ddb.get_item(TableName="pql", Key={"pk": {"S": "t"}, "sk": {"N": "1"}}).get("Item")
    error = error_of(lambda: ddb.execute_transaction(TransactStatements=[
        {"Statement": "SELECT * FROM pql WHERE pk = 't' AND sk = 1"},
        {"Statement": "DELETE FROM pql WHERE pk = 't' AND sk = 1"}]))
    assert error["Code"] == "ValidationException"


def test_the_cli_runs_a_statement(kura, ddb):
    run(ddb, "INSERT INTO pql VALUE {'pk': 'cli', 'sk': 1, 'v': 'from boto3'}")
    out = kura.aws("dynamodb", "execute-statement", "--statement", "SELECT v FROM pql WHERE pk = 'cli'")
    assert out["Items"] == [{"v": {"S": "from boto3"}}]


def test_limits_and_endpoints_answer_for_this_server(kura, ddb):
    limits = ddb.describe_limits()
    assert limits["TableMaxReadCapacityUnits"] == 40000 and limits["AccountMaxWriteCapacityUnits"] == 80000
    # The quota is kept: a table asking for more is refused and not made.
    error = error_of(lambda: ddb.create_table(
        TableName="too-big", AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
        ProvisionedThroughput={"ReadCapacityUnits": 40001, "WriteCapacityUnits": 1}))
    assert error["Code"] == "LimitExceededException"
    assert "too-big" not in ddb.list_tables()["TableNames"]
    endpoints = ddb.describe_endpoints()["Endpoints"]
    assert endpoints[0]["Address"] == kura.endpoint.split("//", 1)[1]
