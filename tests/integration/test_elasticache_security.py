"""ElastiCache in-transit encryption, AUTH tokens and role-based access
control on real Redis: TLS-only nodes verified with Kura's CA bundle,
plaintext refused, AUTH token rotation (both tokens accepted, then only the
new one), users and user groups applied as Redis ACLs, restricted commands
refused whatever the access string, all of it kept across a failover, a
node's restart and a kill -9 of Kura."""
import glob
import os
import signal
import subprocess
import time
import urllib.request

import botocore.exceptions
import pytest

from test_elasticache import wait_cluster
from test_elasticache_replication import primary_of, wait_group

TOKEN_A = "First-token-0123456789"
TOKEN_B = "Second-token-0123456789"
TOKEN_C = "Third-token-0123456789"
PASSWORD = "Reader-password-0123456789"
ADMIN_PASSWORD = "Default-password-0123456789"


def bundle_of(server, directory):
    """The CA bundle, as a client downloads it from Kura."""
    with urllib.request.urlopen(server.endpoint + "/_kura/rds/ca-bundle.pem", timeout=10) as response:
        text = response.read().decode()
    path = directory / "kura-ca-bundle.pem"
    path.write_text(text)
    return str(path)


@pytest.fixture(scope="module")
def bundle(kura, tmp_path_factory):
    return bundle_of(kura, tmp_path_factory.mktemp("tls"))


def cli(port, *args, tls=None, user=None, password=None):
    """redis-cli against a port, over TLS when given the CA bundle; the
    password through the environment. Returns (exit code, output)."""
    argv = ["redis-cli", "-h", "127.0.0.1", "-p", str(port)]
    if tls:
        argv += ["--tls", "--cacert", tls]
    if user:
        argv += ["--user", user]
    env = dict(os.environ)
    env.pop("REDISCLI_AUTH", None)
    if password:
        env["REDISCLI_AUTH"] = password
    result = subprocess.run(argv + [str(a) for a in args], capture_output=True, text=True, timeout=30, env=env)
    return result.returncode, (result.stdout + result.stderr).strip()


def answers(port, bundle, *args, **kwargs):
    code, out = cli(port, *args, tls=bundle, **kwargs)
    assert code == 0, out
    return out


def error_code(call, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        call(**kwargs)
    return raised.value.response["Error"]["Code"]


def primary_port(group):
    return group["NodeGroups"][0]["PrimaryEndpoint"]["Port"]


def wait_answer(port, bundle, expected, *args, timeout=30, **kwargs):
    deadline = time.monotonic() + timeout
    out = None
    while time.monotonic() < deadline:
        code, out = cli(port, *args, tls=bundle, **kwargs)
        if code == 0 and out == expected:
            return
        time.sleep(0.2)
    raise AssertionError(f"{args} answered {out!r}, not {expected!r}")


def test_tls_and_auth_token_rotation_survive_failover_restarts_and_a_kill_of_kura(kura_factory, tmp_path):
    server = kura_factory()
    bundle = bundle_of(server, tmp_path)
    ec = server.client("elasticache")
    group_id = "sec-tls"
    created = ec.create_replication_group(
        ReplicationGroupId=group_id, ReplicationGroupDescription="tls", Engine="redis",
        CacheNodeType="cache.t3.micro", NumCacheClusters=2, AutomaticFailoverEnabled=True,
        TransitEncryptionEnabled=True, AuthToken=TOKEN_A)["ReplicationGroup"]
    assert "First-token" not in str(created)
    group = wait_group(ec, group_id, "available")
    assert group["TransitEncryptionEnabled"] is True and group["AuthTokenEnabled"] is True
    assert "AuthTokenLastModifiedDate" in group
    members = [c for c in ec.describe_cache_clusters()["CacheClusters"] if c.get("ReplicationGroupId") == group_id]
    assert members and all(c["TransitEncryptionEnabled"] and c["AuthTokenEnabled"] for c in members)
    port = primary_port(group)
    reader = group["NodeGroups"][0]["ReaderEndpoint"]["Port"]

    # TLS verified with the CA bundle, the token required.
    assert answers(port, bundle, "SET", "greeting", "hello", password=TOKEN_A) == "OK"
    wait_answer(reader, bundle, "hello", "GET", "greeting", password=TOKEN_A)
    code, out = cli(port, "PING")  # plaintext to a TLS-only endpoint
    assert "PONG" not in out
    assert "NOAUTH" in answers(port, bundle, "GET", "greeting")
    assert "WRONGPASS" in answers(port, bundle, "GET", "greeting", password=TOKEN_B)
    # ElastiCache's restricted commands stay refused for the token's user.
    assert "NOPERM" in answers(port, bundle, "CONFIG", "GET", "maxmemory", password=TOKEN_A)

    # ROTATE: both tokens; SET: the new one alone.
    assert error_code(ec.modify_replication_group, ReplicationGroupId=group_id, AuthToken="short",
                      AuthTokenUpdateStrategy="ROTATE", ApplyImmediately=True) == "InvalidParameterValue"
    assert error_code(ec.modify_replication_group, ReplicationGroupId=group_id, AuthToken="Bad token with spaces",
                      AuthTokenUpdateStrategy="ROTATE", ApplyImmediately=True) == "InvalidParameterValue"
    assert error_code(ec.modify_replication_group, ReplicationGroupId=group_id,
                      AuthTokenUpdateStrategy="DELETE", ApplyImmediately=True) == "InvalidParameterCombination"
    ec.modify_replication_group(ReplicationGroupId=group_id, AuthToken=TOKEN_B, AuthTokenUpdateStrategy="ROTATE",
                                ApplyImmediately=True)
    wait_group(ec, group_id, "available")
    assert answers(port, bundle, "GET", "greeting", password=TOKEN_A) == "hello"
    assert answers(port, bundle, "GET", "greeting", password=TOKEN_B) == "hello"
    wait_answer(reader, bundle, "hello", "GET", "greeting", password=TOKEN_B)
    ec.modify_replication_group(ReplicationGroupId=group_id, AuthToken=TOKEN_B, AuthTokenUpdateStrategy="SET",
                                ApplyImmediately=True)
    wait_group(ec, group_id, "available")
    assert "WRONGPASS" in answers(port, bundle, "GET", "greeting", password=TOKEN_A)
    assert answers(port, bundle, "GET", "greeting", password=TOKEN_B) == "hello"

    # A planned failover keeps TLS and the token.
    old = primary_of(group)
    ec.test_failover(ReplicationGroupId=group_id, NodeGroupId="0001")
    group = wait_group(ec, group_id, "available")
    assert primary_of(group) != old
    assert answers(port, bundle, "SET", "after", "failover", password=TOKEN_B) == "OK"
    assert answers(port, bundle, "GET", "greeting", password=TOKEN_B) == "hello"
    assert "WRONGPASS" in answers(port, bundle, "GET", "greeting", password=TOKEN_A)

    # A node killed comes back from its own settings: TLS and the token.
    replica = old  # the old primary follows the new one now
    (pid_file,) = glob.glob(os.path.join(server.data_dir, "elasticache", "groups", f"{group_id}-*", replica,
                                         "redis.pid"))
    with open(pid_file) as f:
        os.kill(int(f.read().strip()), signal.SIGKILL)
    member_port = next(m["ReadEndpoint"]["Port"] for m in group["NodeGroups"][0]["NodeGroupMembers"]
                       if m["CacheClusterId"] == replica)
    wait_answer(member_port, bundle, "failover", "GET", "after", password=TOKEN_B, timeout=60)
    assert "WRONGPASS" in answers(member_port, bundle, "GET", "after", password=TOKEN_A)
    code, out = cli(member_port, "PING")
    assert "PONG" not in out

    # A rotation recorded just before a kill -9 of Kura is finished after it.
    ec.modify_replication_group(ReplicationGroupId=group_id, AuthToken=TOKEN_C, AuthTokenUpdateStrategy="ROTATE",
                                ApplyImmediately=True)
    server.restart(sigkill=True)
    ec = server.client("elasticache")
    wait_group(ec, group_id, "available")
    wait_answer(port, bundle, "hello", "GET", "greeting", password=TOKEN_C, timeout=60)
    assert answers(port, bundle, "GET", "greeting", password=TOKEN_B) == "hello"

    # The token never reached the catalog, the events or the log in plaintext.
    events = str(ec.describe_events(Duration=60)["Events"])
    for secret in (TOKEN_A, TOKEN_B, TOKEN_C):
        assert secret not in events
        assert secret not in server.read_log()
        for path in glob.glob(os.path.join(server.data_dir, "catalog*")) + glob.glob(
                os.path.join(server.data_dir, "trail", "**"), recursive=True) + glob.glob(
                os.path.join(server.data_dir, "elasticache", "groups", "*", "*", "redis.conf")):
            if not os.path.isfile(path):
                continue
            with open(path, "rb") as f:
                assert secret.encode() not in f.read(), path

    # A cache cluster of its own: TLS and a token too.
    ec.create_cache_cluster(CacheClusterId="sec-single", Engine="redis", CacheNodeType="cache.t3.micro",
                            NumCacheNodes=1, TransitEncryptionEnabled=True, AuthToken=TOKEN_A)
    cluster = wait_cluster(ec, "sec-single", "available")
    assert cluster["TransitEncryptionEnabled"] and cluster["AuthTokenEnabled"]
    single = cluster["CacheNodes"][0]["Endpoint"]["Port"]
    assert answers(single, bundle, "PING", password=TOKEN_A) == "PONG"
    assert "NOAUTH" in answers(single, bundle, "GET", "x")
    code, out = cli(single, "PING")
    assert "PONG" not in out
    ec.modify_cache_cluster(CacheClusterId="sec-single", AuthToken=TOKEN_B, AuthTokenUpdateStrategy="ROTATE",
                            ApplyImmediately=True)
    wait_cluster(ec, "sec-single", "available")
    assert answers(single, bundle, "PING", password=TOKEN_A) == "PONG"
    assert answers(single, bundle, "PING", password=TOKEN_B) == "PONG"
    ec.modify_cache_cluster(CacheClusterId="sec-single", AuthToken=TOKEN_B, AuthTokenUpdateStrategy="SET",
                            ApplyImmediately=True)
    wait_cluster(ec, "sec-single", "available")
    assert "WRONGPASS" in answers(single, bundle, "PING", password=TOKEN_A)
    assert answers(single, bundle, "PING", password=TOKEN_B) == "PONG"


def test_auth_token_errors(kura):
    ec = kura.client("elasticache")
    base = dict(ReplicationGroupDescription="x", Engine="redis", CacheNodeType="cache.t3.micro", NumCacheClusters=1)
    assert error_code(ec.create_replication_group, ReplicationGroupId="sec-notls", AuthToken=TOKEN_A,
                      **base) == "InvalidParameterCombination"
    assert error_code(ec.create_replication_group, ReplicationGroupId="sec-short", AuthToken="too-short",
                      TransitEncryptionEnabled=True, **base) == "InvalidParameterValue"
    assert error_code(ec.create_replication_group, ReplicationGroupId="sec-chars", AuthToken="quote\"in-the-token-1",
                      TransitEncryptionEnabled=True, **base) == "InvalidParameterValue"
    assert error_code(ec.create_replication_group, ReplicationGroupId="sec-both", AuthToken=TOKEN_A,
                      UserGroupIds=["nope"], TransitEncryptionEnabled=True, **base) == "InvalidParameterCombination"
    assert error_code(ec.create_replication_group, ReplicationGroupId="sec-nogroup", UserGroupIds=["no-such-group"],
                      TransitEncryptionEnabled=True, **base) == "UserGroupNotFound"
    assert error_code(ec.create_cache_cluster, CacheClusterId="sec-notls-c", Engine="redis",
                      CacheNodeType="cache.t3.micro", NumCacheNodes=1, AuthToken=TOKEN_A) == "InvalidParameterCombination"
    for gone in ("sec-notls", "sec-short", "sec-chars", "sec-both", "sec-nogroup"):
        assert error_code(ec.describe_replication_groups, ReplicationGroupId=gone) == "ReplicationGroupNotFoundFault"


def test_users_and_user_groups_apply_as_redis_acls(kura, bundle):
    ec = kura.client("elasticache")
    default = ec.describe_users(UserId="default")["Users"][0]
    assert default["UserName"] == "default" and default["AccessString"] == "on ~* +@all"
    assert default["Authentication"]["Type"] == "no-password"

    # Access strings are checked token by token.
    for bad in ("on ~* +@all >secret", "on ~* +config", "on ~* +nosuchcommand", "reset on ~* +@all",
                "on ~* +@nosuchcategory"):
        assert error_code(ec.create_user, UserId="bad", UserName="bad", Engine="redis", AccessString=bad,
                          Passwords=[PASSWORD]) == "InvalidParameterValue", bad
    assert error_code(ec.create_user, UserId="bad", UserName="bad", Engine="redis", AccessString="on ~* +get",
                      Passwords=["short"]) == "InvalidParameterValue"
    assert error_code(ec.create_user, UserId="bad", UserName="kura-admin", Engine="redis", AccessString="on ~* +get",
                      Passwords=[PASSWORD]) == "InvalidParameterValue"
    assert error_code(ec.create_user, UserId="bad", UserName="bad", Engine="redis", AccessString="on ~* +get",
                      Passwords=[PASSWORD], NoPasswordRequired=True) == "InvalidParameterCombination"

    ec.create_user(UserId="sec-admin", UserName="default", Engine="redis", AccessString="on ~* +@all",
                   Passwords=[ADMIN_PASSWORD])
    reader = ec.create_user(UserId="sec-reader", UserName="reader", Engine="redis",
                            AccessString="on ~app:* -@all +@read +ping", Passwords=[PASSWORD])
    assert reader["Status"] == "active" and reader["Authentication"] == {"Type": "password", "PasswordCount": 1}
    assert PASSWORD not in str(reader)
    assert error_code(ec.create_user, UserId="sec-reader", UserName="x", Engine="redis", AccessString="on",
                      NoPasswordRequired=True) == "UserAlreadyExists"

    assert error_code(ec.create_user_group, UserGroupId="sec-nodefault", Engine="redis",
                      UserIds=["sec-reader"]) == "DefaultUserRequired"
    assert error_code(ec.create_user_group, UserGroupId="sec-unknown", Engine="redis",
                      UserIds=["default", "no-such-user"]) == "UserNotFound"
    assert error_code(ec.create_user_group, UserGroupId="sec-twodefaults", Engine="redis",
                      UserIds=["default", "sec-admin"]) == "DuplicateUserName"
    made = ec.create_user_group(UserGroupId="sec-users", Engine="redis", UserIds=["sec-admin", "sec-reader"])
    assert made["Status"] == "active" and sorted(made["UserIds"]) == ["sec-admin", "sec-reader"]
    assert error_code(ec.describe_user_groups, UserGroupId="no-such-group") == "UserGroupNotFound"
    assert error_code(ec.describe_users, UserId="no-such-user") == "UserNotFound"

    base = dict(ReplicationGroupDescription="rbac", Engine="redis", CacheNodeType="cache.t3.micro",
                NumCacheClusters=1)
    assert error_code(ec.create_replication_group, ReplicationGroupId="sec-rbac-plain", UserGroupIds=["sec-users"],
                      **base) == "InvalidParameterCombination"
    ec.create_replication_group(ReplicationGroupId="sec-rbac", UserGroupIds=["sec-users"],
                                TransitEncryptionEnabled=True, **base)
    group = wait_group(ec, "sec-rbac", "available")
    assert group["UserGroupIds"] == ["sec-users"] and group["TransitEncryptionEnabled"] is True
    assert ec.describe_user_groups(UserGroupId="sec-users")["UserGroups"][0]["ReplicationGroups"] == ["sec-rbac"]
    assert ec.describe_users(UserId="sec-reader")["Users"][0]["UserGroupIds"] == ["sec-users"]
    port = primary_port(group)

    # The default user is the group's own, with its password.
    assert "NOAUTH" in answers(port, bundle, "GET", "app:x")
    assert answers(port, bundle, "SET", "app:x", "1", password=ADMIN_PASSWORD) == "OK"
    assert answers(port, bundle, "SET", "other:x", "2", password=ADMIN_PASSWORD) == "OK"
    # +@all keeps ElastiCache's restricted commands away.
    assert "NOPERM" in answers(port, bundle, "CONFIG", "GET", "maxmemory", password=ADMIN_PASSWORD)
    assert "NOPERM" in answers(port, bundle, "ACL", "SETUSER", "x", password=ADMIN_PASSWORD)
    # The reader reads its keys and nothing else.
    assert answers(port, bundle, "GET", "app:x", user="reader", password=PASSWORD) == "1"
    assert "NOPERM" in answers(port, bundle, "SET", "app:x", "3", user="reader", password=PASSWORD)
    assert "NOPERM" in answers(port, bundle, "GET", "other:x", user="reader", password=PASSWORD)
    assert "WRONGPASS" in answers(port, bundle, "GET", "app:x", user="reader", password=ADMIN_PASSWORD)

    # A user modified: every node of the groups that use it, at once.
    ec.modify_user(UserId="sec-reader", AccessString="on ~app:* -@all +@read +@write")
    wait_group(ec, "sec-rbac", "available")
    assert answers(port, bundle, "SET", "app:x", "3", user="reader", password=PASSWORD) == "OK"
    assert "NOPERM" in answers(port, bundle, "GET", "other:x", user="reader", password=PASSWORD)

    # A node killed comes back with the same users (restarted without failover).
    (pid_file,) = glob.glob(os.path.join(kura.data_dir, "elasticache", "groups", "sec-rbac-*", "sec-rbac-001",
                                         "redis.pid"))
    with open(pid_file) as f:
        os.kill(int(f.read().strip()), signal.SIGKILL)
    wait_answer(port, bundle, "3", "GET", "app:x", user="reader", password=PASSWORD, timeout=60)
    assert "NOPERM" in answers(port, bundle, "GET", "other:x", user="reader", password=PASSWORD)
    assert "NOPERM" in answers(port, bundle, "CONFIG", "GET", "maxmemory", password=ADMIN_PASSWORD)

    # Taken out of the group: gone from the servers.
    assert error_code(ec.delete_user_group, UserGroupId="sec-users") == "InvalidUserGroupState"
    assert error_code(ec.modify_user_group, UserGroupId="sec-users",
                      UserIdsToRemove=["sec-admin"]) == "DefaultUserRequired"
    ec.modify_user_group(UserGroupId="sec-users", UserIdsToRemove=["sec-reader"])
    wait_group(ec, "sec-rbac", "available")
    assert "WRONGPASS" in answers(port, bundle, "GET", "app:x", user="reader", password=PASSWORD)
    assert answers(port, bundle, "GET", "app:x", password=ADMIN_PASSWORD) == "3"

    assert error_code(ec.delete_user, UserId="default") == "InvalidParameterValue"
    assert error_code(ec.delete_user, UserId="sec-admin") == "DefaultUserAssociatedToUserGroup"
    ec.delete_user(UserId="sec-reader")
    assert error_code(ec.describe_users, UserId="sec-reader") == "UserNotFound"
    ec.delete_replication_group(ReplicationGroupId="sec-rbac")
    wait_group(ec, "sec-rbac", "gone")
    ec.delete_user_group(UserGroupId="sec-users")
    assert error_code(ec.describe_user_groups, UserGroupId="sec-users") == "UserGroupNotFound"
