"""DynamoDB global tables through boto3 clients of several regions against
one Kura: a replica added with UpdateTable is filled with the table's items
and then follows every write path of every replica (last writer wins);
deleting a replica deletes its table; the legacy API (2017.11.29); the AWS
CLI; and no acknowledged write is lost for the other replicas across a
SIGKILL."""
import json
import threading
import time

import botocore.exceptions
import pytest

EAST, WEST, EU = "us-east-1", "us-west-2", "eu-west-1"
KEY = [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}]
ATTRS = [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "N"}]
STREAM = {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}


def error_of(call, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call(**kwargs)
    return info.value.response["Error"]["Code"], info.value.response["Error"]["Message"]


def make_table(ddb, name, stream=STREAM):
    kwargs = {"StreamSpecification": stream} if stream else {}
    ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST", KeySchema=KEY, AttributeDefinitions=ATTRS,
                     **kwargs)


def key(pk, sk):
    return {"pk": {"S": pk}, "sk": {"N": str(sk)}}


def item(pk, sk, **attrs):
    out = key(pk, sk)
    out.update({name: {"S": value} for name, value in attrs.items()})
    return out


def wait_for(check, timeout=10):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.02)


def wait_active(ddb, name, region):
    def active():
        replicas = ddb.describe_table(TableName=name)["Table"].get("Replicas", [])
        return any(r["RegionName"] == region and r["ReplicaStatus"] == "ACTIVE" for r in replicas)
    # Seconds on a loaded machine (a backfill restarted after a SIGKILL).
    assert wait_for(active, timeout=60), ddb.describe_table(TableName=name)["Table"]


def scan_all(ddb, name):
    items = ddb.scan(TableName=name, ConsistentRead=True)["Items"]
    return sorted(items, key=lambda i: (i["pk"]["S"], int(i["sk"]["N"])))


def converged(clients, name):
    """The same items in every region once replication has caught up."""
    def same():
        scans = [scan_all(c, name) for c in clients]
        return all(s == scans[0] for s in scans) and scans[0]
    return wait_for(same)


def test_replica_is_filled_then_follows_every_write_path(kura):
    east, west = kura.client("dynamodb", region=EAST), kura.client("dynamodb", region=WEST)
    make_table(east, "gt-paths")
    for n in range(30):
        east.put_item(TableName="gt-paths", Item=item("old", n, v=f"v{n}"))
    out = east.update_table(TableName="gt-paths", ReplicaUpdates=[{"Create": {"RegionName": WEST}}])["TableDescription"]
    assert out["GlobalTableVersion"] == "2019.11.21"
    assert out["Replicas"] == [{"RegionName": WEST, "ReplicaStatus": "CREATING"}]
    wait_active(east, "gt-paths", WEST)
    described = west.describe_table(TableName="gt-paths")["Table"]
    assert described["TableArn"] == f"arn:aws:dynamodb:{WEST}:000000000000:table/gt-paths"
    assert described["Replicas"] == [{"RegionName": EAST, "ReplicaStatus": "ACTIVE"}]
    assert described["StreamSpecification"] == STREAM and described["TableStatus"] == "ACTIVE"
    assert len(scan_all(west, "gt-paths")) == 30  # the backfill
    # Every write path, in either region, reaches the other.
    east.put_item(TableName="gt-paths", Item=item("p", 1, v="put"))
    east.update_item(TableName="gt-paths", Key=key("old", 1), UpdateExpression="SET v = :v",
                     ExpressionAttributeValues={":v": {"S": "updated"}})
    east.delete_item(TableName="gt-paths", Key=key("old", 2))
    west.batch_write_item(RequestItems={"gt-paths": [{"PutRequest": {"Item": item("b", n)}} for n in range(3)]
                                        + [{"DeleteRequest": {"Key": key("old", 3)}}]})
    west.transact_write_items(TransactItems=[
        {"Put": {"TableName": "gt-paths", "Item": item("t", 1, v="tx")}},
        {"Update": {"TableName": "gt-paths", "Key": key("old", 4), "UpdateExpression": "SET v = :v",
                    "ExpressionAttributeValues": {":v": {"S": "tx-updated"}}}}])
    west.execute_statement(Statement="INSERT INTO \"gt-paths\" VALUE {'pk': 'q', 'sk': 1, 'v': 'partiql'}")
    east.execute_statement(Statement="DELETE FROM \"gt-paths\" WHERE pk = 'old' AND sk = 5")
    items = converged([east, west], "gt-paths")
    assert items, "the regions did not converge"
    by_key = {(i["pk"]["S"], int(i["sk"]["N"])): i for i in items}
    assert by_key[("p", 1)]["v"]["S"] == "put"
    assert by_key[("old", 1)]["v"]["S"] == "updated"
    assert by_key[("old", 4)]["v"]["S"] == "tx-updated"
    assert by_key[("q", 1)]["v"]["S"] == "partiql"
    assert ("t", 1) in by_key and ("b", 2) in by_key
    assert not {("old", 2), ("old", 3), ("old", 5)} & set(by_key)
    assert len(items) == 30 - 3 + 1 + 3 + 1 + 1


def test_ttl_deletions_replicate(kura):
    east, west = kura.client("dynamodb", region=EAST), kura.client("dynamodb", region=WEST)
    make_table(east, "gt-ttl")
    east.update_table(TableName="gt-ttl", ReplicaUpdates=[{"Create": {"RegionName": WEST}}])
    wait_active(east, "gt-ttl", WEST)
    east.update_time_to_live(TableName="gt-ttl", TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    # The setting is every replica's; the deletions TTL makes are replicated too.
    assert west.describe_time_to_live(TableName="gt-ttl")["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "ENABLED", "AttributeName": "exp"}
    east.put_item(TableName="gt-ttl", Item=dict(key("gone", 1), exp={"N": str(int(time.time()) + 2)}))
    assert wait_for(lambda: "Item" in west.get_item(TableName="gt-ttl", Key=key("gone", 1)))
    assert wait_for(lambda: "Item" not in west.get_item(TableName="gt-ttl", Key=key("gone", 1)), timeout=20)


def test_index_changes_reach_every_replica(kura):
    east, west = kura.client("dynamodb", region=EAST), kura.client("dynamodb", region=WEST)
    make_table(east, "gt-gsi")
    east.update_table(TableName="gt-gsi", ReplicaUpdates=[{"Create": {"RegionName": WEST}}])
    wait_active(east, "gt-gsi", WEST)
    east.update_table(TableName="gt-gsi", AttributeDefinitions=ATTRS + [{"AttributeName": "g", "AttributeType": "S"}],
                      GlobalSecondaryIndexUpdates=[{"Create": {
                          "IndexName": "by-g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                          "Projection": {"ProjectionType": "ALL"}}}])
    index = west.describe_table(TableName="gt-gsi")["Table"]["GlobalSecondaryIndexes"][0]
    assert index["IndexArn"] == f"arn:aws:dynamodb:{WEST}:000000000000:table/gt-gsi/index/by-g"
    east.put_item(TableName="gt-gsi", Item=item("a", 1, g="green"))

    def found():
        return west.query(TableName="gt-gsi", IndexName="by-g", KeyConditionExpression="g = :g",
                          ExpressionAttributeValues={":g": {"S": "green"}})["Items"]
    assert wait_for(found) == [item("a", 1, g="green")]


def test_an_encrypted_tables_replica_is_sealed_under_a_key_of_its_region(kura):
    east, west = kura.client("dynamodb", region=EAST), kura.client("dynamodb", region=WEST)
    key_arn = kura.client("kms", region=WEST).create_key()["KeyMetadata"]["Arn"]
    east.create_table(TableName="gt-sse", BillingMode="PAY_PER_REQUEST", KeySchema=KEY, AttributeDefinitions=ATTRS,
                      StreamSpecification=STREAM, SSESpecification={"Enabled": True, "SSEType": "KMS"})
    out = east.update_table(TableName="gt-sse", ReplicaUpdates=[{"Create": {"RegionName": WEST,
                                                                             "KMSMasterKeyId": key_arn}}])
    assert out["TableDescription"]["Replicas"][0]["KMSMasterKeyId"] == key_arn
    wait_active(east, "gt-sse", WEST)
    assert west.describe_table(TableName="gt-sse")["Table"]["SSEDescription"]["KMSMasterKeyArn"] == key_arn
    code, message = error_of(east.update_table, TableName="gt-sse", ReplicaUpdates=[{"Create": {
        "RegionName": EU, "KMSMasterKeyId": key_arn}}])  # a key of another region
    assert code == "ValidationException" and "KMSMasterKeyId" in message


def test_billing_and_write_capacity_are_every_replicas(kura):
    east, west = kura.client("dynamodb", region=EAST), kura.client("dynamodb", region=WEST)
    make_table(east, "gt-capacity")
    east.update_table(TableName="gt-capacity", ReplicaUpdates=[{"Create": {"RegionName": WEST}}])
    wait_active(east, "gt-capacity", WEST)
    west.update_table(TableName="gt-capacity", BillingMode="PROVISIONED",
                      ProvisionedThroughput={"ReadCapacityUnits": 4, "WriteCapacityUnits": 6})
    table = east.describe_table(TableName="gt-capacity")["Table"]
    assert table["BillingModeSummary"]["BillingMode"] == "PROVISIONED"
    assert table["ProvisionedThroughput"]["WriteCapacityUnits"] == 6
    assert table["ProvisionedThroughput"]["ReadCapacityUnits"] != 4  # each replica's own


def test_concurrent_writes_converge_last_writer_wins(kura):
    clients = [kura.client("dynamodb", region=r) for r in (EAST, WEST, EU)]
    east = clients[0]
    make_table(east, "gt-race")
    east.update_table(TableName="gt-race", ReplicaUpdates=[{"Create": {"RegionName": WEST}}])
    wait_active(east, "gt-race", WEST)
    east.update_table(TableName="gt-race", ReplicaUpdates=[{"Create": {"RegionName": EU}}])
    wait_active(east, "gt-race", EU)
    regions = {r["RegionName"] for r in clients[2].describe_table(TableName="gt-race")["Table"]["Replicas"]}
    assert regions == {EAST, WEST}

    def writer(ddb, region):
        for n in range(40):
            ddb.put_item(TableName="gt-race", Item=item("hot", n % 5, by=region, n=str(n)))
            if n % 7 == 0:
                ddb.delete_item(TableName="gt-race", Key=key("hot", n % 5))
    threads = [threading.Thread(target=writer, args=(c, r)) for c, r in zip(clients, (EAST, WEST, EU))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert converged(clients, "gt-race"), [scan_all(c, "gt-race") for c in clients]
    # The last write (in time) of an item wins everywhere.
    clients[1].put_item(TableName="gt-race", Item=item("hot", 0, by="west-last"))
    assert wait_for(lambda: all(c.get_item(TableName="gt-race", Key=key("hot", 0)).get("Item", {}).get("by")
                                == {"S": "west-last"} for c in clients))


def test_replica_rules_and_delete(kura):
    east, west = kura.client("dynamodb", region=EAST), kura.client("dynamodb", region=WEST)
    make_table(east, "gt-nostream", stream=None)
    code, message = error_of(east.update_table, TableName="gt-nostream",
                             ReplicaUpdates=[{"Create": {"RegionName": WEST}}])
    assert code == "ValidationException" and "NEW_AND_OLD_IMAGES" in message
    make_table(east, "gt-keys", stream={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
    assert error_of(east.update_table, TableName="gt-keys",
                    ReplicaUpdates=[{"Create": {"RegionName": WEST}}])[0] == "ValidationException"
    make_table(east, "gt-del")
    east.update_table(TableName="gt-del", ReplicaUpdates=[{"Create": {"RegionName": WEST}}])
    wait_active(east, "gt-del", WEST)
    assert error_of(east.update_table, TableName="gt-del",
                    ReplicaUpdates=[{"Create": {"RegionName": WEST}}])[0] == "ValidationException"
    code, message = error_of(east.update_table, TableName="gt-del", StreamSpecification={"StreamEnabled": False})
    assert code == "ValidationException" and "replicas" in message
    assert error_of(east.update_table, TableName="gt-missing",
                    ReplicaUpdates=[{"Create": {"RegionName": WEST}}])[0] == "ResourceNotFoundException"
    east.update_table(TableName="gt-del", ReplicaUpdates=[{"Delete": {"RegionName": WEST}}])
    assert "gt-del" not in west.list_tables()["TableNames"]
    table = east.describe_table(TableName="gt-del")["Table"]
    assert "Replicas" not in table and "GlobalTableVersion" not in table
    east.put_item(TableName="gt-del", Item=item("after", 1))  # a table like any other
    # DeleteTable of one replica leaves the others, which drop it.
    make_table(east, "gt-drop")
    east.update_table(TableName="gt-drop", ReplicaUpdates=[{"Create": {"RegionName": WEST}}])
    wait_active(east, "gt-drop", WEST)
    west.delete_table(TableName="gt-drop")
    assert "Replicas" not in east.describe_table(TableName="gt-drop")["Table"]
    east.put_item(TableName="gt-drop", Item=item("alone", 1))
    assert error_of(west.get_item, TableName="gt-drop", Key=key("alone", 1))[0] == "ResourceNotFoundException"


def test_legacy_global_tables(kura):
    east, west = kura.client("dynamodb", region=EAST), kura.client("dynamodb", region=WEST)
    eu = kura.client("dynamodb", region=EU)
    code, message = error_of(east.describe_global_table, GlobalTableName="gt-legacy")
    assert code == "GlobalTableNotFoundException"
    assert message == "Global table not found: Global table with name: 'gt-legacy' does not exist."
    make_table(east, "gt-legacy")
    assert error_of(east.create_global_table, GlobalTableName="gt-legacy",
                    ReplicationGroup=[{"RegionName": EAST}, {"RegionName": WEST}])[0] == "TableNotFoundException"
    make_table(west, "gt-legacy", stream=None)
    assert error_of(east.create_global_table, GlobalTableName="gt-legacy",
                    ReplicationGroup=[{"RegionName": EAST}, {"RegionName": WEST}])[0] == "ValidationException"
    west.update_table(TableName="gt-legacy", StreamSpecification=STREAM)
    # Members share their indexes.
    west.update_table(TableName="gt-legacy", AttributeDefinitions=ATTRS + [{"AttributeName": "g", "AttributeType": "S"}],
                      GlobalSecondaryIndexUpdates=[{"Create": {
                          "IndexName": "by-g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                          "Projection": {"ProjectionType": "ALL"}}}])
    code, message = error_of(east.create_global_table, GlobalTableName="gt-legacy",
                             ReplicationGroup=[{"RegionName": EAST}, {"RegionName": WEST}])
    assert code == "ValidationException" and "global secondary indexes" in message
    west.update_table(TableName="gt-legacy", GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "by-g"}}])
    out = east.create_global_table(GlobalTableName="gt-legacy",
                                   ReplicationGroup=[{"RegionName": EAST}, {"RegionName": WEST}])
    assert out["GlobalTableDescription"]["GlobalTableArn"] == "arn:aws:dynamodb::000000000000:global-table/gt-legacy"
    assert error_of(east.create_global_table, GlobalTableName="gt-legacy",
                    ReplicationGroup=[{"RegionName": EAST}])[0] == "GlobalTableAlreadyExistsException"
    east.put_item(TableName="gt-legacy", Item=item("x", 1, v="from-east"))
    assert wait_for(lambda: west.get_item(TableName="gt-legacy", Key=key("x", 1)).get("Item"))
    # A non-empty table cannot join.
    make_table(eu, "gt-legacy")
    eu.put_item(TableName="gt-legacy", Item=item("y", 1))
    code, message = error_of(east.update_global_table, GlobalTableName="gt-legacy",
                             ReplicaUpdates=[{"Create": {"RegionName": EU}}])
    assert code == "ValidationException" and "empty" in message
    eu.delete_item(TableName="gt-legacy", Key=key("y", 1))
    east.update_global_table(GlobalTableName="gt-legacy", ReplicaUpdates=[{"Create": {"RegionName": EU}}])
    assert error_of(east.update_global_table, GlobalTableName="gt-legacy",
                    ReplicaUpdates=[{"Create": {"RegionName": EU}}])[0] == "ReplicaAlreadyExistsException"
    eu.put_item(TableName="gt-legacy", Item=item("z", 1, v="from-eu"))
    assert wait_for(lambda: east.get_item(TableName="gt-legacy", Key=key("z", 1)).get("Item"))
    assert wait_for(lambda: west.get_item(TableName="gt-legacy", Key=key("z", 1)).get("Item"))
    group = east.describe_global_table(GlobalTableName="gt-legacy")["GlobalTableDescription"]["ReplicationGroup"]
    assert sorted(r["RegionName"] for r in group) == sorted([EAST, WEST, EU])
    listed = east.list_global_tables(RegionName=EU)["GlobalTables"]
    assert [t["GlobalTableName"] for t in listed] == ["gt-legacy"]
    settings = east.update_global_table_settings(
        GlobalTableName="gt-legacy", GlobalTableBillingMode="PROVISIONED",
        GlobalTableProvisionedWriteCapacityUnits=7,
        ReplicaSettingsUpdate=[{"RegionName": WEST, "ReplicaProvisionedReadCapacityUnits": 3}])["ReplicaSettings"]
    west_settings = next(s for s in settings if s["RegionName"] == WEST)
    assert west_settings["ReplicaProvisionedReadCapacityUnits"] == 3
    assert west_settings["ReplicaProvisionedWriteCapacityUnits"] == 7
    assert west.describe_table(TableName="gt-legacy")["Table"]["ProvisionedThroughput"]["WriteCapacityUnits"] == 7
    east.update_global_table(GlobalTableName="gt-legacy", ReplicaUpdates=[{"Delete": {"RegionName": EU}}])
    assert error_of(east.update_global_table, GlobalTableName="gt-legacy",
                    ReplicaUpdates=[{"Delete": {"RegionName": EU}}])[0] == "ReplicaNotFoundException"
    eu.put_item(TableName="gt-legacy", Item=item("eu-only", 1))
    time.sleep(0.3)
    assert "Item" not in east.get_item(TableName="gt-legacy", Key=key("eu-only", 1))


def test_iam_evaluates_the_table_in_every_region_named(kura):
    east = kura.client("dynamodb", region=EAST)
    make_table(east, "gt-iam")
    iam = kura.client("iam")
    iam.create_user(UserName="gt-east-only")
    document = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": ["dynamodb:UpdateTable", "dynamodb:DescribeTable"],
        "Resource": f"arn:aws:dynamodb:{EAST}:*:table/gt-iam"}]}
    iam.put_user_policy(UserName="gt-east-only", PolicyName="east", PolicyDocument=json.dumps(document))
    key = iam.create_access_key(UserName="gt-east-only")["AccessKey"]
    user = kura.client("dynamodb", region=EAST, key=key["AccessKeyId"], secret=key["SecretAccessKey"])
    code, message = error_of(user.update_table, TableName="gt-iam", ReplicaUpdates=[{"Create": {"RegionName": WEST}}])
    assert code == "AccessDeniedException" and f"arn:aws:dynamodb:{WEST}:000000000000:table/gt-iam" in message
    assert "Replicas" not in east.describe_table(TableName="gt-iam")["Table"]
    document["Statement"][0]["Resource"] = "arn:aws:dynamodb:*:*:table/gt-iam"
    iam.put_user_policy(UserName="gt-east-only", PolicyName="east", PolicyDocument=json.dumps(document))
    user.update_table(TableName="gt-iam", ReplicaUpdates=[{"Create": {"RegionName": WEST}}])
    wait_active(east, "gt-iam", WEST)


def test_aws_cli_write_in_one_region_read_in_another(kura):
    kura.aws("dynamodb", "create-table", "--table-name", "gt-cli", "--billing-mode", "PAY_PER_REQUEST",
             "--attribute-definitions", "AttributeName=pk,AttributeType=S", "AttributeName=sk,AttributeType=N",
             "--key-schema", "AttributeName=pk,KeyType=HASH", "AttributeName=sk,KeyType=RANGE",
             "--stream-specification", "StreamEnabled=true,StreamViewType=NEW_AND_OLD_IMAGES")
    out = kura.aws("dynamodb", "update-table", "--table-name", "gt-cli",
                   "--replica-updates", '[{"Create": {"RegionName": "us-west-2"}}]')
    assert out["TableDescription"]["Replicas"][0]["RegionName"] == WEST
    west = kura.client("dynamodb", region=WEST)
    assert wait_for(lambda: west.describe_table(TableName="gt-cli")["Table"]["TableStatus"] == "ACTIVE")
    kura.aws("dynamodb", "put-item", "--table-name", "gt-cli", "--item", '{"pk": {"S": "cli"}, "sk": {"N": "1"}}')

    def read_west():
        got = kura.aws("dynamodb", "get-item", "--region", WEST, "--table-name", "gt-cli",
                       "--key", '{"pk": {"S": "cli"}, "sk": {"N": "1"}}')
        return got and got.get("Item")
    assert wait_for(read_west) == {"pk": {"S": "cli"}, "sk": {"N": "1"}}


@pytest.mark.serial
def test_sigkill_during_replication_loses_nothing_acknowledged(kura_factory):
    server = kura_factory()
    east, west = server.client("dynamodb", region=EAST), server.client("dynamodb", region=WEST)
    make_table(east, "gt-kill")
    east.update_table(TableName="gt-kill", ReplicaUpdates=[{"Create": {"RegionName": WEST}}])
    wait_active(east, "gt-kill", WEST)
    acknowledged = []
    stop = threading.Event()

    def writer():
        n = 0
        while not stop.is_set():
            try:
                east.put_item(TableName="gt-kill", Item=item("k", n, v="x" * 200))
            except Exception:  # the server went away mid-call: not acknowledged
                return
            acknowledged.append(n)
            n += 1
    thread = threading.Thread(target=writer)
    thread.start()
    time.sleep(1.0)
    server.stop(sigkill=True)
    stop.set()
    thread.join()
    assert len(acknowledged) > 20
    server.start()
    west = server.client("dynamodb", region=WEST)

    def all_there():
        keys = {int(i["sk"]["N"]) for i in scan_all(west, "gt-kill")}
        return set(acknowledged) <= keys
    assert wait_for(all_there, timeout=20), len(scan_all(west, "gt-kill"))


@pytest.mark.serial
def test_sigkill_during_a_backfill_still_fills_the_replica(kura_factory):
    server = kura_factory()
    east = server.client("dynamodb", region=EAST)
    make_table(east, "gt-fill")
    for start in range(0, 2000, 25):
        east.batch_write_item(RequestItems={"gt-fill": [{"PutRequest": {"Item": item("f", n, v="y" * 100)}}
                                                        for n in range(start, start + 25)]})
    east.update_table(TableName="gt-fill", ReplicaUpdates=[{"Create": {"RegionName": WEST}}])
    server.stop(sigkill=True)
    server.start()
    east, west = server.client("dynamodb", region=EAST), server.client("dynamodb", region=WEST)
    wait_active(east, "gt-fill", WEST)
    east.put_item(TableName="gt-fill", Item=item("f", 5000))
    assert wait_for(lambda: len(scan_all(west, "gt-fill")) == 2001, timeout=60)


def test_a_long_region_name_is_refused_and_the_server_lives_on(kura):
    """A RegionName is checked without a recursion as deep as it is long."""
    east = kura.client("dynamodb", region=EAST)
    make_table(east, "gt-long-region")
    region = "us-" + "a" * 300000 + "-1"
    code, message = error_of(east.update_table, TableName="gt-long-region",
                             ReplicaUpdates=[{"Create": {"RegionName": region}}])
    assert code == "ValidationException" and "Invalid region name" in message
    assert east.describe_table(TableName="gt-long-region")["Table"]["TableName"] == "gt-long-region"
