"""Where the client compatibility suite (test_client_compat_*.py) finds the
clients it drives beside Debian's: the newer boto3 and AWS CLI v1 a machine
image may carry (pyenv's, or KURA_COMPAT_PYTHON / KURA_COMPAT_AWS_V1), and
Node.js for the AWS SDK for JavaScript v3. None of them is required: a test
whose client is missing is skipped, and says why."""
import fcntl
import filecmp
import glob
import json
import os
import shutil
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COMPAT = os.path.join(ROOT, "tests", "compat")
NPM_CACHE = os.environ.get("KURA_COMPAT_CACHE", os.path.expanduser("~/.cache/kura-compat"))


def installed_npm_packages(package_json, subfolder, what, timeout=900):
    """(node, folder): the packages `package_json` names, installed with npm
    into NPM_CACHE/subfolder when they are not (again when it changed); one
    install at a time across pytest-xdist workers and runs side by side. The
    test is skipped, saying why, without Node.js and npm or when npm fails.
    `what` names the packages in those reasons."""
    import pytest  # only the tests that install something need it
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip(f"Node.js and npm are not installed ({what} runs on them)")
    folder = os.path.join(NPM_CACHE, subfolder)
    have = os.path.join(folder, "package.json")
    ready = os.path.join(folder, "node_modules", ".kura-installed")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, ".lock"), "w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if os.path.exists(ready) and os.path.exists(have) and filecmp.cmp(package_json, have, shallow=False):
            return node, folder
        if os.path.exists(ready):
            os.unlink(ready)
        shutil.copyfile(package_json, have)
        result = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--loglevel=error"], cwd=folder,
                                capture_output=True, text=True, timeout=timeout)
        if result.returncode != 0:
            pytest.skip(f"npm could not install {what} into {folder}: {result.stderr[-500:]}")
        with open(ready, "w", encoding="utf-8") as f:
            f.write(f"installed from {os.path.relpath(package_json, ROOT)}\n")
    return node, folder
DEBIAN_PYTHON = "/usr/bin/python3"


def _version(python):
    try:
        out = subprocess.run([python, "-c", "import boto3, botocore; print(botocore.__version__)"],
                             capture_output=True, text=True, timeout=60)
    except OSError:
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def _newer_than_debian(version):
    debian = _version(DEBIAN_PYTHON) or "0"
    return tuple(int(p) for p in version.split(".")[:3]) > tuple(int(p) for p in debian.split(".")[:3])


def newer_python():
    """(python, botocore version) of a boto3 newer than Debian's, else (None, why)."""
    candidates = [os.environ.get("KURA_COMPAT_PYTHON", "")]
    candidates += sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/*/bin/python3")), reverse=True)
    candidates += [p for p in (shutil.which("python3"),) if p]
    for python in candidates:
        if not python or not os.path.exists(python) or os.path.realpath(python) == os.path.realpath(DEBIAN_PYTHON):
            continue
        version = _version(python)
        if version and _newer_than_debian(version):
            return python, version
    return None, "no boto3 newer than Debian's on this machine (set KURA_COMPAT_PYTHON to a python3 that has one)"


def newer_cli_v1():
    """The AWS CLI v1 beside the newer boto3 (its `aws`), else (None, why)."""
    candidates = [os.environ.get("KURA_COMPAT_AWS_V1", "")]
    candidates += sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/*/bin/aws")), reverse=True)
    for aws in candidates:
        if not aws or not os.path.exists(aws):
            continue
        out = subprocess.run([aws, "--version"], capture_output=True, text=True, timeout=60)
        text = out.stdout + out.stderr
        if out.returncode == 0 and text.startswith("aws-cli/1."):
            return aws, text.split()[0]
    return None, "no AWS CLI v1 on this machine (set KURA_COMPAT_AWS_V1 to one)"


def run_json(args, env=None, timeout=600):
    out = subprocess.run(args, capture_output=True, text=True, env=env, timeout=timeout)
    if out.returncode != 0:
        raise AssertionError(f"{' '.join(args[:2])} failed ({out.returncode}): {out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])
