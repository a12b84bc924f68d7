"""What the RTO benchmarks share: a client that commits numbered rows as
fast as it can and remembers when each was acknowledged, and the report."""
import statistics
import threading
import time

from rds_bench import PASSWORD, is_mysql

# Which server acknowledged a commit: "port@postmaster start time" for
# PostgreSQL, "port@data directory@start second" for MariaDB (a server
# restarted in place counts as another).
SERVER = {"postgres": "SELECT inet_server_port() || '@' || pg_postmaster_start_time(), pg_is_in_recovery()",
          "mariadb": "SELECT CONCAT(@@port, '@', @@datadir, '@', UNIX_TIMESTAMP() - VARIABLE_VALUE), @@read_only "
                     "FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'UPTIME'"}


def connect(host, port, timeout=2, engine="postgres", read_timeout=10):
    """For PostgreSQL host and port may be comma-separated lists (libpq tries
    each in turn; PGTARGETSESSIONATTRS=read-write in the environment picks the
    primary). The MySQL engines work in the database `bench`, autocommit."""
    if is_mysql(engine):
        import pymysql  # noqa: PLC0415 - only the MySQL engines need it
        return pymysql.connect(host=host, port=int(port), user="admin", password=PASSWORD, database="bench",
                               connect_timeout=timeout, read_timeout=read_timeout, write_timeout=read_timeout,
                               autocommit=True)
    import psycopg2  # noqa: PLC0415
    return psycopg2.connect(host=host, port=port, user="admin", password=PASSWORD, dbname="postgres",
                            connect_timeout=timeout)


def query(host, port, statement, engine="postgres", timeout=2, read_timeout=10):
    """Every row of one statement, on a connection of its own."""
    conn = connect(host, port, timeout=timeout, engine=engine, read_timeout=read_timeout)
    try:
        with conn.cursor() as cur:
            cur.execute(statement)
            return cur.fetchall() if cur.description else []
    finally:
        conn.close()


def connect_retrying(host, port, seconds=60, engine="postgres"):
    deadline = time.monotonic() + seconds
    while True:
        try:
            return connect(host, port, engine=engine)
        except Exception:  # noqa: BLE001 - either driver's connection error
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


class Writer(threading.Thread):
    """Inserts numbered rows through one endpoint, one commit each."""

    def __init__(self, host, port, engine="postgres"):
        super().__init__(daemon=True)
        self.host, self.port, self.engine = host, port, engine
        self.acked, self.times, self.next, self.stop = [], [], 0, threading.Event()
        self.servers = []  # which server acknowledged each commit: "port@postmaster start time"

    def run(self):
        conn, server = None, None
        while not self.stop.is_set():
            try:
                if conn is None:
                    conn = connect(self.host, self.port, engine=self.engine)
                    conn.autocommit = True
                    with conn.cursor() as cur:
                        cur.execute(SERVER["mariadb" if is_mysql(self.engine) else "postgres"])
                        server, recovering = cur.fetchone()
                        print("writer connected at", time.strftime("%H:%M:%S", time.gmtime()), server, recovering,
                              flush=True)
                n, self.next = self.next, self.next + 1
                with conn.cursor() as cur:
                    cur.execute("INSERT INTO acked (n) VALUES (%s)", (n,))
                self.acked.append(n)
                self.times.append(time.monotonic())
                self.servers.append(server)
            except Exception:  # noqa: BLE001 - connections drop in a failover
                conn = None
                time.sleep(0.01)

    def current_server(self):
        return self.servers[-1] if self.servers else None

    def first_commit_after(self, moment, old_server=None):
        """When the first commit after `moment` was acknowledged, by another
        server than `old_server` (current_server() before the fault: a killed
        postmaster's backends may still commit for a moment, which is not
        recovery; a server restarted in place counts as another)."""
        recent = list(zip(self.times[-2000:], self.servers[-2000:]))
        after = [t for t, server in recent if t > moment and server != old_server]
        return after[0] if after else None


def report(results, writer, stored):
    """Prints median/p95 RTO per fault and the acknowledged rows lost."""
    missing = sorted(set(writer.acked) - set(stored))
    if missing:  # where they are, as ranges
        ranges, start = [], missing[0]
        for a, b in zip(missing, missing[1:] + [None]):
            if b != a + 1:
                ranges.append(f"{start}-{a}")
                start = b
        print("lost ranges:", ", ".join(ranges[:20]), "of", len(writer.acked))
        when = dict(zip(writer.acked, writer.times))
        wall = time.time() - time.monotonic()
        print("first lost acknowledged at", time.strftime("%H:%M:%S", time.gmtime(wall + when[missing[0]])),
              "last at", time.strftime("%H:%M:%S", time.gmtime(wall + when[missing[-1]])))
    for fault, rtos in results.items():
        rtos.sort()
        p95 = rtos[min(len(rtos) - 1, int(round(0.95 * (len(rtos) - 1))))]
        print(f"{fault}: RTO median {statistics.median(rtos):.2f} s, p95 {p95:.2f} s, "
              f"min {rtos[0]:.2f}, max {rtos[-1]:.2f} ({len(rtos)} trials)")
    print(f"acknowledged commits: {len(writer.acked)}, lost: {len(missing)}, "
          f"duplicated: {len(stored) - len(set(stored))}")
