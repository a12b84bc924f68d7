"""An RDS instance's storage as RDS accounts for it: FreeStorageSpace is
what the instance's files leave of its AllocatedStorage (not the host's
free disk), and falls as data is written; AllocatedStorage only grows, by
10% or more; MaxAllocatedStorage (storage autoscaling) is checked as RDS
checks it, and set to the allocation turns autoscaling off."""
import time

import botocore.exceptions
import pytest

from model_overlay import newer_client
from rds_support import PASSWORD, create_instance, eventually, psql, wait_status

GIB = 1 << 30


def error_code(call, **params):
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call(**params)
    return info.value.response["Error"]["Code"]


def free_storage(cw, identifier):
    """The FreeStorageSpace datapoints of the last ten minutes, one a minute (their minimum)."""
    points = cw.get_metric_statistics(Namespace="AWS/RDS", MetricName="FreeStorageSpace",
                                      Dimensions=[{"Name": "DBInstanceIdentifier", "Value": identifier}],
                                      StartTime=time.time() - 600, EndTime=time.time() + 60, Period=60,
                                      Statistics=["Minimum"])["Datapoints"]
    return [point["Minimum"] for point in points]


def test_free_storage_space_is_what_the_files_leave_of_the_allocation(kura):
    rds, cw = kura.client("rds"), kura.client("cloudwatch")
    create_instance(rds, "stored", AllocatedStorage=20, MaxAllocatedStorage=40, BackupRetentionPeriod=0)
    described = rds.describe_db_instances(DBInstanceIdentifier="stored")["DBInstances"][0]
    assert described["AllocatedStorage"] == 20 and described["MaxAllocatedStorage"] == 40

    first = eventually(lambda: free_storage(cw, "stored"), "a FreeStorageSpace datapoint", timeout=60)
    # Never more than the allocation, however much the host has free; the
    # new instance's own files (its data and WAL) are taken from it.
    assert 0 < max(first) < 20 * GIB
    # 64 MB of rows, and their WAL: measured again within half a minute.
    psql(rds, "stored", "CREATE TABLE filler AS SELECT g, repeat('x', 1000) AS pad "
                        "FROM generate_series(1, 64000) g")
    lowest = eventually(lambda: [v for v in free_storage(cw, "stored") if v <= max(first) - 48 * 1000 * 1000],
                        "FreeStorageSpace to fall by the rows written", timeout=90)
    assert lowest

    # The allocation only grows, and by 10% or more; the maximum stays above it.
    assert error_code(rds.modify_db_instance, DBInstanceIdentifier="stored", AllocatedStorage=10,
                      ApplyImmediately=True) == "InvalidParameterCombination"
    assert error_code(rds.modify_db_instance, DBInstanceIdentifier="stored", AllocatedStorage=21,
                      ApplyImmediately=True) == "InvalidParameterCombination"
    assert error_code(rds.modify_db_instance, DBInstanceIdentifier="stored", AllocatedStorage=50,
                      ApplyImmediately=True) == "InvalidParameterCombination"  # above the maximum of 40
    assert error_code(rds.modify_db_instance, DBInstanceIdentifier="stored", MaxAllocatedStorage=21,
                      ApplyImmediately=True) == "InvalidParameterCombination"
    # Past RDS's largest size: the message names which size.
    with pytest.raises(botocore.exceptions.ClientError) as info:
        rds.modify_db_instance(DBInstanceIdentifier="stored", MaxAllocatedStorage=70000, ApplyImmediately=True)
    assert info.value.response["Error"]["Code"] == "InvalidParameterValue"
    assert info.value.response["Error"]["Message"].startswith("Invalid max storage size: 70000.")
    out = rds.modify_db_instance(DBInstanceIdentifier="stored", AllocatedStorage=30, ApplyImmediately=True)
    assert out["DBInstance"]["AllocatedStorage"] == 30
    # A maximum equal to the allocation turns storage autoscaling off.
    rds.modify_db_instance(DBInstanceIdentifier="stored", MaxAllocatedStorage=30, ApplyImmediately=True)
    described = rds.describe_db_instances(DBInstanceIdentifier="stored")["DBInstances"][0]
    assert described["AllocatedStorage"] == 30 and "MaxAllocatedStorage" not in described
    assert psql(rds, "stored", "SELECT count(*) FROM filler") == "64000"
    # An allocation held for the maintenance window counts against a maximum
    # set now, and an immediate modification applies both.
    rds.modify_db_instance(DBInstanceIdentifier="stored", AllocatedStorage=40)
    assert error_code(rds.modify_db_instance, DBInstanceIdentifier="stored", MaxAllocatedStorage=42,
                      ApplyImmediately=True) == "InvalidParameterCombination"
    assert rds.describe_db_instances(DBInstanceIdentifier="stored")["DBInstances"][0]["AllocatedStorage"] == 30
    rds.modify_db_instance(DBInstanceIdentifier="stored", MaxAllocatedStorage=50, ApplyImmediately=True)
    described = rds.describe_db_instances(DBInstanceIdentifier="stored")["DBInstances"][0]
    assert described["AllocatedStorage"] == 40 and described["MaxAllocatedStorage"] == 50

    # A restore takes its snapshot's allocation, or more when asked (a newer
    # SDK's AllocatedStorage).
    newer = newer_client(kura, "rds")
    rds.create_db_snapshot(DBInstanceIdentifier="stored", DBSnapshotIdentifier="stored-snap")
    wait_status(rds, "stored-snap", "available", snapshot=True)
    assert error_code(newer.restore_db_instance_from_db_snapshot, DBInstanceIdentifier="smaller",
                      DBSnapshotIdentifier="stored-snap", AllocatedStorage=30) == "InvalidParameterCombination"
    newer.restore_db_instance_from_db_snapshot(DBInstanceIdentifier="larger", DBSnapshotIdentifier="stored-snap",
                                               AllocatedStorage=60)
    wait_status(rds, "larger", "available")
    described = rds.describe_db_instances(DBInstanceIdentifier="larger")["DBInstances"][0]
    assert described["AllocatedStorage"] == 60 and "MaxAllocatedStorage" not in described
    assert psql(rds, "larger", "SELECT count(*) FROM filler") == "64000"


def test_a_new_instance_maximum_must_be_ten_percent_above_its_allocation(kura):
    rds = kura.client("rds")
    base = dict(DBInstanceIdentifier="refused", Engine="postgres", DBInstanceClass="db.t3.micro",
                MasterUsername="admin", MasterUserPassword=PASSWORD, AllocatedStorage=100)
    assert error_code(rds.create_db_instance, **base, MaxAllocatedStorage=100) == "InvalidParameterCombination"
    assert error_code(rds.create_db_instance, **base, MaxAllocatedStorage=105) == "InvalidParameterCombination"
    assert error_code(rds.create_db_instance, **base, MaxAllocatedStorage=70000) == "InvalidParameterValue"
    assert error_code(rds.describe_db_instances, DBInstanceIdentifier="refused") == "DBInstanceNotFound"
