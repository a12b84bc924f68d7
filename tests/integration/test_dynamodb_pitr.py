"""DynamoDB point-in-time recovery: a restore to a moment reproduces exactly
the items of that moment (full scans compared), survives SIGKILL of Kura,
and every error path answers DynamoDB's code."""
import datetime
import math
import time

import botocore.exceptions
import pytest


def make_table(ddb, name):
    ddb.create_table(TableName=name, AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"},
                                                           {"AttributeName": "g", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST",
                     GlobalSecondaryIndexes=[{"IndexName": "by-g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                              "Projection": {"ProjectionType": "ALL"}}])


def full_scan(ddb, name):
    items, start = [], None
    while True:
        kwargs = {"TableName": name, "ConsistentRead": True}
        if start:
            kwargs["ExclusiveStartKey"] = start
        page = ddb.scan(**kwargs)
        items += page["Items"]
        start = page.get("LastEvaluatedKey")
        if not start:
            return sorted(items, key=lambda item: item["k"]["S"])


def moment():
    """A whole second strictly between the writes before and after it (the
    SDK sends RestoreDateTime in whole seconds)."""
    now = time.time()
    second = math.ceil(now)
    time.sleep(second - now + 0.05)
    return second


def error_code(call, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        call(**kwargs)
    return raised.value.response["Error"]["Code"]


def test_restore_to_a_moment_has_exactly_the_items_of_that_moment(kura):
    ddb = kura.client("dynamodb")
    make_table(ddb, "pitr-orders")
    for i in range(50):
        ddb.put_item(TableName="pitr-orders", Item={"k": {"S": f"a{i:03}"}, "g": {"S": "before"}, "n": {"N": str(i)}})
    out = kura.aws("dynamodb", "update-continuous-backups", "--table-name", "pitr-orders",
                   "--point-in-time-recovery-specification", "PointInTimeRecoveryEnabled=true")
    recovery = out["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
    assert recovery["PointInTimeRecoveryStatus"] == "ENABLED"
    enabled = ddb.describe_continuous_backups(TableName="pitr-orders")["ContinuousBackupsDescription"]
    earliest = enabled["PointInTimeRecoveryDescription"]["EarliestRestorableDateTime"]

    t_enabled = moment()
    state_enabled = full_scan(ddb, "pitr-orders")
    # Changes of every kind: puts, an update, deletes, a batch, a transaction.
    ddb.put_item(TableName="pitr-orders", Item={"k": {"S": "b001"}, "g": {"S": "after"}})
    ddb.update_item(TableName="pitr-orders", Key={"k": {"S": "a007"}}, UpdateExpression="SET n = :n",
                    ExpressionAttributeValues={":n": {"N": "700"}})
    ddb.delete_item(TableName="pitr-orders", Key={"k": {"S": "a010"}})
    ddb.batch_write_item(RequestItems={"pitr-orders": [
        {"PutRequest": {"Item": {"k": {"S": f"c{i:03}"}, "g": {"S": "batch"}}}} for i in range(20)]})
    t_middle = moment()
    state_middle = full_scan(ddb, "pitr-orders")
    ddb.transact_write_items(TransactItems=[
        {"Delete": {"TableName": "pitr-orders", "Key": {"k": {"S": "b001"}}}},
        {"Put": {"TableName": "pitr-orders", "Item": {"k": {"S": "d001"}, "g": {"S": "late"}}}}])
    for i in range(5):
        ddb.delete_item(TableName="pitr-orders", Key={"k": {"S": f"a{i:03}"}})
    state_latest = full_scan(ddb, "pitr-orders")

    for target, at, expected in (("pitr-at-enable", t_enabled, state_enabled),
                                 ("pitr-at-middle", t_middle, state_middle)):
        restored = ddb.restore_table_to_point_in_time(SourceTableName="pitr-orders", TargetTableName=target,
                                                      RestoreDateTime=datetime.datetime.fromtimestamp(at, datetime.timezone.utc))
        summary = restored["TableDescription"]["RestoreSummary"]
        assert summary["SourceTableArn"].endswith(":table/pitr-orders")
        assert full_scan(ddb, target) == expected
    # The index of a restored table is built too.
    by_g = ddb.query(TableName="pitr-at-middle", IndexName="by-g", KeyConditionExpression="g = :g",
                     ExpressionAttributeValues={":g": {"S": "batch"}})
    assert by_g["Count"] == 20
    ddb.restore_table_to_point_in_time(SourceTableArn=ddb.describe_table(TableName="pitr-orders")["Table"]["TableArn"],
                                       TargetTableName="pitr-latest", UseLatestRestorableTime=True)
    assert full_scan(ddb, "pitr-latest") == state_latest

    # Errors, each changing nothing.
    before = datetime.datetime.fromtimestamp(earliest.timestamp() - 60, datetime.timezone.utc)
    assert error_code(ddb.restore_table_to_point_in_time, SourceTableName="pitr-orders", TargetTableName="pitr-x1",
                      RestoreDateTime=before) == "InvalidRestoreTimeException"
    assert error_code(ddb.restore_table_to_point_in_time, SourceTableName="pitr-orders", TargetTableName="pitr-latest",
                      UseLatestRestorableTime=True) == "TableAlreadyExistsException"
    assert error_code(ddb.restore_table_to_point_in_time, SourceTableName="missing", TargetTableName="pitr-x2",
                      UseLatestRestorableTime=True) == "TableNotFoundException"
    assert error_code(ddb.restore_table_to_point_in_time, SourceTableName="pitr-latest", TargetTableName="pitr-x3",
                      UseLatestRestorableTime=True) == "PointInTimeRecoveryUnavailableException"
    assert error_code(ddb.describe_continuous_backups, TableName="missing") == "TableNotFoundException"
    assert "pitr-x1" not in ddb.list_tables()["TableNames"]

    # Turned off: no more restores.
    off = ddb.update_continuous_backups(TableName="pitr-orders",
                                        PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": False})
    assert off["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "DISABLED"
    assert error_code(ddb.restore_table_to_point_in_time, SourceTableName="pitr-orders", TargetTableName="pitr-x4",
                      UseLatestRestorableTime=True) == "PointInTimeRecoveryUnavailableException"


def test_the_change_log_survives_sigkill(kura_factory):
    server = kura_factory()
    ddb = server.client("dynamodb")
    make_table(ddb, "pitr-crash")
    ddb.update_continuous_backups(TableName="pitr-crash",
                                  PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    for i in range(30):
        ddb.put_item(TableName="pitr-crash", Item={"k": {"S": f"k{i:03}"}, "g": {"S": "x"}})
    t = moment()
    ddb.delete_item(TableName="pitr-crash", Key={"k": {"S": "k000"}})
    server.restart(sigkill=True)
    ddb = server.client("dynamodb")
    described = ddb.describe_continuous_backups(TableName="pitr-crash")["ContinuousBackupsDescription"]
    assert described["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
    ddb.restore_table_to_point_in_time(SourceTableName="pitr-crash", TargetTableName="pitr-crash-at-t",
                                       RestoreDateTime=datetime.datetime.fromtimestamp(t, datetime.timezone.utc))
    assert len(full_scan(ddb, "pitr-crash-at-t")) == 30
    # Changes after the restart are logged too.
    ddb.put_item(TableName="pitr-crash", Item={"k": {"S": "after-restart"}, "g": {"S": "x"}})
    ddb.restore_table_to_point_in_time(SourceTableName="pitr-crash", TargetTableName="pitr-crash-latest",
                                       UseLatestRestorableTime=True)
    assert full_scan(ddb, "pitr-crash-latest") == full_scan(ddb, "pitr-crash")


def test_deleting_a_recovered_table_leaves_a_system_backup(kura):
    ddb = kura.client("dynamodb")
    make_table(ddb, "pitr-deleted")
    make_table(ddb, "pitr-never")
    ddb.update_continuous_backups(TableName="pitr-deleted",
                                  PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    for n in range(20):
        ddb.put_item(TableName="pitr-deleted", Item={"k": {"S": f"k{n}"}, "g": {"S": "x"}, "n": {"N": str(n)}})
    before = full_scan(ddb, "pitr-deleted")
    ddb.delete_table(TableName="pitr-deleted")
    ddb.delete_table(TableName="pitr-never")  # no point-in-time recovery: no backup
    # Listed only when asked for SYSTEM (or ALL) backups, as DynamoDB lists them.
    assert ddb.list_backups(TableName="pitr-deleted")["BackupSummaries"] == []
    system = ddb.list_backups(TableName="pitr-deleted", BackupType="SYSTEM")["BackupSummaries"]
    assert [b["BackupName"] for b in system] == ["pitr-deleted$DeletedTableBackup"]
    assert system[0]["BackupType"] == "SYSTEM"
    expiry = system[0]["BackupExpiryDateTime"] - system[0]["BackupCreationDateTime"]
    assert expiry == datetime.timedelta(days=35)
    assert ddb.list_backups(TableName="pitr-never", BackupType="ALL")["BackupSummaries"] == []
    ddb.restore_table_from_backup(TargetTableName="pitr-deleted-back", BackupArn=system[0]["BackupArn"])
    ddb.get_waiter("table_exists").wait(TableName="pitr-deleted-back")
    assert full_scan(ddb, "pitr-deleted-back") == before
