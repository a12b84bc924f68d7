"""TLS of RDS instances: Kura's CA per data directory, listed by
DescribeCertificates and downloadable as a bundle; PostgreSQL and MariaDB
serve certificates it issued for the endpoint's address, which clients
verify with the bundle (psql verify-full, the mariadb client, PyMySQL,
openssl s_client); rds.force_ssl and require_secure_transport refuse
plaintext TCP clients, while Kura's own sessions (the socket) and MariaDB's
replication between Multi-AZ nodes (over TLS) keep working."""
import datetime
import hashlib
import os
import re
import ssl
import subprocess
import time
import urllib.request

import pytest

from model_overlay import newer_client
from rds_support import PASSWORD, endpoint, wait_status


@pytest.fixture(scope="module")
def server(kura_factory):
    return kura_factory()


@pytest.fixture(scope="module")
def rds(server):
    return newer_client(server, "rds")  # one that knows CertificateDetails


@pytest.fixture(scope="module")
def bundle(server, tmp_path_factory):
    """The CA bundle, as a client downloads it from Kura."""
    with urllib.request.urlopen(server.endpoint + "/_kura/rds/ca-bundle.pem", timeout=10) as response:
        text = response.read().decode()
    path = tmp_path_factory.mktemp("tls") / "kura-ca-bundle.pem"
    path.write_text(text)
    return str(path)


def create(rds, identifier, engine, **extra):
    params = dict(DBInstanceIdentifier=identifier, Engine=engine, DBInstanceClass="db.t3.micro",
                  MasterUsername="admin", MasterUserPassword=PASSWORD, AllocatedStorage=20,
                  BackupRetentionPeriod=0)
    params.update(extra)
    rds.create_db_instance(**params)
    wait_status(rds, identifier, "available", timeout=240)
    return rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]


def group_with(rds, name, engine, parameter, value):
    family = rds.describe_db_engine_versions(Engine=engine)["DBEngineVersions"][-1]["DBParameterGroupFamily"]
    rds.create_db_parameter_group(DBParameterGroupName=name, DBParameterGroupFamily=family, Description=name)
    rds.modify_db_parameter_group(DBParameterGroupName=name, Parameters=[
        {"ParameterName": parameter, "ParameterValue": value, "ApplyMethod": "immediate"}])


def psql(host, port, sslmode, bundle=None):
    conninfo = f"host={host} port={port} user=admin dbname=postgres sslmode={sslmode}"
    if bundle:
        conninfo += f" sslrootcert={bundle}"
    env = dict(os.environ, PGPASSWORD=PASSWORD, PGCONNECT_TIMEOUT="10")
    return subprocess.run(["psql", "-X", "-q", "-A", "-t", conninfo, "-c",
                           "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"],
                          capture_output=True, text=True, env=env, timeout=60)


def s_client(protocol, host, port, bundle):
    """openssl s_client's verdict on the server's chain and name."""
    result = subprocess.run(["openssl", "s_client", "-starttls", protocol, "-connect", f"{host}:{port}",
                             "-CAfile", bundle, "-verify_return_error", "-verify_ip", host],
                            input="", capture_output=True, text=True, timeout=30)
    return result.returncode, result.stdout + result.stderr


def test_describe_certificates_lists_the_ca_its_bundle_holds(rds, server, bundle):
    certificates = rds.describe_certificates()["Certificates"]
    assert len(certificates) == 1
    ca = certificates[0]
    assert re.fullmatch(r"kura-ca-\d{4}", ca["CertificateIdentifier"])
    assert ca["CertificateType"] == "CA"
    assert ca["CustomerOverride"] is False
    assert ca["ValidFrom"] < ca["ValidTill"]
    with open(bundle) as f:
        pem = f.read()
    with open(os.path.join(server.data_dir, "keys", "rds-ca.pem")) as f:
        assert f.read() == pem
    assert ca["Thumbprint"] == hashlib.sha1(ssl.PEM_cert_to_DER_cert(pem)).hexdigest()
    assert oct(os.stat(os.path.join(server.data_dir, "keys", "rds-ca.key")).st_mode & 0o777) == "0o600"
    named = rds.describe_certificates(CertificateIdentifier=ca["CertificateIdentifier"])["Certificates"]
    assert named == certificates
    with pytest.raises(rds.exceptions.CertificateNotFoundFault):
        rds.describe_certificates(CertificateIdentifier="rds-ca-rsa2048-g1")


def test_postgres_serves_tls_and_force_ssl_refuses_plaintext(rds, bundle):
    group_with(rds, "pg-force-ssl", "postgres", "rds.force_ssl", "1")
    instance = create(rds, "pgtls", "postgres", DBParameterGroupName="pg-force-ssl")
    ca = rds.describe_certificates()["Certificates"][0]["CertificateIdentifier"]
    assert instance["CACertificateIdentifier"] == ca
    assert instance["CertificateDetails"]["CAIdentifier"] == ca
    # A year, as RDS's server certificates.
    valid_days = (instance["CertificateDetails"]["ValidTill"] - datetime.datetime.now(datetime.timezone.utc)).days
    assert 360 <= valid_days <= 366
    host, port = endpoint(rds, "pgtls")
    verified = psql(host, port, "verify-full", bundle)
    assert verified.returncode == 0, verified.stderr
    assert verified.stdout.strip() == "t"
    plain = psql(host, port, "disable")
    assert plain.returncode != 0
    assert "no pg_hba.conf entry" in plain.stderr
    # localhost is in the certificate too; a bundle that is not Kura's fails.
    assert psql("localhost", port, "verify-full", bundle).returncode == 0
    assert psql(host, port, "verify-full", "/etc/ssl/certs/ca-certificates.crt").returncode != 0
    code, output = s_client("postgres", host, port, bundle)
    assert code == 0 and "Verify return code: 0 (ok)" in output, output
    # rds.force_ssl is dynamic: back to 0, plaintext TCP is taken again.
    rds.modify_db_parameter_group(DBParameterGroupName="pg-force-ssl", Parameters=[
        {"ParameterName": "rds.force_ssl", "ParameterValue": "0", "ApplyMethod": "immediate"}])
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and psql(host, port, "disable").returncode != 0:
        time.sleep(0.5)
    assert psql(host, port, "disable").stdout.strip() == "f"
    with pytest.raises(rds.exceptions.ClientError) as info:
        rds.modify_db_parameter_group(DBParameterGroupName="pg-force-ssl", Parameters=[
            {"ParameterName": "rds.force_ssl", "ParameterValue": "yes", "ApplyMethod": "immediate"}])
    assert info.value.response["Error"]["Code"] == "InvalidParameterValue"
    # One CA: naming it changes nothing, naming another is refused.
    same = rds.modify_db_instance(DBInstanceIdentifier="pgtls", CACertificateIdentifier=ca, ApplyImmediately=True)
    assert same["DBInstance"]["CACertificateIdentifier"] == ca
    with pytest.raises(rds.exceptions.CertificateNotFoundFault):
        rds.modify_db_instance(DBInstanceIdentifier="pgtls", CACertificateIdentifier="rds-ca-rsa4096-g1",
                               ApplyImmediately=True)
    rds.delete_db_instance(DBInstanceIdentifier="pgtls", SkipFinalSnapshot=True)


@pytest.mark.skipif(not os.path.exists("/usr/sbin/mariadbd"), reason="no MariaDB server installed")
def test_mariadb_serves_tls_and_require_secure_transport_refuses_plaintext(rds, bundle):
    pymysql = pytest.importorskip("pymysql")
    group_with(rds, "my-secure", "mariadb", "require_secure_transport", "1")
    # Multi-AZ: the standby replicates from the primary over TLS.
    create(rds, "mytls", "mariadb", DBParameterGroupName="my-secure", MultiAZ=True)
    host, port = endpoint(rds, "mytls")
    client = subprocess.run(["mariadb", "--no-defaults", "-h", host, "-P", str(port), "-u", "admin",
                             f"-p{PASSWORD}", "--ssl-verify-server-cert", f"--ssl-ca={bundle}", "-N", "-B",
                             "-e", "SHOW SESSION STATUS LIKE 'Ssl_cipher'"],
                            capture_output=True, text=True, timeout=60)
    assert client.returncode == 0, client.stderr
    assert client.stdout.split("\t")[1].strip()  # a cipher: the session is encrypted
    context = ssl.create_default_context(cafile=bundle)
    with pymysql.connect(host=host, port=port, user="admin", password=PASSWORD, ssl=context,
                         connect_timeout=10, autocommit=True) as connection, connection.cursor() as cursor:
        cursor.execute("SHOW SESSION STATUS LIKE 'Ssl_version'")
        assert cursor.fetchone()[1].startswith("TLSv1.")
        cursor.execute("CREATE DATABASE app")
        cursor.execute("CREATE TABLE app.t (n INT PRIMARY KEY)")
        cursor.execute("INSERT INTO app.t VALUES (1)")
    # The standby streams (it connects over TCP, where TLS is required).
    assert standby_clients(pymysql, host, port, context) >= 1
    with pytest.raises(pymysql.MySQLError) as info:
        pymysql.connect(host=host, port=port, user="admin", password=PASSWORD, connect_timeout=10)
    assert info.value.args[0] == 1045  # MariaDB refuses the login itself
    code, output = s_client("mysql", host, port, bundle)
    assert code == 0 and "Verify return code: 0 (ok)" in output, output
    # A failover: the new primary takes the writes, over TLS; its standby follows.
    rds.reboot_db_instance(DBInstanceIdentifier="mytls", ForceFailover=True)
    wait_status(rds, "mytls", "available", timeout=180)
    deadline, rows = time.monotonic() + 60, None
    while time.monotonic() < deadline and rows is None:
        try:
            with pymysql.connect(host=host, port=port, user="admin", password=PASSWORD, ssl=context,
                                 connect_timeout=5, autocommit=True) as connection, connection.cursor() as cursor:
                cursor.execute("SELECT n FROM app.t")
                rows = cursor.fetchall()
        except pymysql.MySQLError:
            time.sleep(0.5)
    assert rows == ((1,),)
    assert standby_clients(pymysql, host, port, context) >= 1
    # require_secure_transport is dynamic: OFF, plaintext TCP is taken again.
    rds.modify_db_parameter_group(DBParameterGroupName="my-secure", Parameters=[
        {"ParameterName": "require_secure_transport", "ParameterValue": "0", "ApplyMethod": "immediate"}])
    deadline, plain = time.monotonic() + 60, None
    while time.monotonic() < deadline and plain is None:
        try:
            plain = pymysql.connect(host=host, port=port, user="admin", password=PASSWORD, connect_timeout=5)
        except pymysql.MySQLError:
            time.sleep(0.5)
    assert plain is not None
    plain.close()
    rds.delete_db_instance(DBInstanceIdentifier="mytls", SkipFinalSnapshot=True)


def standby_clients(pymysql, host, port, context, timeout=120):
    """Waits for the primary's semi-synchronous standby; how many there are."""
    deadline, clients = time.monotonic() + timeout, 0
    while time.monotonic() < deadline and clients < 1:
        try:
            with pymysql.connect(host=host, port=port, user="admin", password=PASSWORD, ssl=context,
                                 connect_timeout=5, autocommit=True) as connection, connection.cursor() as cursor:
                cursor.execute("SHOW GLOBAL STATUS LIKE 'Rpl_semi_sync_master_clients'")
                clients = int(cursor.fetchone()[1])
        except pymysql.MySQLError:
            pass
        time.sleep(0.3)
    return clients


def test_aurora_members_serve_the_cluster_and_reader_endpoints(rds, bundle):
    engine = "aurora-postgresql"
    rds.create_db_cluster(DBClusterIdentifier="aurtls", Engine=engine, MasterUsername="admin",
                          MasterUserPassword=PASSWORD)
    for name in ("aurtls-1", "aurtls-2"):
        rds.create_db_instance(DBInstanceIdentifier=name, DBClusterIdentifier="aurtls", Engine=engine,
                               DBInstanceClass="db.r6g.large")
        wait_status(rds, name, "available", timeout=180)
    cluster = rds.describe_db_clusters(DBClusterIdentifier="aurtls")["DBClusters"][0]
    for host in (cluster["Endpoint"], cluster["ReaderEndpoint"]):
        deadline, result = time.monotonic() + 60, None
        while time.monotonic() < deadline:
            result = psql(host, cluster["Port"], "verify-full", bundle)
            if result.returncode == 0:
                break
            time.sleep(0.5)
        assert result.returncode == 0 and result.stdout.strip() == "t", (host, result.stderr)
    for name in ("aurtls-1", "aurtls-2"):
        rds.delete_db_instance(DBInstanceIdentifier=name, SkipFinalSnapshot=True)
