"""What Kura writes is Kura's alone: umask 077, a data directory of 0700,
and a data directory left with looser modes (an older Kura's 0755 and 0644)
tightened at start. As root, another user cannot read the trail, the
catalog or a DynamoDB file."""
import os
import stat
import subprocess
import time

import pytest


def use_every_store(server):
    ddb = server.client("dynamodb")
    ddb.create_table(TableName="private", KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST")
    ddb.put_item(TableName="private", Item={"k": {"S": "secret"}, "v": {"S": "value"}})
    logs = server.client("logs")
    logs.create_log_group(logGroupName="private-group")
    logs.create_log_stream(logGroupName="private-group", logStreamName="s")
    logs.put_log_events(logGroupName="private-group", logStreamName="s",
                        logEvents=[{"timestamp": int(time.time() * 1000), "message": "hello"}])
    server.client("cloudwatch").put_metric_data(Namespace="Private", MetricData=[{"MetricName": "m", "Value": 1}])
    server.client("secretsmanager").create_secret(Name="private-secret", SecretString="s3cret")
    server.client("kms").create_key()


def loose_entries(data_dir):
    """Everything of Kura's with a group or other bit: files, and
    directories (no engine ran here, so none needs other-execute)."""
    found = []
    me = os.geteuid()
    for root, dirs, files in os.walk(data_dir):
        for name in list(dirs):
            info = os.lstat(os.path.join(root, name))
            if info.st_uid != me:
                dirs.remove(name)  # an engine's tree is its own business
        for name in dirs + files:
            path = os.path.join(root, name)
            info = os.lstat(path)
            if stat.S_ISLNK(info.st_mode) or info.st_uid != me:
                continue
            if info.st_mode & 0o077:
                found.append((os.path.relpath(path, data_dir), oct(info.st_mode & 0o7777)))
    return found


def expected_stores(data_dir):
    for relative in ("catalog.db", "trail/logs", "trail/digests", "dynamodb", "logs/logs.db",
                     "monitoring/metrics.db", "keys", "kms/kms.db", "secretsmanager/secrets.db"):
        assert os.path.exists(os.path.join(data_dir, relative)), relative


def test_every_file_kura_writes_is_readable_by_kura_only(kura_factory):
    server = kura_factory()  # its data directory was made 0711 by the fixture
    use_every_store(server)
    assert server.stop() == 0  # the final digest is written at shutdown
    expected_stores(server.data_dir)
    assert stat.S_IMODE(os.stat(server.data_dir).st_mode) == 0o700
    assert loose_entries(server.data_dir) == []


def test_an_older_data_directory_is_tightened_at_start(kura_factory):
    server = kura_factory()
    use_every_store(server)
    server.stop()
    # As an older Kura (umask 022) left it.
    for root, dirs, files in os.walk(server.data_dir):
        os.chmod(root, 0o755)
        for name in files:
            os.chmod(os.path.join(root, name), 0o644)
    assert loose_entries(server.data_dir) != []
    server.start()
    assert "data directory tightened" in server.read_log()
    assert server.client("dynamodb").get_item(TableName="private", Key={"k": {"S": "secret"}})["Item"]
    assert stat.S_IMODE(os.stat(server.data_dir).st_mode) == 0o700
    assert loose_entries(server.data_dir) == []


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to act as another user (nobody)")
def test_another_user_cannot_read_the_trail_the_catalog_or_a_dynamodb_file(kura_factory):
    server = kura_factory()
    use_every_store(server)
    data_dir = server.data_dir
    trail = sorted(os.listdir(os.path.join(data_dir, "trail", "logs")))
    tables = [name for name in os.listdir(os.path.join(data_dir, "dynamodb")) if name.endswith(".log")
              or name.endswith(".sst") or name.startswith("MANIFEST")]
    assert trail and tables
    targets = [os.path.join(data_dir, "trail", "logs", trail[0]), os.path.join(data_dir, "catalog.db"),
               os.path.join(data_dir, "dynamodb", tables[0]), os.path.join(data_dir, "keys", "catalog-secrets.key")]
    # The parent directories are opened to everyone for the test, so that
    # only each file's own mode stands in the way.
    opened = [data_dir, os.path.join(data_dir, "trail"), os.path.join(data_dir, "trail", "logs"),
              os.path.join(data_dir, "dynamodb"), os.path.join(data_dir, "keys")]
    modes = {path: stat.S_IMODE(os.stat(path).st_mode) for path in opened}
    for path in targets:
        as_nobody = subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                                    "cat", path], capture_output=True, text=True, timeout=30)
        assert as_nobody.returncode != 0 and "Permission denied" in as_nobody.stderr, (path, as_nobody.stderr)
    try:
        for path in opened:
            os.chmod(path, 0o711)
        for path in targets:
            as_nobody = subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                                        "cat", path], capture_output=True, text=True, timeout=30)
            assert as_nobody.returncode != 0 and "Permission denied" in as_nobody.stderr, (path, as_nobody.stderr)
            assert stat.S_IMODE(os.stat(path).st_mode) & 0o077 == 0
    finally:
        for path, mode in modes.items():
            os.chmod(path, mode)
    # The test itself can tell: a file nobody may read is read.
    world = data_dir + "-world-readable"
    with open(world, "w") as f:
        f.write("x")
    os.chmod(world, 0o644)
    assert subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "cat", world],
                          capture_output=True, timeout=30).returncode == 0
    os.remove(world)
