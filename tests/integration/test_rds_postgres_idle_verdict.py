"""An idle PostgreSQL instance's LatestRestorableTime moves with the clock,
on a verdict ("everything is archived") that Kura keeps while the newest
WAL file stays as it was. A file's time is the kernel's coarse clock: a
commit written within the same tick as the file's last write leaves its
time and its size (a segment's size is fixed) unchanged. A verdict formed
within that tick then vouched for the commit, which was not archived."""
import datetime
import os
import time

import pytest

from rds_support import create_instance, instance_archive, latest_restorable as latest, psql, server_sql, wait_restorable


def test_a_verdict_on_a_file_written_just_now_is_not_kept(kura_factory):
    if os.geteuid() != 0:
        pytest.skip("keeping a segment out of the engine's archive takes root")
    kura = kura_factory()
    rds = kura.client("rds")
    create_instance(rds, "racy")
    resource, archive = instance_archive(kura.data_dir, rds, "racy")
    pg_wal = os.path.join(kura.data_dir, "rds", "instances", resource, "pgdata", "pg_wal")
    psql(rds, "racy", "CREATE TABLE marks (label text); INSERT INTO marks VALUES ('A')")
    wait_restorable(rds, "racy", time.time() + 1)  # idle, and every moment restorable
    segment = server_sql(kura.data_dir, resource, "SELECT pg_walfile_name(pg_current_wal_insert_lsn())")
    # The segment 'B' goes into stays out of the archive (the archive
    # command never overwrites a file there).
    blocker = os.path.join(archive, segment)
    with open(blocker, "wb"):
        pass
    os.utime(blocker, (0, 0))  # not taken for the newest archived segment
    # Its time, a moment ahead: whenever the supervisor looks next, the
    # newest WAL file was written "just now", within the tick of its look.
    tick = time.time_ns() + 5_000_000_000
    os.utime(os.path.join(pg_wal, segment), ns=(tick, tick))
    time.sleep(3)  # the supervisor forms its verdict every other second
    written = datetime.datetime.now(datetime.timezone.utc)
    psql(rds, "racy", "INSERT INTO marks VALUES ('B')")
    assert server_sql(kura.data_dir, resource, "SELECT pg_walfile_name(pg_current_wal_insert_lsn())") == segment
    # 'B' was written within that tick: the file keeps its time. (The
    # segment's switch, a second later, writes to it too.)
    deadline = time.monotonic() + 6
    while time.monotonic() < deadline:
        os.utime(os.path.join(pg_wal, segment), ns=(tick, tick))
        seen = latest(rds, "racy")
        assert seen < written, f"'B' counted as restorable at {seen}, its segment not archived"
        time.sleep(0.05)
