"""IAM database authentication: an instance created with
--enable-iam-database-authentication takes, as the password of a database
user granted rds_iam (PostgreSQL) or identified with AWSAuthenticationPlugin
(MariaDB), a token from `aws rds generate-db-auth-token`, over TLS only;
Kura checks the token's signature, expiry, user, endpoint and region, and
the signer's rds-db:connect permission. Refusals are events of the
instance, without the token."""
import datetime
import hashlib
import hmac
import json
import os
import subprocess
import time
import urllib.parse
import urllib.request

import pymysql
import pytest

from conftest import AWS_CLI, REGION
from rds_support import PASSWORD, cluster, endpoint, psql, wait_cluster, wait_instances, wait_status

ACCOUNT = "000000000000"


@pytest.fixture(scope="module")
def server(kura_factory):
    return kura_factory()


@pytest.fixture(scope="module")
def rds(server):
    return server.client("rds")


@pytest.fixture(scope="module")
def iam(server):
    return server.client("iam")


def create(rds, identifier, engine="postgres", **extra):
    params = dict(DBInstanceIdentifier=identifier, Engine=engine, DBInstanceClass="db.t3.micro",
                  MasterUsername="admin", MasterUserPassword=PASSWORD, AllocatedStorage=20,
                  BackupRetentionPeriod=0, EnableIAMDatabaseAuthentication=True)
    params.update(extra)
    rds.create_db_instance(**params)
    wait_status(rds, identifier, "available", timeout=240)
    return rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]


@pytest.fixture(scope="module")
def pg(rds):
    """A PostgreSQL instance with alice and bob (rds_iam) and carol (a password)."""
    instance = create(rds, "iam-pg", BackupRetentionPeriod=1)  # read replicas need backups
    psql(rds, "iam-pg", "CREATE USER alice; GRANT rds_iam TO alice; CREATE USER bob; GRANT rds_iam TO bob; "
                        "CREATE USER carol PASSWORD 'Carol-pass-1'; CREATE TABLE notes (body text); "
                        "GRANT SELECT, INSERT ON notes TO alice")
    return instance


def token_cli(server, host, port, user, key="test", secret="test"):
    """What a user runs: the AWS CLI's generate-db-auth-token."""
    env = dict(os.environ, AWS_ACCESS_KEY_ID=key, AWS_SECRET_ACCESS_KEY=secret, AWS_DEFAULT_REGION=REGION)
    env.pop("AWS_PROFILE", None)
    result = subprocess.run([AWS_CLI, "rds", "generate-db-auth-token", "--hostname", host, "--port", str(port),
                             "--username", user, "--region", REGION, "--endpoint-url", server.endpoint],
                            capture_output=True, text=True, env=env, timeout=60, check=True)
    return result.stdout.strip()


def token_boto(rds, host, port, user):
    return rds.generate_db_auth_token(DBHostname=host, Port=port, DBUsername=user, Region=REGION)


def presign(host, port, user, when=None, expires=900, key="test", secret="test", region=REGION,
            service="rds-db", action="connect"):
    """A token signed by hand, at any time, for any service and expiry."""
    when = when or datetime.datetime.now(datetime.timezone.utc)
    amz_date, day = when.strftime("%Y%m%dT%H%M%SZ"), when.strftime("%Y%m%d")
    scope = f"{day}/{region}/{service}/aws4_request"
    params = {"Action": action, "DBUser": user, "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
              "X-Amz-Credential": f"{key}/{scope}", "X-Amz-Date": amz_date, "X-Amz-Expires": str(expires),
              "X-Amz-SignedHeaders": "host"}
    query = "&".join(f"{urllib.parse.quote(k, safe='-_.~')}={urllib.parse.quote(v, safe='-_.~')}"
                     for k, v in sorted(params.items()))
    canonical = "\n".join(["GET", "/", query, f"host:{host}:{port}\n", "host", hashlib.sha256(b"").hexdigest()])
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    signing = ("AWS4" + secret).encode()
    for part in (day, region, service, "aws4_request"):
        signing = hmac.new(signing, part.encode(), hashlib.sha256).digest()
    signature = hmac.new(signing, to_sign.encode(), hashlib.sha256).hexdigest()
    return f"{host}:{port}/?{query}&X-Amz-Signature={signature}"


def pg_login(host, port, user, password, sslmode="require", sql="SELECT current_user"):
    env = dict(os.environ, PGPASSWORD=password, PGCONNECT_TIMEOUT="10")
    return subprocess.run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                           f"host={host} port={port} user={user} dbname=postgres sslmode={sslmode}", "-c", sql],
                          capture_output=True, text=True, env=env, timeout=60)


def refused_events(rds, identifier, source_type="db-instance"):
    events = rds.describe_events(SourceIdentifier=identifier, SourceType=source_type, Duration=60)["Events"]
    return [e["Message"] for e in events if "IAM database authentication" in e["Message"]]


# --- PostgreSQL -----------------------------------------------------------------


def test_the_flag_is_described_and_modified(rds, pg):
    assert pg["IAMDatabaseAuthenticationEnabled"] is True
    plain = create(rds, "iam-off", EnableIAMDatabaseAuthentication=False)
    assert plain["IAMDatabaseAuthenticationEnabled"] is False
    rds.modify_db_instance(DBInstanceIdentifier="iam-off", EnableIAMDatabaseAuthentication=True, ApplyImmediately=True)
    described = rds.describe_db_instances(DBInstanceIdentifier="iam-off")["DBInstances"][0]
    assert described["IAMDatabaseAuthenticationEnabled"] is True


def test_psql_logs_in_with_a_cli_token_and_reads_back(server, rds, pg):
    host, port = endpoint(rds, "iam-pg")
    token = token_cli(server, host, port, "alice")
    assert token.startswith(f"{host}:{port}/?") and "Action=connect" in token and "DBUser=alice" in token
    done = pg_login(host, port, "alice", token, sql="INSERT INTO notes VALUES ('by token'); SELECT current_user")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "alice"
    assert psql(rds, "iam-pg", "SELECT body FROM notes") == "by token"
    # boto3's token too, and TLS is what carried it.
    ssl = pg_login(host, port, "alice", token_boto(rds, host, port, "alice"),
                   sql="SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
    assert ssl.returncode == 0 and ssl.stdout.strip() == "t", ssl.stderr


def test_plain_tcp_is_refused_even_with_a_good_token(rds, pg):
    host, port = endpoint(rds, "iam-pg")
    done = pg_login(host, port, "alice", token_boto(rds, host, port, "alice"), sslmode="disable")
    assert done.returncode != 0
    assert "alice" in done.stderr


def test_a_member_of_rds_iam_has_no_password_login(rds, pg):
    host, port = endpoint(rds, "iam-pg")
    psql(rds, "iam-pg", "ALTER ROLE bob PASSWORD 'Bob-pass-12'")
    done = pg_login(host, port, "bob", "Bob-pass-12")
    assert done.returncode != 0 and "authentication failed" in done.stderr


def test_a_user_without_rds_iam_refuses_a_token(rds, pg):
    host, port = endpoint(rds, "iam-pg")
    done = pg_login(host, port, "carol", token_boto(rds, host, port, "carol"))
    assert done.returncode != 0 and "password authentication failed" in done.stderr
    assert pg_login(host, port, "carol", "Carol-pass-1").stdout.strip() == "carol"


def test_bad_tokens_are_refused(rds, pg):
    host, port = endpoint(rds, "iam-pg")
    good = presign(host, port, "alice")
    assert pg_login(host, port, "alice", good).returncode == 0  # the hand-made signer is right
    now = datetime.datetime.now(datetime.timezone.utc)
    tampered = good[:-1] + ("0" if good[-1] != "0" else "1")
    bad = {
        "expired": presign(host, port, "alice", when=now - datetime.timedelta(minutes=16)),
        "expires beyond 900 s": presign(host, port, "alice", expires=3600),
        "from the future": presign(host, port, "alice", when=now + datetime.timedelta(minutes=10)),
        "tampered signature": tampered,
        "another user's": presign(host, port, "bob"),
        "another port": presign(host, port + 1, "alice"),
        "another host": presign("localhost", port, "alice"),
        "another region": presign(host, port, "alice", region="us-west-2"),
        "another service": presign(host, port, "alice", service="rds"),
        "another action": presign(host, port, "alice", action="disconnect"),
        "an unknown key": presign(host, port, "alice", key="AKIAUNKNOWN000000000", secret="x" * 40),
        "the wrong secret": presign(host, port, "alice", secret="not-the-secret"),
        "not a token": "hunter2",
    }
    for name, token in bad.items():
        done = pg_login(host, port, "alice", token)
        assert done.returncode != 0, f"{name} was accepted"
        assert "authentication failed" in done.stderr, (name, done.stderr)


def test_a_token_for_another_instance_is_refused(rds, pg):
    other = create(rds, "iam-pg-other")
    psql(rds, "iam-pg-other", "CREATE USER alice; GRANT rds_iam TO alice")
    host, port = endpoint(rds, "iam-pg")
    other_port = other["Endpoint"]["Port"]
    foreign = token_boto(rds, host, other_port, "alice")
    assert pg_login(host, other_port, "alice", foreign).returncode == 0
    done = pg_login(host, port, "alice", foreign)
    assert done.returncode != 0 and "authentication failed" in done.stderr


def test_refusals_are_events_without_the_token(server, rds, pg):
    host, port = endpoint(rds, "iam-pg")
    time.sleep(5.5)  # refusals make one event every 5 s at most (the log has each)
    token = presign(host, port, "alice", when=datetime.datetime.now(datetime.timezone.utc)
                    - datetime.timedelta(hours=1))
    assert pg_login(host, port, "alice", token).returncode != 0
    messages = refused_events(rds, "iam-pg")
    assert any("expired" in m and '"alice"' in m for m in messages), messages
    signature = token.rsplit("=", 1)[1]
    assert all(signature not in m for m in messages)
    assert signature not in server.read_log()
    assert "IAM database authentication refused" in server.read_log()


def test_iam_users_need_rds_db_connect(rds, iam, pg, server):
    host, port = endpoint(rds, "iam-pg")
    resource_id = pg["DbiResourceId"]
    iam.create_user(UserName="dbreader")
    key = iam.create_access_key(UserName="dbreader")["AccessKey"]
    arn = f"arn:aws:rds-db:{REGION}:{ACCOUNT}:dbuser:{resource_id}"
    iam.put_user_policy(UserName="dbreader", PolicyName="connect", PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "rds-db:connect", "Resource": f"{arn}/alice"},
                      {"Effect": "Allow", "Action": "rds-db:connect", "Resource": f"{arn}/b*"},
                      {"Effect": "Deny", "Action": "rds-db:connect", "Resource": f"{arn}/bob"}]}))
    ak, sk = key["AccessKeyId"], key["SecretAccessKey"]
    allowed = pg_login(host, port, "alice", token_cli(server, host, port, "alice", ak, sk))
    assert allowed.returncode == 0 and allowed.stdout.strip() == "alice", allowed.stderr
    denied = pg_login(host, port, "bob", token_cli(server, host, port, "bob", ak, sk))  # explicit deny
    assert denied.returncode != 0 and "authentication failed" in denied.stderr
    assert f'access_key_id="{ak}"' in server.read_log() and "explicit deny" in server.read_log()
    # A deleted key's tokens stop working at once.
    iam.delete_access_key(UserName="dbreader", AccessKeyId=ak)
    gone = pg_login(host, port, "alice", presign(host, port, "alice", key=ak, secret=sk))
    assert gone.returncode != 0


def test_disabled_instances_refuse_tokens(rds, pg):
    host, port = endpoint(rds, "iam-pg")
    rds.modify_db_instance(DBInstanceIdentifier="iam-pg", EnableIAMDatabaseAuthentication=False,
                           ApplyImmediately=True)
    try:
        done = pg_login(host, port, "alice", token_boto(rds, host, port, "alice"))
        assert done.returncode != 0
    finally:
        rds.modify_db_instance(DBInstanceIdentifier="iam-pg", EnableIAMDatabaseAuthentication=True,
                               ApplyImmediately=True)
    assert pg_login(host, port, "alice", token_boto(rds, host, port, "alice")).returncode == 0


def test_session_credentials_sign_tokens(server, rds, iam, pg):
    """A token signed with STS session credentials carries its
    X-Amz-Security-Token; the session's user needs rds-db:connect."""
    host, port = endpoint(rds, "iam-pg")
    iam.create_user(UserName="dbsession")
    iam.put_user_policy(UserName="dbsession", PolicyName="connect", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "rds-db:connect",
                                                "Resource": f"arn:aws:rds-db:*:*:dbuser:{pg['DbiResourceId']}/alice"}]}))
    key = iam.create_access_key(UserName="dbsession")["AccessKey"]
    sts = server.client("sts", key=key["AccessKeyId"], secret=key["SecretAccessKey"])
    session = sts.get_session_token()["Credentials"]
    signer = server.client("rds", key=session["AccessKeyId"], secret=session["SecretAccessKey"],
                           aws_session_token=session["SessionToken"])
    token = token_boto(signer, host, port, "alice")
    assert "X-Amz-Security-Token=" in token
    done = pg_login(host, port, "alice", token)
    assert done.returncode == 0 and done.stdout.strip() == "alice", done.stderr
    assert pg_login(host, port, "bob", token_boto(signer, host, port, "bob")).returncode != 0  # not allowed
    forged = token.replace("X-Amz-Security-Token=", "X-Amz-Security-Token=x")
    assert pg_login(host, port, "alice", forged).returncode != 0


def test_aurora_postgresql_clusters_take_tokens_for_their_endpoints(rds):
    rds.create_db_cluster(DBClusterIdentifier="iam-aurora", Engine="aurora-postgresql", MasterUsername="admin",
                          MasterUserPassword=PASSWORD, EnableIAMDatabaseAuthentication=True)
    rds.create_db_instance(DBInstanceIdentifier="iam-aurora-1", DBClusterIdentifier="iam-aurora",
                           Engine="aurora-postgresql", DBInstanceClass="db.r6g.large")
    wait_cluster(rds, "iam-aurora")
    wait_instances(rds, ["iam-aurora-1"])
    described = cluster(rds, "iam-aurora")
    assert described["IAMDatabaseAuthenticationEnabled"] is True
    member = rds.describe_db_instances(DBInstanceIdentifier="iam-aurora-1")["DBInstances"][0]
    assert member["IAMDatabaseAuthenticationEnabled"] is True  # the cluster's
    host, port = described["Endpoint"], described["Port"]
    env = dict(os.environ, PGPASSWORD=PASSWORD, PGCONNECT_TIMEOUT="10")
    made = subprocess.run(["psql", "-X", "-v", "ON_ERROR_STOP=1", f"host={host} port={port} user=admin dbname=postgres",
                           "-c", "CREATE USER alice; GRANT rds_iam TO alice"], capture_output=True, text=True, env=env,
                          timeout=60)
    assert made.returncode == 0, made.stderr
    done = pg_login(host, port, "alice", token_boto(rds, host, port, "alice"))
    assert done.returncode == 0 and done.stdout.strip() == "alice", done.stderr
    # The member's own endpoint reaches the same server, and its own tokens are good there.
    member_host, member_port = endpoint(rds, "iam-aurora-1")
    assert pg_login(member_host, member_port, "alice",
                    token_boto(rds, member_host, member_port, "alice")).returncode == 0
    rds.modify_db_cluster(DBClusterIdentifier="iam-aurora", EnableIAMDatabaseAuthentication=False,
                          ApplyImmediately=True)
    assert pg_login(host, port, "alice", token_boto(rds, host, port, "alice")).returncode != 0
    events = rds.describe_events(SourceIdentifier="iam-aurora", SourceType="db-cluster", Duration=60)["Events"]
    assert any("not enabled" in e["Message"] for e in events), events


# --- MariaDB (mysql, mariadb, aurora-mysql) ------------------------------------------


@pytest.fixture(scope="module")
def bundle(server, tmp_path_factory):
    with urllib.request.urlopen(server.endpoint + "/_kura/rds/ca-bundle.pem", timeout=10) as response:
        path = tmp_path_factory.mktemp("iam") / "ca.pem"
        path.write_bytes(response.read())
    return str(path)


def my_connect(host, port, user, password, bundle=None, tls=True):
    return pymysql.connect(host=host, port=port, user=user, password=password, connect_timeout=10,
                           ssl={"ca": bundle} if tls else None)


def my_query(host, port, sql, user="admin", password=PASSWORD):
    with my_connect(host, port, user, password, tls=False) as connection, connection.cursor() as cursor:
        for statement in sql.split(";"):
            if statement.strip():
                cursor.execute(statement)
        connection.commit()
        return cursor.fetchall()


@pytest.fixture(scope="module")
def maria(rds):
    instance = create(rds, "iam-maria", engine="mariadb")
    host, port = instance["Endpoint"]["Address"], instance["Endpoint"]["Port"]
    my_query(host, port, "CREATE USER alice IDENTIFIED WITH AWSAuthenticationPlugin AS 'RDS'; "
                         "CREATE USER bob IDENTIFIED WITH AWSAuthenticationPlugin AS 'RDS'; "
                         "CREATE DATABASE app; CREATE TABLE app.notes (body TEXT); "
                         "GRANT SELECT, INSERT ON app.* TO alice")
    return instance


def test_pymysql_logs_in_with_a_token_over_tls_and_reads_back(rds, maria, bundle):
    host, port = maria["Endpoint"]["Address"], maria["Endpoint"]["Port"]
    with my_connect(host, port, "alice", token_boto(rds, host, port, "alice"), bundle) as connection:
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO app.notes VALUES ('by token')")
            connection.commit()
            cursor.execute("SELECT CURRENT_USER(), (SELECT VARIABLE_VALUE FROM information_schema.SESSION_STATUS "
                           "WHERE VARIABLE_NAME = 'Ssl_cipher')")
            user, cipher = cursor.fetchone()
    assert user.startswith("alice@") and cipher
    assert my_query(host, port, "SELECT body FROM app.notes") == (("by token",),)


def test_the_mariadb_client_logs_in_with_a_cli_token(server, rds, maria, bundle):
    host, port = maria["Endpoint"]["Address"], maria["Endpoint"]["Port"]
    token = token_cli(server, host, port, "alice")
    done = subprocess.run(["mariadb", "-h", host, "-P", str(port), "-u", "alice", f"--password={token}",
                           "--enable-cleartext-plugin", "--ssl", f"--ssl-ca={bundle}", "-N", "-e",
                           "SELECT CURRENT_USER()"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1].startswith("alice@"), (done.stdout, done.stderr)


def test_mariadb_refuses_plain_tcp_and_bad_tokens(rds, maria, bundle):
    host, port = maria["Endpoint"]["Address"], maria["Endpoint"]["Port"]
    with pytest.raises(pymysql.err.OperationalError):
        my_connect(host, port, "alice", token_boto(rds, host, port, "alice"), tls=False)
    now = datetime.datetime.now(datetime.timezone.utc)
    good = presign(host, port, "alice")
    bad = {"expired": presign(host, port, "alice", when=now - datetime.timedelta(minutes=16)),
           "tampered": good[:-1] + ("0" if good[-1] != "0" else "1"),
           "another user's": presign(host, port, "bob"),
           "another endpoint's": presign(host, port + 1, "alice")}
    for name, token in bad.items():
        with pytest.raises(pymysql.err.OperationalError):
            my_connect(host, port, "alice", token, bundle)
            raise AssertionError(f"{name} was accepted")
    my_connect(host, port, "alice", good, bundle).close()


def test_aurora_mysql_clusters_take_tokens_for_their_endpoints(rds, bundle):
    rds.create_db_cluster(DBClusterIdentifier="iam-aurora-my", Engine="aurora-mysql", MasterUsername="admin",
                          MasterUserPassword=PASSWORD, EnableIAMDatabaseAuthentication=True)
    rds.create_db_instance(DBInstanceIdentifier="iam-aurora-my-1", DBClusterIdentifier="iam-aurora-my",
                           Engine="aurora-mysql", DBInstanceClass="db.r6g.large")
    wait_cluster(rds, "iam-aurora-my")
    wait_instances(rds, ["iam-aurora-my-1"])
    described = cluster(rds, "iam-aurora-my")
    host, port = described["Endpoint"], described["Port"]
    my_query(host, port, "CREATE USER alice IDENTIFIED WITH AWSAuthenticationPlugin AS 'RDS'")
    with my_connect(host, port, "alice", token_boto(rds, host, port, "alice"), bundle) as connection:
        with connection.cursor() as cursor:
            cursor.execute("SELECT CURRENT_USER()")
            assert cursor.fetchone()[0].startswith("alice@")
    with pytest.raises(pymysql.err.OperationalError):
        my_connect(host, port, "alice", token_boto(rds, host, port + 1, "alice"), bundle)


def test_idle_connections_to_the_responder_do_not_lock_logins_out(server, rds, pg):
    """A local client filling the LDAP responder with idle connections (more
    than it holds at once): psql still logs in with a token, at once."""
    import socket
    log = server.read_log()
    address = log[log.rindex("IAM database authentication listens"):].split("\n")[0].split("address=")[1].strip()
    ldap_host, ldap_port = address.rsplit(":", 1)
    held = []
    try:
        for _ in range(80):
            held.append(socket.create_connection((ldap_host, int(ldap_port)), timeout=5))
        host, port = endpoint(rds, "iam-pg")
        started = time.monotonic()
        done = pg_login(host, port, "alice", token_boto(rds, host, port, "alice"))
        assert done.returncode == 0 and done.stdout.strip() == "alice", done.stderr
        assert time.monotonic() - started < 5
    finally:
        for connection in held:
            connection.close()


# --- aws:SourceIp: the database client's address -----------------------------------


def source_ip_user(server, iam, name, resource_id, cidr):
    """A user allowed rds-db:connect as alice only from `cidr`; its key."""
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="connect", PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "rds-db:connect",
                       "Resource": f"arn:aws:rds-db:{REGION}:{ACCOUNT}:dbuser:{resource_id}/alice",
                       "Condition": {"IpAddress": {"aws:SourceIp": cidr},
                                     "Bool": {"aws:SecureTransport": "true"}}}]}))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return key["AccessKeyId"], key["SecretAccessKey"]


def test_source_ip_is_the_postgresql_clients(server, rds, iam, pg):
    host, port = endpoint(rds, "iam-pg")
    near = source_ip_user(server, iam, "pg-near", pg["DbiResourceId"], "127.0.0.1/32")
    far = source_ip_user(server, iam, "pg-far", pg["DbiResourceId"], "10.0.0.0/8")
    done = pg_login(host, port, "alice", presign(host, port, "alice", key=near[0], secret=near[1]))
    assert done.returncode == 0 and done.stdout.strip() == "alice", done.stderr
    refused = pg_login(host, port, "alice", presign(host, port, "alice", key=far[0], secret=far[1]))
    assert refused.returncode != 0 and "authentication failed" in refused.stderr
    assert f'access_key_id="{far[0]}"' in server.read_log()


def test_source_ip_is_the_mariadb_clients(server, rds, iam, maria, bundle):
    """The client's own address, as it connects from 127.0.0.5, not the
    engine's nor the proxy's."""
    host, port = maria["Endpoint"]["Address"], maria["Endpoint"]["Port"]
    key, secret = source_ip_user(server, iam, "my-near", maria["DbiResourceId"], "127.0.0.5/32")
    token = presign(host, port, "alice", key=key, secret=secret)
    with pymysql.connect(host=host, port=port, user="alice", password=token, connect_timeout=10,
                         ssl={"ca": bundle}, bind_address="127.0.0.5") as connection:
        with connection.cursor() as cursor:
            cursor.execute("SELECT CURRENT_USER()")
            assert cursor.fetchone()[0].startswith("alice@")
    with pytest.raises(pymysql.err.OperationalError):
        my_connect(host, port, "alice", token, bundle)  # from 127.0.0.1


# --- What carries it, and what it survives ---------------------------------------


def test_read_replicas_and_restores_carry_it(rds, pg):
    rds.create_db_instance_read_replica(DBInstanceIdentifier="iam-pg-replica", SourceDBInstanceIdentifier="iam-pg")
    rds.create_db_snapshot(DBInstanceIdentifier="iam-pg", DBSnapshotIdentifier="iam-pg-snap")
    wait_status(rds, "iam-pg-snap", "available", snapshot=True)
    snapshot = rds.describe_db_snapshots(DBSnapshotIdentifier="iam-pg-snap")["DBSnapshots"][0]
    assert snapshot["IAMDatabaseAuthenticationEnabled"] is True
    rds.restore_db_instance_from_db_snapshot(DBInstanceIdentifier="iam-pg-restored", DBSnapshotIdentifier="iam-pg-snap")
    rds.restore_db_instance_from_db_snapshot(DBInstanceIdentifier="iam-pg-restored-off",
                                             DBSnapshotIdentifier="iam-pg-snap",
                                             EnableIAMDatabaseAuthentication=False)
    for name in ("iam-pg-replica", "iam-pg-restored", "iam-pg-restored-off"):
        wait_status(rds, name, "available", timeout=240)
    for name, enabled in (("iam-pg-replica", True), ("iam-pg-restored", True), ("iam-pg-restored-off", False)):
        instance = rds.describe_db_instances(DBInstanceIdentifier=name)["DBInstances"][0]
        assert instance["IAMDatabaseAuthenticationEnabled"] is enabled, name
        host, port = endpoint(rds, name)
        done = pg_login(host, port, "alice", token_boto(rds, host, port, "alice"))
        # rds_iam and its members came with the data; the token names this instance's endpoint.
        assert (done.returncode == 0) is enabled, (name, done.stderr)


def test_a_killed_kura_takes_tokens_again_on_the_same_port(server, rds, pg, maria, bundle):
    host, port = endpoint(rds, "iam-pg")
    log = server.read_log()
    listening = log[log.rindex("IAM database authentication listens"):].split("\n")[0]
    server.stop(sigkill=True)  # the engines keep running, configured with the responder's port
    server.start()
    wait_status(rds, "iam-pg", "available")
    log = server.read_log()
    assert log[log.rindex("IAM database authentication listens"):].split("\n")[0].split("address=")[1] == \
        listening.split("address=")[1]
    done = pg_login(host, port, "alice", token_boto(rds, host, port, "alice"))
    assert done.returncode == 0, done.stderr
    mhost, mport = maria["Endpoint"]["Address"], maria["Endpoint"]["Port"]
    wait_status(rds, "iam-maria", "available")
    my_connect(mhost, mport, "alice", token_boto(rds, mhost, mport, "alice"), bundle).close()
