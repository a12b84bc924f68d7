"""Aurora cluster drills: an encrypted cluster whose snapshots and volume
are sealed under its KMS key, a SIGKILL of Kura itself, a hung writer
(SIGSTOP) that is fenced and failed over, and a master password changed
on the cluster that really changes in PostgreSQL."""
import os
import signal
import time

import pytest

from rds_support import PASSWORD, psql, sealed_contents
from test_rds_aurora import (ENGINE, add_instances, cluster, eventually, on_reader, on_writer, sql_at,
                             steady_writer, wait_cluster, writer_of, writer_pid)


def sealed_files(data_dir):
    found = []
    for folder, _, files in os.walk(data_dir):
        if "kura-envelope.json" in files:
            found += [os.path.join(folder, f) for f in files]
    return found


@pytest.mark.serial
def test_encrypted_cluster_kura_kill_hung_writer_and_password(kura_factory):
    server = kura_factory()
    rds, kms = server.client("rds"), server.client("kms")
    key = kms.create_key(Description="aurora")["KeyMetadata"]
    rds.create_db_cluster(DBClusterIdentifier="enc", Engine=ENGINE, MasterUsername="admin",
                          MasterUserPassword=PASSWORD, StorageEncrypted=True, KmsKeyId=key["KeyId"])
    wait_cluster(rds, "enc")
    assert cluster(rds, "enc")["KmsKeyId"] == key["Arn"] and cluster(rds, "enc")["StorageEncrypted"] is True
    add_instances(rds, "enc", ["enc-1"])
    add_instances(rds, "enc", ["enc-2"])
    marker = "marker-" + os.urandom(6).hex()
    on_writer(rds, "enc", f"CREATE TABLE s (v text); INSERT INTO s SELECT '{marker}' FROM generate_series(1, 500)")
    rds.create_db_cluster_snapshot(DBClusterIdentifier="enc", DBClusterSnapshotIdentifier="enc-snap")
    eventually(lambda: rds.describe_db_cluster_snapshots(DBClusterSnapshotIdentifier="enc-snap")
               ["DBClusterSnapshots"][0]["Status"] == "available", "snapshot", timeout=120)
    snapshot = rds.describe_db_cluster_snapshots(DBClusterSnapshotIdentifier="enc-snap")["DBClusterSnapshots"][0]
    assert snapshot["StorageEncrypted"] is True and snapshot["KmsKeyId"] == key["Arn"]
    files = sealed_files(server.data_dir)
    assert any("cluster-snapshots" in f for f in files)
    for path in files:
        data = sealed_contents(path)
        assert data is None or (marker.encode() not in data and not data.startswith(b"\x1f\x8b")), path

    # Kura dies: the engines carry on, and the endpoints come back with it.
    server.restart(sigkill=True)
    rds = server.client("rds")
    eventually(lambda: on_writer(rds, "enc", "SELECT count(*) FROM s", check=False) == "500", "cluster endpoint")
    eventually(lambda: on_reader(rds, "enc", "SELECT count(*) FROM s", check=False) == "500", "reader endpoint")

    # The writer hangs: it is fenced (killed, not merely stopped) and the reader takes over.
    on_writer(rds, "enc", "CREATE TABLE acked (n int)")
    c = cluster(rds, "enc")
    writer = steady_writer(c["Endpoint"], c["Port"])
    writer.start()
    try:
        writer.wait_resumed()
        old = writer_of(rds, "enc")
        pid = writer_pid(server, rds, old)
        os.killpg(pid, signal.SIGSTOP)
        eventually(lambda: writer_of(rds, "enc") != old, "the hung writer was not replaced")
        writer.wait_resumed()
        with pytest.raises(OSError):
            os.killpg(pid, signal.SIGCONT)
        wait_cluster(rds, "enc", timeout=60)
        eventually(lambda: psql(rds, old, "SELECT pg_is_in_recovery()", check=False) == "t",
                   f"{old} did not come back as a reader", timeout=90)
    finally:
        writer.stop.set()
        writer.join(timeout=10)
    stored = set(int(r) for r in on_writer(rds, "enc", "SELECT string_agg(n::text, ',') FROM acked").split(","))
    assert not set(writer.acked) - stored, "acknowledged rows lost"

    # A new master password on the cluster: the old one stops working.
    rds.modify_db_cluster(DBClusterIdentifier="enc", MasterUserPassword="N3w-cluster-pass", ApplyImmediately=True)
    c = cluster(rds, "enc")
    eventually(lambda: sql_at(c["Endpoint"], c["Port"], "SELECT 1", check=False, password="N3w-cluster-pass") == "1",
               "the new password does not work")
    refused = sql_at(c["Endpoint"], c["Port"], "SELECT 1", check=False)
    assert refused.returncode != 0 and "password authentication failed" in refused.stderr

    # The cluster's restorable window works for an encrypted cluster too,
    # up to the moment the password changed and past it.
    changed = time.time()

    def archived_past_change():
        # Writes keep the archive moving (an idle server archives nothing).
        sql_at(c["Endpoint"], c["Port"], "INSERT INTO acked VALUES (-1)", password="N3w-cluster-pass")
        latest = cluster(rds, "enc").get("LatestRestorableTime")
        return latest and latest.timestamp() > changed + 1

    eventually(archived_past_change, "restorable time", timeout=60)
    rds.restore_db_cluster_to_point_in_time(DBClusterIdentifier="enc-back", SourceDBClusterIdentifier="enc",
                                            UseLatestRestorableTime=True)
    wait_cluster(rds, "enc-back")
    add_instances(rds, "enc-back", ["enc-back-1"])
    c = cluster(rds, "enc-back")
    assert c["StorageEncrypted"] is True
    assert sql_at(c["Endpoint"], c["Port"], f"SELECT count(*) FROM s WHERE v = '{marker}'",
                  password="N3w-cluster-pass") == "500"
