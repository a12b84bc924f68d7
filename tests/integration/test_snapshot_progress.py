"""DBSnapshot.PercentProgress follows the copy as it runs (PostgreSQL's
count of the bytes pg_basebackup streamed, against its total), rising
through values between 0 and 100, never back, and 100 once available;
a snapshot copy the same way, from the bytes copied."""
import time

from rds_support import create_instance, psql, wait_status


def progress_until_available(rds, identifier):
    seen = []
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        snapshot = rds.describe_db_snapshots(DBSnapshotIdentifier=identifier)["DBSnapshots"][0]
        seen.append(snapshot["PercentProgress"])
        if snapshot["Status"] == "available":
            return seen
        assert snapshot["Status"] == "creating", snapshot
        time.sleep(0.05)
    raise AssertionError(f"{identifier} not available: {seen[-5:]}")


def test_percent_progress_follows_the_copy(kura):
    rds = kura.client("rds")
    create_instance(rds, "progress-pg")
    # About 130 MB of rows that gzip does not shrink to nothing: the backup
    # takes a few seconds here.
    psql(rds, "progress-pg", "CREATE TABLE filler AS SELECT g, repeat(md5(g::text), 20) AS pad "
                             "FROM generate_series(1, 200000) g")
    rds.create_db_snapshot(DBInstanceIdentifier="progress-pg", DBSnapshotIdentifier="progress-pg-1")
    seen = progress_until_available(rds, "progress-pg-1")
    assert seen[-1] == 100
    assert seen == sorted(seen), seen  # never back
    between = sorted({p for p in seen if 0 < p < 100})
    assert len(between) >= 2, seen  # not a jump from 0 to 100

    rds.copy_db_snapshot(SourceDBSnapshotIdentifier="progress-pg-1", TargetDBSnapshotIdentifier="progress-pg-2")
    copied = progress_until_available(rds, "progress-pg-2")
    assert copied[-1] == 100 and copied == sorted(copied), copied
    rds.delete_db_instance(DBInstanceIdentifier="progress-pg", SkipFinalSnapshot=True)
    for name in ("progress-pg-1", "progress-pg-2"):
        rds.delete_db_snapshot(DBSnapshotIdentifier=name)
