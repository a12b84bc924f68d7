"""`kura drill` against a running Kura: instance-failure kills the primary
of a Multi-AZ PostgreSQL instance at the engine under a steady write
workload, measures RTO and the acknowledged writes lost (none), writes its
reports, and records the incident three ways (an event of the instance,
the trail's entry of the fault call naming the drill, a log in /kura/drills).
Kura's fault API (kura:InjectFault) refuses what it must, in AWS's shape."""
import html.parser
import json
import os
import subprocess
import time
import xml.etree.ElementTree as ElementTree

import botocore.exceptions
import pytest

from conftest import KURA_BIN, REGION, ROOT
from model_overlay import newer_client
from rds_support import wait_cluster, wait_instances, wait_status, writer_of

# Kura's own service model, laid out as botocore's data: boto3 (and the AWS
# CLI) call the fault API with it.
MODELS = os.path.join(ROOT, "tools", "models")
os.environ["AWS_DATA_PATH"] = os.pathsep.join(p for p in (os.environ.get("AWS_DATA_PATH"), MODELS) if p)


def run_drill(server, *args, env=None, timeout=180):
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    full_env.update(AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_DEFAULT_REGION=REGION,
                    HOME=os.environ.get("HOME", "/tmp"))
    full_env.update(env or {})
    return subprocess.run([KURA_BIN, "drill", *args, "--endpoint-url", server.endpoint], capture_output=True,
                          text=True, env=full_env, timeout=timeout)


class HtmlCheck(html.parser.HTMLParser):
    """Parses the report and keeps the tags it opens."""

    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)


def check_results(server, instance):
    """`kura check`'s results for the instance, by rule."""
    checked = subprocess.run([KURA_BIN, "check", "--endpoint-url", server.endpoint, "--format", "json"],
                             capture_output=True, text=True, timeout=120,
                             env=dict(os.environ, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test",
                                      AWS_DEFAULT_REGION=REGION))
    return {r["rule"]: r for r in json.loads(checked.stdout)["results"] if r["resource"].endswith(f":db:{instance}")}


def error_code(call, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        call(**kwargs)
    return raised.value.response["Error"]["Code"], raised.value.response["ResponseMetadata"]["HTTPStatusCode"]


@pytest.mark.serial
def test_instance_failure_on_multi_az_postgres(kura_factory, tmp_path):
    server = kura_factory()
    rds = newer_client(server, "rds")  # ManageMasterUserPassword is newer than Debian's botocore
    # The password from the master secret RDS manages, as the drill reads it.
    rds.create_db_instance(DBInstanceIdentifier="drilled", Engine="postgres", DBInstanceClass="db.t3.micro",
                           MasterUsername="admin", ManageMasterUserPassword=True, AllocatedStorage=20,
                           BackupRetentionPeriod=0, MultiAZ=True)
    wait_status(rds, "drilled", "available")

    reports = tmp_path / "reports"
    done = run_drill(server, "instance-failure", "--resource", "drilled", "--format", "json", "--duration", "40",
                     "--report-dir", str(reports))
    assert done.returncode == 0, done.stderr + done.stdout
    report = json.loads(done.stdout)
    assert report["faultMethod"] == "kura:InjectFault"
    assert report["outageSeen"] is True
    assert 0 < report["rtoSeconds"] < 40
    assert report["lost"] == 0 and report["rpoSeconds"] == 0
    assert report["acked"] > 50 and report["attempted"] >= report["acked"]
    assert report["passed"] is True
    assert any(slice_["acked"] < slice_["attempts"] or slice_["attempts"] == 0 for slice_ in report["timeline"])

    # The reports: Markdown with the figures, HTML that parses with its timeline.
    markdown = list(reports.glob("instance-failure-drilled-*.md"))
    page = list(reports.glob("instance-failure-drilled-*.html"))
    assert len(markdown) == 1 and len(page) == 1
    text = markdown[0].read_text()
    assert "| RTO | " in text and "0 acknowledged writes lost" in text
    document = page[0].read_text()
    checker = HtmlCheck()
    checker.feed(document)
    assert {"html", "table", "svg"} <= set(checker.tags)
    svg = ElementTree.fromstring(document[document.index("<svg"):document.index("</svg>") + len("</svg>")])
    lines = svg.findall("{http://www.w3.org/2000/svg}line")
    assert len(lines) == 2  # the fault and the recovery

    # The three records of the incident.
    events = [e["Message"] for e in rds.describe_events(SourceType="db-instance", SourceIdentifier="drilled",
                                                        Duration=60)["Events"]]
    assert any(m.startswith("Kura fault injection by drill instance-failure: kill of the primary") for m in events)
    assert any(m.startswith("Drill instance-failure: ended, passed: RTO ") for m in events)
    trail = server.client("cloudtrail").lookup_events(
        LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "InjectFault"}])["Events"]
    assert len(trail) == 1
    parameters = json.loads(trail[0]["CloudTrailEvent"])["requestParameters"]
    assert parameters["drillName"] == "instance-failure" and parameters["resourceIdentifier"] == "drilled"
    logged = server.client("logs").get_log_events(logGroupName="/kura/drills",
                                                  logStreamName="instance-failure/db-instance/drilled")["events"]
    assert len(logged) == 1
    summary = json.loads(logged[0]["message"])
    assert summary["verdict"] == "passed" and summary["lostWrites"] == 0 and summary["rtoSeconds"] > 0

    # `kura check` reads the last drill per database from that log.
    results = check_results(server, "drilled")
    assert results["rds-failover-drill-recent"]["status"] == "passed"
    assert "last instance-failure drill passed on" in results["rds-failover-drill-recent"]["detail"]
    assert results["rds-restore-drill-recent"]["status"] == "failed"
    assert results["rds-restore-drill-recent"]["fix"].startswith(
        f"kura drill snapshot-restore --endpoint-url {server.endpoint} --region {REGION} --resource drilled")

    # The public API's fault, as against AWS: a reboot with failover.
    wait_status(rds, "drilled", "available")
    done = run_drill(server, "instance-failure", "--resource", "drilled", "--format", "json", "--duration", "40",
                     "--fault", "reboot", "--report-dir", str(reports))
    assert done.returncode == 0, done.stderr + done.stdout
    report = json.loads(done.stdout)
    assert report["faultMethod"] == "rds:RebootDBInstance" and "ForceFailover" in report["fault"]
    assert report["passed"] is True and report["lost"] == 0 and report["acked"] > 50

    # A zone fails: every node of the account's instances in it (here the
    # primary) is killed; the standby in the other zone takes over.
    wait_status(rds, "drilled", "available")
    before = rds.describe_db_instances(DBInstanceIdentifier="drilled")["DBInstances"][0]
    targets = server.client("kura").inject_fault(ResourceType="db-instance", ResourceIdentifier="drilled",
                                                 Fault="zone-failure")["Targets"]
    assert [(t["Role"], t["AvailabilityZone"]) for t in targets] == [("primary", before["AvailabilityZone"])]
    assert targets[0]["ProcessCount"] > 0
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        after = rds.describe_db_instances(DBInstanceIdentifier="drilled")["DBInstances"][0]
        if after["AvailabilityZone"] == before["SecondaryAvailabilityZone"]:
            break
        time.sleep(0.2)
    assert after["AvailabilityZone"] == before["SecondaryAvailabilityZone"]

    # A hung primary (SIGSTOP of all its processes): fenced and failed over
    # before the hang ends, nothing acknowledged lost.
    wait_status(rds, "drilled", "available")
    done = run_drill(server, "instance-failure", "--resource", "drilled", "--format", "json", "--duration", "40",
                     "--fault", "hang", "--hang-seconds", "8", "--report-dir", str(reports))
    assert done.returncode == 0, done.stderr + done.stdout
    report = json.loads(done.stdout)
    assert report["fault"].startswith("hang (8 s") and report["outageSeen"] is True
    assert report["passed"] is True and report["lost"] == 0


def test_fault_api_refuses_what_it_must(kura_factory):
    server = kura_factory()
    kura = server.client("kura")
    # An unknown resource, a fault the model does not know, a bad drill name.
    assert error_code(kura.inject_fault, ResourceType="db-instance", ResourceIdentifier="nope", Fault="kill") == \
        ("ResourceNotFoundException", 404)
    assert error_code(kura.inject_fault, ResourceType="db-instance", ResourceIdentifier="nope", Fault="melt")[0] == \
        "ValidationException"
    # The model's pattern for a drill name refuses it, as AWS refuses a value
    # outside a member's pattern.
    assert error_code(kura.record_drill_event, ResourceType="db-cluster", ResourceIdentifier="x",
                      DrillName="Bad Name", Message="m") == ("ValidationException", 400)
    # An IAM user needs an explicit allow of kura:InjectFault; rds:* is not one.
    iam = server.client("iam")
    for name, action in (("without", "rds:*"), ("with", "kura:InjectFault")):
        iam.create_user(UserName=name)
        iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}]}))
        key = iam.create_access_key(UserName=name)["AccessKey"]
        user = server.client("kura", key=key["AccessKeyId"], secret=key["SecretAccessKey"])
        code = error_code(user.inject_fault, ResourceType="db-instance", ResourceIdentifier="nope", Fault="kill")
        assert code == (("AccessDeniedException", 400) if name == "without" else ("ResourceNotFoundException", 404))
    # Every call is in the trail, the refused ones too.
    trail = server.client("cloudtrail").lookup_events(
        LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "InjectFault"}])["Events"]
    assert len(trail) >= 4


def test_unknown_drill_and_resource_exit_2(kura_factory):
    server = kura_factory()
    done = run_drill(server, "no-such-drill", "--resource", "x")
    assert done.returncode == 2 and "instance-failure" in done.stderr
    done = run_drill(server, "instance-failure", "--resource", "missing", "--db-password", "p")
    assert done.returncode == 2 and "no DB instance or cluster missing" in done.stderr


def test_snapshot_restore_proves_the_newest_snapshot_holds_the_data(kura_factory, tmp_path):
    server = kura_factory()
    rds = server.client("rds")
    rds.create_db_instance(DBInstanceIdentifier="kept", Engine="postgres", DBInstanceClass="db.t3.micro",
                           MasterUsername="admin", MasterUserPassword="S3cret-pass", AllocatedStorage=20,
                           BackupRetentionPeriod=1)
    wait_status(rds, "kept", "available")
    # No drill recorded at the endpoint yet: not checkable, never passed.
    assert check_results(server, "kept")["rds-restore-drill-recent"]["status"] == "not checkable"
    done = run_drill(server, "snapshot-restore", "--resource", "kept", "--format", "json", "--duration", "50",
                     "--report-dir", str(tmp_path), "--progress", env={"KURA_DB_PASSWORD": "S3cret-pass"})
    assert done.returncode == 0, done.stderr + done.stdout
    report = json.loads(done.stdout)  # the progress goes to stderr only
    # --progress: the steps on stderr, each with the seconds since the start,
    # in order, and the waits' status lines.
    steps = [line.split("] ", 1)[1] for line in done.stderr.splitlines() if line.startswith("[")]
    assert steps[0].startswith("snapshot-restore on kept: writing 50 marker rows"), done.stderr
    order = ["writing 50 marker rows", "waiting for kept to be available", "snapshot ", "waiting for kura-drill-",
             "restoring the snapshot", "waiting for kura-drill-"]
    at = 0
    for expected in order:
        at = next(i for i in range(at, len(steps)) if expected in steps[i]) + 1
    assert any(step.strip().startswith("kura-drill-") and " is " in step for step in steps), done.stderr
    assert report["passed"] is True and report["faultMethod"] == "rds:RestoreDBInstanceFromDBSnapshot"
    assert report["acked"] == 50 and report["lost"] == 0 and report["rtoSeconds"] > 0
    # The temporary instance and the drill's snapshot go; the instance stays.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        names = [i["DBInstanceIdentifier"] for i in rds.describe_db_instances()["DBInstances"]]
        if names == ["kept"]:
            break
        time.sleep(0.5)
    assert names == ["kept"]
    assert not [s for s in rds.describe_db_snapshots(SnapshotType="manual")["DBSnapshots"]]
    summary = json.loads(server.client("logs").get_log_events(
        logGroupName="/kura/drills", logStreamName="snapshot-restore/db-instance/kept")["events"][0]["message"])
    assert summary["verdict"] == "passed"
    assert check_results(server, "kept")["rds-restore-drill-recent"]["status"] == "passed"


@pytest.mark.serial
def test_instance_failure_on_multi_az_mariadb(kura_factory, tmp_path):
    """The same drill through libmariadb: a MariaDB primary killed, the standby takes over."""
    server = kura_factory()
    rds = server.client("rds")
    rds.create_db_instance(DBInstanceIdentifier="maria", Engine="mariadb", DBInstanceClass="db.t3.micro",
                           MasterUsername="admin", MasterUserPassword="S3cret-pass", AllocatedStorage=20,
                           BackupRetentionPeriod=0, MultiAZ=True)
    wait_status(rds, "maria", "available", timeout=180)
    done = run_drill(server, "instance-failure", "--resource", "maria", "--format", "json", "--duration", "40",
                     "--report-dir", str(tmp_path), env={"KURA_DB_PASSWORD": "S3cret-pass"})
    assert done.returncode == 0, done.stderr + done.stdout
    report = json.loads(done.stdout)
    assert report["workload"].startswith("MySQL table kura_drill.kura_drill_")
    assert report["outageSeen"] is True and report["passed"] is True and report["lost"] == 0


@pytest.mark.serial
def test_instance_failure_on_an_aurora_cluster(kura_factory, tmp_path):
    """--resource names the cluster: its writer is killed, a reader is promoted."""
    server = kura_factory()
    rds = server.client("rds")
    rds.create_db_cluster(DBClusterIdentifier="aur", Engine="aurora-postgresql", MasterUsername="admin",
                          MasterUserPassword="S3cret-pass")
    for name in ("aur-1", "aur-2"):
        rds.create_db_instance(DBInstanceIdentifier=name, DBClusterIdentifier="aur", Engine="aurora-postgresql",
                               DBInstanceClass="db.r6g.large")
    wait_instances(rds, ["aur-1", "aur-2"])
    wait_cluster(rds, "aur")
    writer = writer_of(rds, "aur")
    done = run_drill(server, "instance-failure", "--resource", "aur", "--format", "json", "--duration", "40",
                     "--report-dir", str(tmp_path), env={"KURA_DB_PASSWORD": "S3cret-pass"})
    assert done.returncode == 0, done.stderr + done.stdout
    report = json.loads(done.stdout)
    assert report["resourceType"] == "db-cluster" and f"{writer} primary" in report["fault"]
    assert report["passed"] is True and report["lost"] == 0
    assert writer_of(rds, "aur") != writer
    cluster_events = [e["Message"] for e in rds.describe_events(SourceType="db-cluster", SourceIdentifier="aur",
                                                                Duration=60)["Events"]]
    assert any(m.startswith("Drill instance-failure: ended, passed") for m in cluster_events)
