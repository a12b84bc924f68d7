"""Helpers for RDS tests: wait for statuses, run SQL through psql."""
import datetime
import os
import subprocess
import time

PASSWORD = "S3cret-pass"


def wait_status(rds, identifier, wanted, timeout=120, snapshot=False):
    deadline = time.monotonic() + timeout
    status = None
    while time.monotonic() < deadline:
        if snapshot:
            status = rds.describe_db_snapshots(DBSnapshotIdentifier=identifier)["DBSnapshots"][0]["Status"]
        else:
            status = rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]["DBInstanceStatus"]
        if status == wanted:
            return
        if status in ("failed", "incompatible-restore") and wanted != status:
            raise AssertionError(f"{identifier} is {status}")
        time.sleep(0.2)
    raise AssertionError(f"{identifier} is still {status}, not {wanted}")


def wait_restorable(rds, identifier, written, timeout=60):
    """Waits until the instance's LatestRestorableTime reaches `written` (a
    datetime, or epoch seconds); returns it."""
    if isinstance(written, (int, float)):
        written = datetime.datetime.fromtimestamp(written, datetime.timezone.utc)
    deadline, latest = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        latest = rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0].get("LatestRestorableTime")
        if latest and latest >= written:
            return latest
        time.sleep(0.5)
    raise AssertionError(f"{identifier}: LatestRestorableTime stalls at {latest}, not {written}")


def wait_gone(rds, names, timeout=120):
    """Waits until each instance of `names` is deleted."""
    for name in names:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                rds.describe_db_instances(DBInstanceIdentifier=name)
            except rds.exceptions.DBInstanceNotFoundFault:
                break
            time.sleep(0.3)
        else:
            raise AssertionError(f"{name} is not gone")


def endpoint(rds, identifier):
    instance = rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]
    return instance["Endpoint"]["Address"], instance["Endpoint"]["Port"]


def psql(rds, identifier, sql, user="admin", password=PASSWORD, dbname="postgres", check=True):
    host, port = endpoint(rds, identifier)
    env = dict(os.environ, PGPASSWORD=password, PGCONNECT_TIMEOUT="10")
    result = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                             f"host={host} port={port} user={user} dbname={dbname}", "-c", sql],
                            capture_output=True, text=True, env=env, timeout=60)
    if check and result.returncode != 0:
        raise AssertionError(f"psql failed: {result.stderr}")
    return result.stdout.strip() if result.returncode == 0 else result


def create_instance(rds, identifier, **extra):
    params = dict(DBInstanceIdentifier=identifier, Engine="postgres", DBInstanceClass="db.t3.micro",
                  MasterUsername="admin", MasterUserPassword=PASSWORD, AllocatedStorage=20,
                  BackupRetentionPeriod=1)
    params.update(extra)
    rds.create_db_instance(**params)
    wait_status(rds, identifier, "available")


# Aurora clusters, of either engine.
def cluster(rds, identifier):
    return rds.describe_db_clusters(DBClusterIdentifier=identifier)["DBClusters"][0]


def wait_cluster(rds, identifier, wanted="available", timeout=120):
    deadline, status = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        status = cluster(rds, identifier)["Status"]
        if status == wanted:
            return
        time.sleep(0.2)
    raise AssertionError(f"cluster {identifier} is still {status}, not {wanted}")


def wait_instances(rds, identifiers, timeout=240):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        statuses = {i["DBInstanceIdentifier"]: i["DBInstanceStatus"] for i in rds.describe_db_instances()["DBInstances"]}
        if all(statuses.get(identifier) == "available" for identifier in identifiers):
            return
        failed = [i for i in identifiers if statuses.get(i) in ("failed", "incompatible-restore")]
        if failed:
            events = rds.describe_events(SourceType="db-instance", SourceIdentifier=failed[0])["Events"]
            raise AssertionError(f"{failed} failed: {[e['Message'] for e in events]}")
        time.sleep(0.2)
    raise AssertionError(f"instances not available: {statuses}")


def writer_of(rds, identifier):
    members = cluster(rds, identifier)["DBClusterMembers"]
    writers = [m["DBInstanceIdentifier"] for m in members if m["IsClusterWriter"]]
    assert len(writers) == 1, members
    return writers[0]


def server_sql(data_dir, resource, sql):
    """`sql` as Kura's own role over the instance's socket (what a segment's
    name is, and what was archived, are not the master user's to ask)."""
    with open(os.path.join(data_dir, "rds", "instances", resource, "pgdata", "postmaster.pid")) as f:
        lines = f.read().splitlines()
    result = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                             f"host={lines[4]} port={lines[3]} user=rdsadmin dbname=postgres", "-c", sql],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def latest_restorable(rds, identifier):
    return rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0].get("LatestRestorableTime")


def instance_archive(data_dir, rds, identifier):
    """An instance's resource id and its WAL or binary log archive's folder."""
    resource = rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]["DbiResourceId"]
    return resource, os.path.join(data_dir, "rds", "wal", resource)


def sealed_contents(path):
    """A sealed tree's file, read; None for a WAL segment that was being
    sealed when the tree was listed (its ".sealing" file, ciphertext too,
    renamed into place since). Any other file that vanishes fails."""
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        assert path.endswith(".sealing"), f"{path} vanished"
        return None


def eventually(check, what, timeout=30):
    """check()'s first truthy answer within `timeout` seconds, asked five
    times a second; on timeout the error names `what` and the last answer."""
    deadline, value = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"{what}: {value!r}")
