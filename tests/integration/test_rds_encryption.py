"""Encrypted RDS instances: snapshots sealed under the instance's KMS key
(no backup file readable without it), restores that read the data back,
and a disabled key that blocks restores with KMSKeyNotAccessibleFault."""
import os
import time

import botocore.exceptions
import pytest

from rds_support import create_instance, psql, sealed_contents, wait_restorable, wait_status


def error_code(call, *args, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call(*args, **kwargs)
    return info.value.response["Error"]["Code"]


def snapshot_files(data_dir, marker_file):
    """The files of every snapshot directory that holds `marker_file`."""
    found = []
    for folder, _, files in os.walk(data_dir):
        if marker_file in files:
            found.append((folder, [os.path.join(folder, f) for f in files]))
    return found


def test_encrypted_snapshot_is_sealed_and_restores(kura_factory):
    server = kura_factory()
    rds, kms = server.client("rds"), server.client("kms")
    key = kms.create_key(Description="rds")["KeyMetadata"]
    assert error_code(rds.create_db_instance, DBInstanceIdentifier="x", Engine="postgres",
                      DBInstanceClass="db.t3.micro", MasterUsername="admin", MasterUserPassword="S3cret-pass",
                      StorageEncrypted=True, KmsKeyId="alias/none") == "KMSKeyNotAccessibleFault"
    create_instance(rds, "vault", StorageEncrypted=True, KmsKeyId=key["KeyId"], BackupRetentionPeriod=1)
    instance = rds.describe_db_instances(DBInstanceIdentifier="vault")["DBInstances"][0]
    assert instance["StorageEncrypted"] is True and instance["KmsKeyId"] == key["Arn"]
    marker = "marker-" + os.urandom(6).hex()
    psql(rds, "vault", f"CREATE TABLE s (v text); INSERT INTO s SELECT '{marker}' FROM generate_series(1, 2000)")
    rds.create_db_snapshot(DBInstanceIdentifier="vault", DBSnapshotIdentifier="vault-snap")
    wait_status(rds, "vault-snap", "available", snapshot=True)
    snapshot = rds.describe_db_snapshots(DBSnapshotIdentifier="vault-snap")["DBSnapshots"][0]
    assert snapshot["Encrypted"] is True and snapshot["KmsKeyId"] == key["Arn"]

    sealed = snapshot_files(server.data_dir, "kura-envelope.json")
    assert len(sealed) == 3  # the manual snapshot, the first automated one, the WAL archive
    for path in [p for _, files in sealed for p in files]:
        data = sealed_contents(path)
        assert data is None or marker.encode() not in data, path
        assert not data.startswith(b"\x1f\x8b"), f"{path} is a readable gzip file"

    rds.restore_db_instance_from_db_snapshot(DBInstanceIdentifier="vault-back", DBSnapshotIdentifier="vault-snap")
    wait_status(rds, "vault-back", "available")
    assert psql(rds, "vault-back", f"SELECT count(*) FROM s WHERE v = '{marker}'") == "2000"
    restored = rds.describe_db_instances(DBInstanceIdentifier="vault-back")["DBInstances"][0]
    assert restored["StorageEncrypted"] is True and restored["KmsKeyId"] == key["Arn"]
    # No opened copy of the snapshot is left behind.
    assert not [d for d, _ in snapshot_files(server.data_dir, "kura-manifest.json") if "opened" in d]

    # Point in time, from the sealed automated backup and the sealed WAL archive.
    psql(rds, "vault", "INSERT INTO s VALUES ('after the snapshot')")
    # The restorable window reaches past the write (seeing it move was not
    # enough: a value published before the write could be the one seen).
    wait_restorable(rds, "vault", time.time())
    rds.restore_db_instance_to_point_in_time(SourceDBInstanceIdentifier="vault", TargetDBInstanceIdentifier="vault-pitr",
                                             UseLatestRestorableTime=True)
    wait_status(rds, "vault-pitr", "available")
    assert psql(rds, "vault-pitr", "SELECT count(*) FROM s WHERE v = 'after the snapshot'") == "1"
    assert not [d for d, _ in snapshot_files(server.data_dir, "000000010000000000000001") if "opened" in d]

    kms.disable_key(KeyId=key["KeyId"])
    assert error_code(rds.restore_db_instance_from_db_snapshot, DBInstanceIdentifier="vault-locked",
                      DBSnapshotIdentifier="vault-snap") == "KMSKeyNotAccessibleFault"
    assert psql(rds, "vault", "SELECT count(*) FROM s") == "2001"  # nothing else breaks
    kms.enable_key(KeyId=key["KeyId"])
    rds.restore_db_instance_from_db_snapshot(DBInstanceIdentifier="vault-again", DBSnapshotIdentifier="vault-snap")
    wait_status(rds, "vault-again", "available")
    assert psql(rds, "vault-again", "SELECT count(*) FROM s") == "2000"
