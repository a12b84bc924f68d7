"""`kura serve`'s request log: one line per API call, in logfmt and in
JSON, gathered into shared writes of whole lines rather than a write(2)
each, yet never held back: every line is out within the loggers' second,
and an event line (SIGHUP's, "stopped") is out as it is logged, with the
request lines before it. The buffer's own cases (whole lines, a write cut
short, a closed reader) are tests/unit/common/log_line_buffer_test.cpp's."""
import json
import re
import signal
import time

import pytest

CALLS = 400
TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


def write_calls(server):
    """write(2)-family system calls the server process has made so far
    (sendmsg to a socket is not one of them)."""
    with open(f"/proc/{server.proc.pid}/io") as f:
        for line in f:
            if line.startswith("syscw:"):
                return int(line.split()[1])
    raise AssertionError("no syscw in /proc/PID/io")


def wait_for(server, text, seconds=5):
    deadline = time.monotonic() + seconds
    while text not in server.read_log():
        assert time.monotonic() < deadline, server.read_log()[-2000:]
        time.sleep(0.05)


@pytest.mark.parametrize("log_format", ["logfmt", "json"])
def test_request_lines_share_writes_and_all_arrive(kura_factory, log_format):
    # The trail off: its writer's own writes (every 20 ms while calls
    # come) would be counted with the log's.
    server = kura_factory(["--trail", "off"] + ([] if log_format == "logfmt" else ["--log-format", "json"]))
    ddb = server.client("dynamodb")
    ddb.create_table(TableName="logged", KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST")
    ddb.put_item(TableName="logged", Item={"k": {"S": "one"}})
    time.sleep(1.5)  # the table's own writes settle
    before = write_calls(server)
    ids = [ddb.get_item(TableName="logged", Key={"k": {"S": "one"}})["ResponseMetadata"]["RequestId"]
           for _ in range(CALLS)]
    written = write_calls(server) - before
    # Each line used to be a write(2) of its own (spdlog's stderr sink
    # flushed after every line): now they leave together.
    assert written < CALLS // 4, written
    # ...and none is held back longer than the logger's second.
    wait_for(server, ids[-1], seconds=5)
    log = server.read_log()
    assert all(i in log for i in ids)
    # Request lines are written beside the event lines, in their form: the
    # same time (UTC, milliseconds) and level, and their order in time.
    if log_format == "json":
        events = [json.loads(line) for line in log.splitlines()]
        gets = [e for e in events if e["msg"] == "request" and e.get("op") == "GetItem"]
        assert len(gets) == CALLS and all(e["status"] == "200" for e in gets)
        assert all(list(e)[:3] == ["time", "level", "msg"] and TIME.fullmatch(e["time"]) for e in events), events[:3]
        assert all(e["level"] == "info" for e in gets)
        times = [e["time"] for e in gets]
    else:
        lines = log.splitlines()
        gets = [line for line in lines if "msg=request" in line and " op=GetItem " in line]
        bad = [l for l in gets if " status=200 " not in l]
        assert len(gets) == CALLS and not bad, bad
        shape = re.compile(r"time=(\S+) level=(trace|debug|info|warning|error|critical) msg=\S")
        odd = [l for l in lines if not (shape.match(l) and TIME.fullmatch(shape.match(l).group(1)))]
        assert not odd, odd[:3]
        assert all(l.startswith("time=") and " level=info msg=request request_id=" in l for l in gets)
        times = [shape.match(l).group(1) for l in gets]
    assert times == sorted(times), times


def test_an_event_line_is_out_at_once_with_the_request_lines_before_it(kura_factory):
    # An event line is flushed as it is logged (SIGHUP's, here), and the
    # request lines written before it leave with it, in order.
    server = kura_factory()
    request_id = server.client("sts").get_caller_identity()["ResponseMetadata"]["RequestId"]
    server.proc.send_signal(signal.SIGHUP)
    wait_for(server, "SIGHUP: nothing to reload", seconds=5)
    log = server.read_log()
    assert request_id in log and log.index(request_id) < log.index("SIGHUP: nothing to reload")


def test_a_clean_stop_writes_every_request_line(kura_factory):
    # (The stop's own event lines carry them; that the buffer writes what
    # is left when it ends is tests/unit/common/log_line_buffer_test.cpp's.)
    server = kura_factory()
    request_id = server.client("sts").get_caller_identity()["ResponseMetadata"]["RequestId"]
    assert server.stop() == 0
    log = server.read_log()
    assert request_id in log and log.index(request_id) < log.index("stopped")


def test_a_burst_of_sighups_is_taken_by_the_server_not_its_threads(kura_factory):
    # Signals are blocked before any thread starts (the loggers' flusher
    # was once started first: a SIGHUP that came while the server was
    # busy with the one before went to that thread, whose default action
    # ended the process).
    server = kura_factory()
    for _ in range(300):
        server.proc.send_signal(signal.SIGHUP)
    time.sleep(0.5)
    assert server.proc.poll() is None, server.read_log()[-2000:]
    assert server.client("sts").get_caller_identity()["Account"]
    assert server.stop() == 0
