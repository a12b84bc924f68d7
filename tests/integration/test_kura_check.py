"""`kura check` audits the runbook's checklist through the public AWS APIs: a
deliberately non-compliant fleet fails the right rules with the right runbook
sections, a compliant set of the same resources passes them, and the same
run against moto (when moto_server is installed) completes with every rule
passed, failed or not checkable."""
import json
import os
import shutil
import signal
import subprocess
import time
import urllib.request
import xml.etree.ElementTree as ET

import pytest

from conftest import KURA_BIN, REGION, free_port
from model_overlay import newer_client
from rds_support import wait_status
from test_elasticache import wait_cluster
from test_elasticache_replication import wait_group

OUTCOMES = {"passed", "failed", "not checkable", "suppressed"}


def run_check(endpoint, *args, region=REGION, env=None):
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    full_env.update(AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_DEFAULT_REGION=region,
                    HOME=os.environ.get("HOME", "/tmp"))
    full_env.update(env or {})
    return subprocess.run([KURA_BIN, "check", "--endpoint-url", endpoint, *args], capture_output=True, text=True,
                          env=full_env, timeout=300)


def results_of(endpoint, *args, **kwargs):
    done = run_check(endpoint, "--format", "json", *args, **kwargs)
    assert done.returncode in (0, 1), done.stderr
    return done.returncode, json.loads(done.stdout)


def find(report, rule, resource_part):
    found = [r for r in report["results"] if r["rule"] == rule and resource_part in r["resource"]]
    assert found, f"no {rule} result for {resource_part}: {[(r['rule'], r['resource']) for r in report['results']]}"
    return found


@pytest.fixture(scope="module")
def fleet(kura_factory):
    """One server, a non-compliant resource of each kind ("bad") and a
    compliant one ("good"): one small engine each, Multi-AZ aside."""
    server = kura_factory()
    kms, ddb = server.client("kms"), server.client("dynamodb")
    rds = newer_client(server, "rds")  # ManageMasterUserPassword is newer than Debian's botocore
    ec, sm = server.client("elasticache"), server.client("secretsmanager")

    bad_key = kms.create_key(Description="no rotation")["KeyMetadata"]
    good_key = kms.create_key(Description="rotated")["KeyMetadata"]
    kms.enable_key_rotation(KeyId=good_key["KeyId"])

    rds.create_db_instance(DBInstanceIdentifier="bad-pg", Engine="postgres", DBInstanceClass="db.t3.micro",
                           MasterUsername="admin", MasterUserPassword="S3cret-pass", AllocatedStorage=20,
                           BackupRetentionPeriod=0, MultiAZ=False, StorageEncrypted=False)
    family = rds.describe_db_engine_versions(Engine="postgres")["DBEngineVersions"][0]["DBParameterGroupFamily"]
    rds.create_db_parameter_group(DBParameterGroupName="good-params", DBParameterGroupFamily=family,
                                  Description="time zone and connections set explicitly")
    rds.create_db_instance(DBInstanceIdentifier="good-pg", DBParameterGroupName="good-params", Engine="postgres", DBInstanceClass="db.t3.micro",
                           MasterUsername="admin", ManageMasterUserPassword=True, AllocatedStorage=20,
                           BackupRetentionPeriod=7, PreferredBackupWindow="02:00-03:00", MultiAZ=True,
                           StorageEncrypted=True, KmsKeyId=good_key["KeyId"], DeletionProtection=True,
                           EnableIAMDatabaseAuthentication=True)

    for name in ("bad-table", "good-table"):
        ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                         AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                         KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
                         **({"SSESpecification": {"Enabled": True, "SSEType": "KMS",
                                                  "KMSMasterKeyId": good_key["KeyId"]}}
                            if name == "good-table" else {}))
    ddb.update_continuous_backups(TableName="good-table",
                                  PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})

    ec.create_cache_cluster(CacheClusterId="bad-cache", Engine="redis", CacheNodeType="cache.t3.micro",
                            NumCacheNodes=1)
    ec.create_replication_group(ReplicationGroupId="good-cache", ReplicationGroupDescription="encrypted",
                                Engine="redis", CacheNodeType="cache.t3.micro", NumCacheClusters=1,
                                AtRestEncryptionEnabled=True, TransitEncryptionEnabled=True,
                                SnapshotRetentionLimit=7)

    sm.create_secret(Name="bad-secret", SecretString="not rotated")

    # Waits: everything available, the compliant instance's first automated snapshot taken.
    wait_status(rds, "bad-pg", "available", timeout=240)
    wait_status(rds, "good-pg", "available", timeout=240)
    wait_cluster(ec, "bad-cache", "available")
    wait_group(ec, "good-cache", "available")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        snaps = rds.describe_db_snapshots(DBInstanceIdentifier="good-pg", SnapshotType="automated")["DBSnapshots"]
        if any(s["Status"] == "available" for s in snaps):
            break
        time.sleep(0.5)
    server.keys = {"bad": bad_key, "good": good_key}
    return server


EXPECTED_FAILURES = [
    # (rule, resource, runbook section)
    ("rds-multi-az", "db:bad-pg", "1.1"),
    ("rds-backup-retention", "db:bad-pg", "1.3"),
    ("rds-snapshot-recent", "db:bad-pg", "1.3"),
    ("rds-storage-encrypted-cmk", "db:bad-pg", "1.4"),
    ("rds-master-password-managed", "db:bad-pg", "1.4"),
    ("rds-deletion-protection", "db:bad-pg", "4.2"),
    ("rds-parameter-group", "db:bad-pg", "1.2"),
    ("dynamodb-pitr", "table/bad-table", "2.2"),
    ("dynamodb-kms-encryption", "table/bad-table", "2.3"),
    ("elasticache-encryption-at-rest", "cluster:bad-cache", "3.3"),
    ("elasticache-encryption-in-transit", "cluster:bad-cache", "3.3"),
    ("elasticache-multi-az", "cluster:bad-cache", "3.1"),
    ("kms-rotation", "BADKEY", "1.4"),
    ("secretsmanager-rotation", "secret:bad-secret", "1.4"),
]

EXPECTED_PASSES = [
    ("rds-multi-az", "db:good-pg"),
    ("rds-backup-retention", "db:good-pg"),
    ("rds-snapshot-recent", "db:good-pg"),
    ("rds-storage-encrypted-cmk", "db:good-pg"),
    ("rds-master-password-managed", "db:good-pg"),
    ("rds-deletion-protection", "db:good-pg"),
    ("rds-parameter-group", "db:good-pg"),
    ("dynamodb-pitr", "table/good-table"),
    ("dynamodb-kms-encryption", "table/good-table"),
    ("elasticache-encryption-at-rest", "replicationgroup:good-cache"),
    ("elasticache-encryption-in-transit", "replicationgroup:good-cache"),
    ("kms-rotation", "GOODKEY"),
    # RDS manages good-pg's master password and rotates it (every 7 days).
    ("secretsmanager-rotation", "secret:rds!db-"),
    # Kura's own trail: always on, its log files validated by signed digests.
    ("cloudtrail-logging", "trail/kura"),
    ("cloudtrail-log-validation", "trail/kura"),
    ("cloudtrail-retention", "eventdatastore/kura"),  # --trail-retention-days: 2557 by default
]


def key_part(fleet, text):
    return {"BADKEY": fleet.keys["bad"]["KeyId"], "GOODKEY": fleet.keys["good"]["KeyId"]}.get(text, text)


def test_non_compliant_fleet_fails_the_right_rules_and_compliant_one_passes(fleet):
    code, report = results_of(fleet.endpoint)
    assert code == 1  # high-severity rules failed; --fail-on defaults to high
    assert {r["status"] for r in report["results"]} <= OUTCOMES
    for rule, resource, section in EXPECTED_FAILURES:
        for result in find(report, rule, key_part(fleet, resource)):
            assert result["status"] == "failed", result
            assert result["section"] == section, result
            assert result["fix"].startswith(f"aws --endpoint-url {fleet.endpoint} --region {REGION} "), result
    for rule, resource in EXPECTED_PASSES:
        for result in find(report, rule, key_part(fleet, resource)):
            assert result["status"] == "passed", result
    # The fix names the resource: a command that runs as printed.
    pitr = find(report, "dynamodb-pitr", "table/bad-table")[0]
    assert "update-continuous-backups --table-name bad-table" in pitr["fix"]
    # The managed secret passes because it really rotates: its password has a
    # schedule, and RotateSecret changes the engine's (test_secretsmanager_rotation.py).
    managed = fleet.client("secretsmanager").describe_secret(
        SecretId=find(report, "secretsmanager-rotation", "secret:rds!db-")[0]["resource"])
    assert managed["RotationEnabled"] and managed["RotationRules"]["AutomaticallyAfterDays"] == 7


def test_fix_commands_work_against_the_endpoint(fleet):
    """The printed fix of a failure, run through the AWS CLI, makes the rule pass."""
    _, report = results_of(fleet.endpoint)
    fix = find(report, "kms-rotation", fleet.keys["bad"]["KeyId"])[0]["fix"]
    assert fix.startswith("aws ") and "&&" not in fix
    env = dict(os.environ, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_PAGER="")
    subprocess.run(["/usr/bin/aws" if os.path.exists("/usr/bin/aws") else "aws", *fix.split()[1:]],
                   check=True, env=env, capture_output=True, timeout=60)
    try:
        _, after = results_of(fleet.endpoint)
        assert find(after, "kms-rotation", fleet.keys["bad"]["KeyId"])[0]["status"] == "passed"
    finally:
        fleet.client("kms").disable_key_rotation(KeyId=fleet.keys["bad"]["KeyId"])


def test_fail_on_and_suppressions(fleet, tmp_path):
    # Nothing critical fails: --fail-on critical exits 0.
    assert run_check(fleet.endpoint, "--fail-on", "critical").returncode == 0
    suppressions = tmp_path / "suppressions.json"
    suppressions.write_text(json.dumps({"suppressions": [
        {"rule": "rds-multi-az", "resource": "", "reason": "staging is single-AZ by design", "expires": "2999-12-31"},
        {"rule": "dynamodb-pitr", "reason": "a review that lapsed", "expires": "2001-01-01"},
    ]}))
    _, report = results_of(fleet.endpoint, "--suppressions", str(suppressions))
    bad = find(report, "rds-multi-az", "db:bad-pg")[0]
    assert bad["status"] == "suppressed" and "single-AZ by design" in bad["suppression"]
    # The expired one no longer applies, and is reported.
    assert find(report, "dynamodb-pitr", "table/bad-table")[0]["status"] == "failed"
    assert [s["rule"] for s in report["expiredSuppressions"]] == ["dynamodb-pitr"]
    # A suppression without a reason is a usage error.
    suppressions.write_text(json.dumps([{"rule": "rds-multi-az", "expires": "2999-12-31"}]))
    done = run_check(fleet.endpoint, "--suppressions", str(suppressions))
    assert done.returncode == 2 and "reason" in done.stderr


def test_junit_and_sarif_outputs(fleet):
    junit = run_check(fleet.endpoint, "--format", "junit")
    root = ET.fromstring(junit.stdout)
    cases = root.findall(".//testcase")
    _, report = results_of(fleet.endpoint)
    assert len(cases) == len(report["results"])
    failed = [c for c in cases if c.find("failure") is not None]
    assert int(root.get("failures")) == len(failed) == sum(r["status"] == "failed" for r in report["results"])
    assert any(c.get("classname") == "dynamodb-pitr" and "bad-table" in c.get("name") for c in failed)

    sarif = json.loads(run_check(fleet.endpoint, "--format", "sarif").stdout)
    assert sarif["version"] == "2.1.0"
    run = sarif["runs"][0]
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert "rds-multi-az" in rule_ids and len(rule_ids) == len(set(rule_ids))
    for result in run["results"]:
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]
        assert result["level"] in ("error", "warning", "note", "none")
    multi_az = [r for r in run["results"] if r["ruleId"] == "rds-multi-az" and r["kind"] == "fail"]
    assert multi_az and multi_az[0]["level"] == "error"


def test_connection_and_usage_errors_exit_2(tmp_path):
    closed = free_port()
    done = run_check(f"http://127.0.0.1:{closed}")
    assert done.returncode == 2 and "cannot reach" in done.stderr
    assert run_check("ftp://example").returncode == 2
    assert run_check("http://127.0.0.1:1", "--format", "yaml").returncode == 2
    # No credentials anywhere: a usage error, not a crash.
    env = {"HOME": str(tmp_path), "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""}
    done = run_check(f"http://127.0.0.1:{closed}", env=env)
    assert done.returncode == 2 and "no AWS credentials" in done.stderr


def test_credentials_from_a_profile(fleet, tmp_path):
    aws_dir = tmp_path / ".aws"
    aws_dir.mkdir()
    (aws_dir / "credentials").write_text("[audit]\naws_access_key_id = test\naws_secret_access_key = test\n")
    (aws_dir / "config").write_text(f"[profile audit]\nregion = {REGION}\n")
    env = {"HOME": str(tmp_path), "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_DEFAULT_REGION": ""}
    done = run_check(fleet.endpoint, "--profile", "audit", "--format", "json", env=env)
    assert done.returncode in (0, 1), done.stderr
    assert json.loads(done.stdout)["region"] == REGION
    # A wrong secret is refused by the endpoint: exit 2, said so.
    (aws_dir / "credentials").write_text("[audit]\naws_access_key_id = test\naws_secret_access_key = wrong\n")
    done = run_check(fleet.endpoint, "--profile", "audit", env=env)
    assert done.returncode == 2 and "refused the credentials" in done.stderr


@pytest.fixture(scope="module")
def moto(tmp_path_factory):
    binary = shutil.which("moto_server")
    if binary is None:
        pytest.skip("moto_server is not on PATH")
    port = free_port()
    log = open(tmp_path_factory.mktemp("moto") / "moto.log", "w+b")
    proc = subprocess.Popen([binary, "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(endpoint + "/moto-api/", timeout=2).close()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                log.seek(0)
                pytest.fail("moto_server did not start: " + log.read().decode(errors="replace")[-2000:])
            time.sleep(0.2)
    yield endpoint
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=10)
    log.close()


def test_against_moto_every_rule_completes(moto):
    import boto3
    session = boto3.session.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1")
    rds = session.client("rds", endpoint_url=moto)
    rds.create_db_instance(DBInstanceIdentifier="bad-pg", Engine="postgres", DBInstanceClass="db.t3.micro",
                           MasterUsername="admin", MasterUserPassword="S3cret-pass", AllocatedStorage=20,
                           BackupRetentionPeriod=0)
    session.client("dynamodb", endpoint_url=moto).create_table(
        TableName="bad-table", BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}])
    session.client("elasticache", endpoint_url=moto).create_cache_cluster(
        CacheClusterId="bad-cache", Engine="redis", CacheNodeType="cache.t3.micro", NumCacheNodes=1)
    key = session.client("kms", endpoint_url=moto).create_key()["KeyMetadata"]["KeyId"]
    session.client("secretsmanager", endpoint_url=moto).create_secret(Name="bad-secret", SecretString="x")

    code, report = results_of(moto, region="us-east-1")
    assert code == 1
    assert report["results"] and {r["status"] for r in report["results"]} <= OUTCOMES
    assert find(report, "rds-multi-az", "db:bad-pg")[0]["status"] == "failed"
    assert find(report, "dynamodb-pitr", "table/bad-table")[0]["status"] == "failed"
    assert find(report, "kms-rotation", key)[0]["status"] == "failed"
    assert find(report, "secretsmanager-rotation", "bad-secret")[0]["status"] == "failed"
    for fmt in ("table", "junit", "sarif"):
        assert run_check(moto, "--format", fmt, env={"AWS_DEFAULT_REGION": "us-east-1"}).returncode == 1


def test_https_endpoint_is_verified(kura_factory):
    """Over HTTPS the endpoint's certificate is verified: against the bundle
    AWS_CA_BUNDLE names it is trusted, against the system's store alone
    (which does not hold Kura's own CA) the check refuses to go on."""
    server = kura_factory(["--tls"])
    server.client("kms").create_key(Description="over tls")
    done = run_check(server.endpoint.replace("127.0.0.1", "localhost"), "--format", "json",
                     env={"AWS_CA_BUNDLE": server.ca_bundle})
    assert done.returncode in (0, 1), done.stderr
    assert find(json.loads(done.stdout), "kms-rotation", "key/")[0]["status"] == "failed"
    # By address: the certificate's IP entry is what is matched.
    done = run_check(server.endpoint, env={"AWS_CA_BUNDLE": server.ca_bundle})
    assert done.returncode in (0, 1), done.stderr
    done = run_check(server.endpoint)
    assert done.returncode == 2 and "TLS handshake" in done.stderr
