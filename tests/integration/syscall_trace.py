"""`kura serve` under strace, and the reading of its trace: which syncs
(fsync, fdatasync) of which files ended when, and when an answer was handed
to a client's socket. Every traced call carries its entry time and duration
(-ttt -T), so "finished before" is read from the clock, not from the order
of lines. Children are followed (-f): an engine's own syncs (PostgreSQL's
archive_command) count as well as Kura's."""
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request

import boto3
import botocore.config

from conftest import KURA_BIN, REGION, engine_ports, free_port

STRACE = shutil.which("strace")
SYNCS = ("fsync", "fdatasync")
WRITES = ("write", "writev", "pwrite64")
ANSWERS = ("write", "writev", "sendto", "sendmsg")

# 12345 1733250896.789012 fdatasync(7</data/dynamodb/000004.log>) = 0 <0.000210>
LINE = re.compile(r"^(?P<pid>\d+)\s+(?P<time>\d+\.\d+)\s+(?P<rest>.*)$")
CALL = re.compile(r"^(?P<name>\w+)\((?P<args>.*)$")
RESUMED = re.compile(r"^<\.\.\. (?P<name>\w+) resumed>(?P<args>.*)$")
DURATION = re.compile(r"<(?P<seconds>\d+\.\d+)>\s*$")
FD_PATH = re.compile(r"^\d+<(?P<path>.*)>$")
QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')


def parse(trace_text):
    """The trace's completed calls: (name, first argument (the fd as
    strace -yy shows it), the text of the call, entry time, exit time)."""
    calls, pending = [], {}
    for raw in trace_text.splitlines():
        m = LINE.match(raw)
        if not m:
            continue
        pid, at, rest = m.group("pid"), float(m.group("time")), m.group("rest")
        if rest.endswith("<unfinished ...>"):
            call = CALL.match(rest)
            if call:
                pending[pid] = (call.group("name"), call.group("args")[:-len("<unfinished ...>")].rstrip(), at)
            continue
        resumed = RESUMED.match(rest)
        if resumed:
            name, args, entry = pending.pop(pid, (resumed.group("name"), "", at))
            args += resumed.group("args")
        else:
            call = CALL.match(rest)
            if not call:
                continue
            name, args, entry = call.group("name"), call.group("args"), at
        duration = DURATION.search(args)
        # The duration counts from the entry; a resumed line is printed at
        # the exit, so its own time is not where the duration starts.
        exit_at = (entry + float(duration.group("seconds"))) if duration else at
        fd = args.split(",", 1)[0].split(")", 1)[0]
        calls.append((name, fd, args, entry, exit_at))
    return calls


def fd_path(fd):
    m = FD_PATH.match(fd)
    return m.group("path") if m else None


def first_sync_after(calls, path_part, after):
    """When the first sync of a file whose path holds `path_part`, begun
    after `after`, finished (None if none)."""
    ends = [c[4] for c in calls if c[0] in SYNCS and path_part in c[1] and c[3] >= after]
    return min(ends) if ends else None


def synced_at(calls, path, after=0.0):
    """When the first sync of exactly `path` (a file or a folder), begun at
    or after `after`, finished (None if none)."""
    ends = [c[4] for c in calls if c[0] in SYNCS and fd_path(c[1]) == path and c[3] >= after]
    return min(ends) if ends else None


def renamed_into(calls, path):
    """When a successful rename onto `path` ended (None if none in the trace):
    rename, renameat and renameat2, by path or relative to a folder's fd."""
    for name, _, args, _, exit_at in calls:
        if name not in ("rename", "renameat", "renameat2") or not re.search(r"\)?\s*=\s*0\b", args):
            continue
        quoted = QUOTED.findall(args)
        if len(quoted) < 2:
            continue
        target = quoted[1]
        if not target.startswith("/"):
            # renameat(5</dir>, "x.part", 5</dir>, "x", ...): the third argument's folder.
            parts = [p.strip() for p in args.split(",")]
            folder = fd_path(parts[2]) if len(parts) > 2 else None
            if folder is None:
                continue
            target = os.path.join(folder, target)
        if os.path.normpath(target) == os.path.normpath(path):
            return exit_at
    return None


def made_at(calls, path):
    """When `path` last came to be in its folder (None if the trace does not
    show it): the end of a successful mkdir or mkdirat of it, by path or
    relative to a folder's fd, or of a rename onto it, whichever is later."""
    renamed = renamed_into(calls, path)
    for name, _, args, _, exit_at in calls:
        if name not in ("mkdir", "mkdirat") or not re.search(r"\)?\s*=\s*0\b", args):
            continue
        quoted = QUOTED.findall(args)
        if not quoted:
            continue
        target = quoted[0]
        if not target.startswith("/"):
            # mkdirat(5</dir>, "x", 0700): the first argument's folder.
            folder = fd_path(args.split(",", 1)[0].strip()) if name == "mkdirat" else None
            if folder is None:
                continue
            target = os.path.join(folder, target)
        if os.path.normpath(target) == os.path.normpath(path):
            return exit_at if renamed is None else max(exit_at, renamed)
    return renamed


def answered_at(calls, request_id):
    """When the answer carrying `request_id` (x-amzn-RequestId, or the
    query protocol's RequestId) began to be handed to a client's socket."""
    hits = [c[3] for c in calls if c[0] in ANSWERS and "TCP" in c[1] and request_id in c[2]]
    assert hits, f"no answer with request id {request_id} in the trace"
    return min(hits)


class TracedKura:
    """A `kura serve` on a new data directory, run under strace. Use as a
    context manager; calls() reads the trace once it is stopped."""

    def __init__(self, syscalls="fdatasync,fsync,rename,renameat,renameat2,mkdir,mkdirat,write,writev,pwrite64,sendto,"
                 "sendmsg",
                 string_limit=700):
        self.root = tempfile.mkdtemp(prefix="kura-durable-")
        os.chmod(self.root, 0o711)  # engines (their own users) pass through
        self.data_dir = os.path.join(self.root, "data")
        self.trace_path = os.path.join(self.root, "trace.txt")
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.syscalls = syscalls
        self.string_limit = string_limit
        self.proc = None

    def __enter__(self):
        first, last = engine_ports(90)
        self.log = open(os.path.join(self.root, "kura.log"), "wb")
        self.proc = subprocess.Popen(
            [STRACE, "-f", "--seccomp-bpf", "-ttt", "-T", "-yy", "-s", str(self.string_limit),
             "-o", self.trace_path, "-e", "trace=" + self.syscalls,
             KURA_BIN, "serve", "--host", "127.0.0.1", "--port", str(self.port), "--data-dir", self.data_dir,
             "--engine-port-first", str(first), "--engine-port-last", str(last)],
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 120  # traced, Kura starts slowly
        while True:
            assert self.proc.poll() is None, "kura (under strace) exited: " + self.read_log()[-2000:]
            try:
                with urllib.request.urlopen(self.endpoint + "/_kura/health", timeout=2) as r:
                    if r.status == 200:
                        return self
            except OSError:
                pass
            assert time.monotonic() < deadline, "kura under strace did not become healthy"
            time.sleep(0.2)

    def __exit__(self, *exc):
        self.stop()
        if not os.environ.get("KURA_KEEP_TEST_DATA"):
            shutil.rmtree(self.root, ignore_errors=True)
        return False

    def read_log(self):
        with open(os.path.join(self.root, "kura.log"), "rb") as f:
            return f.read().decode("utf-8", "replace")

    def client(self, service):
        return boto3.client(service, endpoint_url=self.endpoint, region_name=REGION, aws_access_key_id="test",
                            aws_secret_access_key="test",
                            config=botocore.config.Config(retries={"max_attempts": 1}, read_timeout=120))

    def stop(self):
        """Kura stops its engines on SIGTERM (strace goes on tracing and ends
        with it); an engine process left behind is killed by its pid."""
        if self.proc is None:
            return
        try:
            with open(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children") as f:
                for child in f.read().split():
                    os.kill(int(child), signal.SIGTERM)
        except OSError:
            self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=120)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc = None
        self.log.close()
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    if self.root.encode() in f.read():
                        os.kill(int(pid), signal.SIGKILL)
            except OSError:
                pass

    def calls(self):
        with open(self.trace_path, encoding="utf-8", errors="replace") as f:
            return parse(f.read())
