"""The AWS SDK for JavaScript v3 (the versions tests/compat/package.json
pins, installed with npm into a cache folder outside the repository) drives
every service Kura serves: main calls, a waiter and a paginator per service,
each read back (tests/compat/sdk_v3_scenario.mjs). Its CloudWatch speaks
awsJson 1.0. Skipped, with the reason, without Node.js and npm, or when the
packages can neither be found in the cache nor installed."""
import fcntl
import filecmp
import os
import shutil
import subprocess

import pytest

from compat_clients import COMPAT, run_json

CACHE = os.environ.get("KURA_COMPAT_CACHE", os.path.expanduser("~/.cache/kura-compat"))
SERVICES = ["cloudwatch", "dynamodb", "kms", "secretsmanager", "logs", "iam_sts", "ec2", "elasticache", "rds",
            "cloudtrail", "autoscaling"]


def installed_sdk():
    """The folder holding the pinned clients, installed there when they are not."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("Node.js and npm are not installed (the AWS SDK for JavaScript v3 runs on them)")
    folder = os.path.join(CACHE, "sdk-v3")
    wanted = os.path.join(COMPAT, "package.json")
    have = os.path.join(folder, "package.json")
    ready = os.path.join(folder, "node_modules", ".kura-installed")
    os.makedirs(folder, exist_ok=True)
    # One install at a time (pytest-xdist workers, runs side by side).
    with open(os.path.join(folder, ".lock"), "w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if os.path.exists(ready) and os.path.exists(have) and filecmp.cmp(wanted, have, shallow=False):
            return node, folder
        if os.path.exists(ready):
            os.unlink(ready)
        shutil.copyfile(wanted, have)
        result = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--loglevel=error"], cwd=folder,
                                capture_output=True, text=True, timeout=900)
        if result.returncode != 0:
            pytest.skip(f"npm could not install the AWS SDK for JavaScript v3 into {folder}: {result.stderr[-500:]}")
        with open(ready, "w", encoding="utf-8") as f:
            f.write("installed from tests/compat/package.json\n")
    return node, folder


@pytest.fixture(scope="module")
def report(kura):
    node, folder = installed_sdk()
    env = dict(os.environ, NODE_NO_WARNINGS="1")
    return run_json([node, os.path.join(COMPAT, "sdk_v3_scenario.mjs"), folder, kura.endpoint, "ap-northeast-1",
                     "compat-js"], env=env)


@pytest.mark.parametrize("service", SERVICES)
def test_service(report, service):
    assert report[service]["ok"], report[service]["error"]
