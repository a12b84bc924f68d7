"""The peers of bench/rds_snapshot_restore.py, one class an engine: the data
loaded into the instance, the plain tools' backup of the same server and
their restore of it (each run as the engine user, with the flags Kura uses),
whether an endpoint serves the data, and steady writes."""
import os
import pwd
import socket
import subprocess
import time

from rds_bench import PASSWORD
from rto_common import Writer, query


class Peer:
    user = ""

    def __init__(self, data_dir, instance):
        self.host, self.port = instance["Endpoint"]["Address"], instance["Endpoint"]["Port"]
        self.dir = os.path.join(data_dir, "rds", "instances", instance["DbiResourceId"])
        self.as_engine = ["runuser", "-u", self.user, "--"] if os.geteuid() == 0 else []
        self.env = dict(os.environ, PGPASSWORD=PASSWORD)

    def run(self, *argv, **kwargs):
        return subprocess.run([*self.as_engine, *argv], check=True, capture_output=True, **kwargs)

    def own(self, path):
        """A work folder of the engine user's."""
        if self.as_engine:
            user = pwd.getpwnam(self.user)
            os.chown(path, user.pw_uid, user.pw_gid)
        os.chmod(path, 0o700)


class Postgres(Peer):
    """pgbench's tables; pg_basebackup -Ft -z -X fetch -c fast as Kura's role rdsadmin (the one allowed
    to replicate over the socket); untar + pg_ctl start."""
    user, backup_tool, restore_tool = "postgres", "pg_basebackup", "untar+start"

    def __init__(self, data_dir, instance):
        super().__init__(data_dir, instance)
        self.bindir = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True).stdout.strip()
        if not os.path.exists(os.path.join(self.bindir, "pg_ctl")):
            version = sorted(os.listdir("/usr/lib/postgresql"))[-1]
            self.bindir = f"/usr/lib/postgresql/{version}/bin"

    def load(self, scale):
        subprocess.run(["pgbench", "-i", "-q", "-s", str(scale), "-h", self.host, "-p", str(self.port), "-U", "admin",
                        "postgres"], env=self.env, check=True, capture_output=True)
        return self.psql(self.port, "SELECT pg_size_pretty(pg_database_size('postgres'))").stdout.strip()

    def psql(self, port, statement):
        return subprocess.run(["psql", "-X", "-A", "-t", f"host={self.host} port={port} user=admin dbname=postgres "
                               "connect_timeout=2", "-c", statement], env=self.env, capture_output=True, text=True)

    def serving(self, port):
        return self.psql(port, "SELECT count(*) FROM pgbench_branches").returncode == 0

    def socket_port(self):
        """The engine's own port, as its socket in run/ names it (an instance behind Kura's endpoint
        runs its engine on a port of its own)."""
        for name in os.listdir(os.path.join(self.dir, "run")):
            if name.startswith(".s.PGSQL.") and not name.endswith(".lock"):
                return int(name.rsplit(".", 1)[1])
        return self.port

    def backup(self, work):
        self.run(os.path.join(self.bindir, "pg_basebackup"), "-h", os.path.join(self.dir, "run"), "-p",
                 str(self.socket_port()),
                 "-U", "rdsadmin", "-D", os.path.join(work, "base"), "-Ft", "-z", "-X", "fetch", "-c", "fast",
                 "--no-password")

    def restore(self, work):
        pgdata, run_dir = os.path.join(work, "pgdata"), os.path.join(work, "run")
        self.run("sh", "-c", f"mkdir -m 700 {pgdata} {run_dir} && tar -xzf {work}/base/base.tar.gz -C {pgdata}")
        self.run(os.path.join(self.bindir, "pg_ctl"), "-D", pgdata, "-w", "-t", "600", "-s", "-l",
                 os.path.join(work, "log"), "-o",
                 f"-c port={self.port + 1000} -c listen_addresses='' -c unix_socket_directories={run_dir} "
                 "-c archive_mode=off -c logging_collector=off -c cluster_name=''", "start")

    def stop(self, work):
        subprocess.run([*self.as_engine, os.path.join(self.bindir, "pg_ctl"), "-D", os.path.join(work, "pgdata"), "-w",
                        "-s", "-m", "immediate", "stop"], check=False, capture_output=True)

    def writes(self, seconds):
        """Steady writes for `seconds`; returns whether they still run."""
        process = subprocess.Popen(["pgbench", "-n", "-c", "2", "-T", str(seconds), "-h", self.host, "-p",
                                    str(self.port), "-U", "admin", "postgres"], env=self.env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return lambda: process.poll() is None


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def mariadbd(work, port):
    """A plain server daemonized on `work`/data, as Kura starts one (binary log on)."""
    return ["/usr/bin/setsid", "-f", "/usr/sbin/mariadbd", "--no-defaults", f"--datadir={work}/data",
            f"--socket={work}/mariadbd.sock", f"--pid-file={work}/mariadbd.pid", f"--port={port}",
            "--bind-address=127.0.0.1", f"--log-error={work}/error.log", f"--tmpdir={work}",
            f"--log-bin={work}/mysql-bin", "--server-id=1"]


def stop_mariadbd(work):
    """SIGKILL (as a crash, no shutdown to wait for), then gone."""
    try:
        with open(os.path.join(work, "mariadbd.pid")) as f:
            pid = int(f.read())
        os.kill(pid, 9)
        for _ in range(200):
            if not os.path.exists(f"/proc/{pid}"):
                break
            time.sleep(0.05)
    except (OSError, ValueError):
        pass


class MariaDb(Peer):
    """pgbench's tables' shape (SCALE x 100,000 accounts) in the database
    bench; mariadb-backup --backup then --prepare (Kura's snapshot does
    both); mariadb-backup --copy-back and a start of mariadbd."""
    user, backup_tool, restore_tool = "mysql", "mariadb-backup --backup + --prepare", "copy-back+start"

    def sql(self, port, statement):
        return query(self.host, port, statement, "mariadb", read_timeout=None)

    def load(self, scale):
        self.sql(self.port, "CREATE TABLE branches (bid INT PRIMARY KEY, bbalance INT NOT NULL, "
                            "filler CHAR(88) CHARACTER SET latin1)")
        self.sql(self.port, "CREATE TABLE accounts (aid INT PRIMARY KEY, bid INT NOT NULL, abalance INT NOT NULL, "
                            "filler CHAR(84) CHARACTER SET latin1)")
        for branch in range(1, scale + 1):  # a transaction a branch
            self.sql(self.port, f"INSERT INTO branches VALUES ({branch}, 0, '')")
            self.sql(self.port, f"INSERT INTO accounts SELECT ({branch} - 1) * 100000 + seq, {branch}, 0, '' "
                                "FROM seq_1_to_100000")
        self.sql(self.port, "ANALYZE TABLE branches, accounts")  # the sizes below are InnoDB's estimates
        size = self.sql(self.port, "SELECT SUM(data_length + index_length) FROM information_schema.tables "
                                   "WHERE table_schema = 'bench'")[0][0]
        return f"{int(size) >> 20} MB of tables"

    def serving(self, port):
        try:
            return self.sql(port, "SELECT count(*) FROM branches")[0][0] > 0
        except Exception:  # noqa: BLE001 - not up yet
            return False

    def backup(self, work):
        base = os.path.join(work, "base")
        self.run("/usr/bin/mariadb-backup", f"--defaults-file={self.dir}/kura.cnf", "--backup", f"--target-dir={base}",
                 f"--socket={self.dir}/run/mariadbd.sock", f"--user={self.user}")
        self.run("/usr/bin/mariadb-backup", "--no-defaults", "--prepare", f"--target-dir={base}")

    def restore(self, work):
        """Copied back, started, and timed until it serves the data over TCP."""
        self.run("/usr/bin/mariadb-backup", "--no-defaults", "--copy-back", f"--target-dir={work}/base",
                 f"--datadir={work}/data")
        port = free_port()
        subprocess.run([*self.as_engine, *mariadbd(work, port)], check=True, stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 600
        while not self.serving(port):
            if time.monotonic() > deadline:
                raise SystemExit("the copied-back server did not start")
            time.sleep(0.05)

    def stop(self, work):
        stop_mariadbd(work)

    def writes(self, seconds):
        self.sql(self.port, "CREATE TABLE IF NOT EXISTS acked (n INT)")
        writer = Writer(self.host, self.port, "mariadb")
        writer.start()
        until = time.monotonic() + seconds

        def running():
            if time.monotonic() < until:
                return True
            writer.stop.set()
            return False
        return running


PEERS = {"postgres": Postgres, "mysql": MariaDb, "mariadb": MariaDb}
