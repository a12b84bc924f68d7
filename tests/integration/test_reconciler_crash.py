"""The reconciler resumes after SIGKILL: a test-sleeper resource is killed
mid-operation, and after a restart it finishes, each step done once."""
import json
import os
import time
import urllib.request

import pytest


def call(server, method, path):
    request = urllib.request.Request(server.endpoint + path, method=method)
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def wait_for(predicate, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("timed out")


@pytest.mark.serial
def test_sigkill_mid_operation_then_restart_finishes_the_work(kura_factory, tmp_path):
    server = kura_factory(["--enable-test-controllers"])
    work = tmp_path / "sleeper"
    work.mkdir()
    call(server, "POST", f"/_kura/test/sleeper?name=s1&dir={work}&stepMillis=400")
    # Kill the server once the first step has been done, mid-way through the walk
    # (its log line is written after its marker: waiting for the marker alone
    # could kill it between the two, and the step, done, is not done again).
    log = work / "steps.log"
    wait_for(lambda: log.exists() and "step-1" in log.read_text().split())
    server.stop(sigkill=True)
    status = None
    server.start()
    status = wait_for(lambda: (lambda s: s if s["status"] == "available" else None)(
        call(server, "GET", "/_kura/test/resource?kind=test-sleeper&name=s1")))
    assert status == {"status": "available", "goal": "available"}
    steps = (work / "steps.log").read_text().split()
    assert steps == ["step-1", "step-2", "step-3", "available"]


def test_test_endpoints_are_absent_without_the_flag(kura_factory):
    server = kura_factory()
    request = urllib.request.Request(server.endpoint + "/_kura/test/sleeper?name=x&dir=/tmp", method="POST")
    try:
        urllib.request.urlopen(request, timeout=10)
        raise AssertionError("test endpoint answered without the flag")
    except urllib.error.HTTPError as error:
        assert error.code in (400, 403, 404)
