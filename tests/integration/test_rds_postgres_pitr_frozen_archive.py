"""A point-in-time restore of a PostgreSQL instance replays the source's WAL
archive as it stood when the restore began: what the source archives later
(it switches a segment a second while it writes) never reaches the copy.

It used to: the copy's replay read the live archive. A replay that ran out
before its target time (no commit after it archived yet) was run again
without the target, and read on into the segments archived meanwhile; the
accident the restore was to undo (the drill's DELETE, a second after T)
came back with it. Here the window is held open by a crash point between
the restore's files and its replay: the source deletes every row and
archives it while Kura is down, and the copy must still hold them all."""
import glob
import os
import re
import subprocess
import time

from rds_support import create_instance, psql, wait_restorable, wait_status


def source_sql(data_dir, sql):
    """Runs `sql` on the one PostgreSQL server running under `data_dir`
    (the source: the copy is not started yet) through its socket, as Kura's
    own role would (a switch of segments is not the master user's): its
    endpoint is Kura's, and Kura is down."""
    pids = glob.glob(os.path.join(data_dir, "**", "pgdata", "postmaster.pid"), recursive=True)
    assert len(pids) == 1, pids
    with open(pids[0]) as f:
        lines = f.read().splitlines()
    port, socket_dir = lines[3], lines[4]
    result = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                             f"host={socket_dir} port={port} user=rdsadmin dbname=postgres", "-c", sql],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_a_restore_replays_the_archive_as_it_stood_when_the_restore_began(kura_factory):
    kura = kura_factory(["--enable-test-controllers"], env={"KURA_CRASH_AT": "rds-restore-before-replay"})
    rds = kura.client("rds")
    create_instance(rds, "ledger")
    psql(rds, "ledger", "CREATE TABLE marks (id int); INSERT INTO marks SELECT generate_series(1, 50)")
    written = time.time()
    time.sleep(1.1)
    wait_restorable(rds, "ledger", written)
    rds.restore_db_instance_to_point_in_time(SourceDBInstanceIdentifier="ledger", TargetDBInstanceIdentifier="copy",
                                             UseLatestRestorableTime=True)
    # Killed once the copy's files are restored, before its replay.
    assert kura.proc.wait(timeout=120) == -9
    kura.stop()
    # The list holds the segments from the one the backup starts in, none
    # of the archive's older ones (the replay never asks for them).
    [listing] = glob.glob(os.path.join(kura.data_dir, "rds", "instances", "*", "restore-wal-files"))
    with open(os.path.join(os.path.dirname(listing), "pgdata", "backup_label")) as f:
        first = re.search(r"\(file ([0-9A-F]{24})\)", f.read()).group(1)
    with open(listing) as f:
        segments = [name for name in f.read().split() if re.fullmatch(r"[0-9A-F]{24}", name)]
    assert segments and min(segments) == first, (first, segments[:5])
    archive = glob.glob(os.path.join(kura.data_dir, "rds", "wal", "*", first))
    older = [name for name in os.listdir(os.path.dirname(archive[0]))
             if re.fullmatch(r"[0-9A-F]{24}", name) and name < first]
    assert older, "the archive holds no segment older than the backup: nothing to leave out"

    # The source's server outlives Kura: it deletes every row and archives
    # the segment that holds the deletion.
    source_sql(kura.data_dir, "DELETE FROM marks")
    segment = source_sql(kura.data_dir, "SELECT pg_walfile_name(pg_switch_wal())")
    deadline = time.monotonic() + 30
    while source_sql(kura.data_dir, "SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver") < segment:
        assert time.monotonic() < deadline, f"{segment} was not archived"
        time.sleep(0.2)

    del kura.env["KURA_CRASH_AT"]
    kura.start()
    rds = kura.client("rds")
    wait_status(rds, "copy", "available", timeout=180)
    assert psql(rds, "copy", "SELECT count(*) FROM marks") == "50"
    assert psql(rds, "ledger", "SELECT count(*) FROM marks") == "0"
