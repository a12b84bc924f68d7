"""A PostgreSQL instance's LatestRestorableTime counts a WAL segment's
commits from when the segment was written, not from when it reached the
archive: a segment archived late (the archive was not writable for a
while) made Kura count commits of the next segment, which was not archived
yet, as restorable."""
import os
import time

import pytest

from rds_support import (create_instance, instance_archive, latest_restorable as latest, psql, server_sql,
                         wait_restorable, wait_status)


def test_a_segment_archived_late_counts_from_when_it_was_written(kura_factory):
    if os.geteuid() != 0:
        pytest.skip("keeping the archive from the engine's user takes root")
    kura = kura_factory()
    rds = kura.client("rds")
    create_instance(rds, "late")
    resource, archive = instance_archive(kura.data_dir, rds, "late")
    current = lambda: server_sql(kura.data_dir, resource, "SELECT pg_walfile_name(pg_current_wal_insert_lsn())")  # noqa: E731
    archived = lambda: server_sql(kura.data_dir, resource,  # noqa: E731
                                  "SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver")
    psql(rds, "late", "CREATE TABLE marks (label text); INSERT INTO marks VALUES ('A')")
    wait_restorable(rds, "late", time.time())
    mode = os.stat(archive).st_mode & 0o7777
    os.chmod(archive, 0o500)  # the engine's user cannot write to it (root, this test, can)
    blocker = None
    try:
        psql(rds, "late", "INSERT INTO marks VALUES ('B')")
        first = current()
        deadline = time.monotonic() + 20
        while current() == first:  # archive_timeout switches it within a second or so
            assert time.monotonic() < deadline, "the segment did not switch"
            time.sleep(0.2)
        # 'C' in the next segment, which stays out of the archive: a file of
        # its name is there already (the archive command never overwrites).
        psql(rds, "late", "INSERT INTO marks VALUES ('C')")
        written = time.time()
        blocker = os.path.join(archive, current())
        assert os.path.basename(blocker) > first
        with open(blocker, "wb"):
            pass
        os.utime(blocker, (0, 0))
        time.sleep(2.5)
    finally:
        os.chmod(archive, mode)
    # B's segment is archived now, 2.5 s after 'C' was written. (A new
    # segment's switch wakes the archiver.)
    deadline = time.monotonic() + 120
    while archived() < first:
        assert time.monotonic() < deadline, f"{first} was not archived"
        psql(rds, "late", "INSERT INTO marks VALUES ('wake')")
        time.sleep(1)
    time.sleep(5)  # the supervisor follows the archive every other second
    assert latest(rds, "late").timestamp() < written, "'C' counted as restorable, its segment not archived"
    os.remove(blocker)
    deadline = time.monotonic() + 120
    while latest(rds, "late").timestamp() < written + 1:
        assert time.monotonic() < deadline, "LatestRestorableTime stalls once the archive takes segments again"
        psql(rds, "late", "INSERT INTO marks VALUES ('wake')")
        time.sleep(1)
    rds.restore_db_instance_to_point_in_time(SourceDBInstanceIdentifier="late", TargetDBInstanceIdentifier="late-copy",
                                             UseLatestRestorableTime=True)
    wait_status(rds, "late-copy", "available", timeout=180)
    assert psql(rds, "late-copy", "SELECT string_agg(label, ',' ORDER BY label) FROM marks WHERE label <> 'wake'") == \
        "A,B,C"
