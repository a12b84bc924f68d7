"""RDS read replicas on real PostgreSQL: rows written on the source appear
on the replica, the replica refuses writes, and once promoted it takes
writes of its own and no longer follows the source."""
import time

import botocore.exceptions
import pytest

from rds_support import create_instance, psql, wait_status


def wait_rows(rds, identifier, sql, wanted, timeout=30):
    deadline = time.monotonic() + timeout
    value = None
    while time.monotonic() < deadline:
        value = psql(rds, identifier, sql, check=False)
        if value == wanted:
            return
        time.sleep(0.2)
    raise AssertionError(f"{identifier}: {sql} gave {value!r}, not {wanted!r}")


def test_read_replica_follows_then_promotes(kura_factory):
    server = kura_factory()
    rds = server.client("rds")
    create_instance(rds, "src", BackupRetentionPeriod=0)
    with pytest.raises(botocore.exceptions.ClientError) as info:
        rds.create_db_instance_read_replica(DBInstanceIdentifier="early", SourceDBInstanceIdentifier="src")
    assert info.value.response["Error"]["Code"] == "InvalidDBInstanceState"  # no automated backups yet
    rds.modify_db_instance(DBInstanceIdentifier="src", BackupRetentionPeriod=1, ApplyImmediately=True)
    wait_status(rds, "src", "available")
    psql(rds, "src", "CREATE TABLE t (n int); INSERT INTO t VALUES (1)")
    rds.create_db_instance_read_replica(DBInstanceIdentifier="replica", SourceDBInstanceIdentifier="src")
    wait_status(rds, "replica", "available")
    replica = rds.describe_db_instances(DBInstanceIdentifier="replica")["DBInstances"][0]
    assert replica["ReadReplicaSourceDBInstanceIdentifier"] == "src"
    assert replica["StatusInfos"][0]["Status"] == "replicating"
    source = rds.describe_db_instances(DBInstanceIdentifier="src")["DBInstances"][0]
    assert source["ReadReplicaDBInstanceIdentifiers"] == ["replica"]

    psql(rds, "src", "INSERT INTO t VALUES (2)")
    wait_rows(rds, "replica", "SELECT string_agg(n::text, ',' ORDER BY n) FROM t", "1,2")
    refused = psql(rds, "replica", "INSERT INTO t VALUES (99)", check=False)
    assert refused.returncode != 0 and "read-only" in refused.stderr

    rds.promote_read_replica(DBInstanceIdentifier="replica", BackupRetentionPeriod=0)
    wait_status(rds, "replica", "available")
    psql(rds, "replica", "INSERT INTO t VALUES (3)")
    psql(rds, "src", "INSERT INTO t VALUES (4)")
    time.sleep(1)
    assert psql(rds, "replica", "SELECT string_agg(n::text, ',' ORDER BY n) FROM t") == "1,2,3"
    assert psql(rds, "src", "SELECT string_agg(n::text, ',' ORDER BY n) FROM t") == "1,2,4"
    promoted = rds.describe_db_instances(DBInstanceIdentifier="replica")["DBInstances"][0]
    assert "ReadReplicaSourceDBInstanceIdentifier" not in promoted
    assert rds.describe_db_instances(DBInstanceIdentifier="src")["DBInstances"][0]["ReadReplicaDBInstanceIdentifiers"] == []
