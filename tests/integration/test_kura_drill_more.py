"""`kura drill`'s other drills against a running Kura with real engines:
az-failure (every node of a zone killed at once), cache-node-failure (a
Redis replication group's primary killed), accidental-delete (rows deleted
by mistake, restored by PITR to just before, compared), snapshot-restore of
an Aurora cluster, and the fault API refused to those who may not use it.
Each drill ends with measured RTO/RPO and the incident's records."""
import json
import os
import subprocess
import time

import botocore.exceptions
import pytest

from conftest import KURA_BIN, REGION
from rds_support import wait_cluster, wait_instances, wait_status, writer_of
from test_elasticache_replication import Resp, endpoints, primary_of, wait_group
from test_kura_drill import check_results, error_code, run_drill


def drill_json(server, *args, env=None):
    done = run_drill(server, *args, "--format", "json", env=env)
    assert done.returncode in (0, 1), done.stderr + done.stdout
    return done.returncode, json.loads(done.stdout)


def check_result(server, rule, arn_suffix):
    """`kura check`'s result of one rule for the resource whose ARN ends so."""
    checked = subprocess.run([KURA_BIN, "check", "--endpoint-url", server.endpoint, "--format", "json"],
                             capture_output=True, text=True, timeout=120,
                             env=dict(os.environ, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test",
                                      AWS_DEFAULT_REGION=REGION))
    (result,) = [r for r in json.loads(checked.stdout)["results"]
                 if r["rule"] == rule and r["resource"].endswith(arn_suffix)]
    return result


def logged_summary(server, stream):
    events = server.client("logs").get_log_events(logGroupName="/kura/drills", logStreamName=stream)["events"]
    return json.loads(events[-1]["message"])


@pytest.mark.serial
def test_az_failure_of_a_multi_az_postgres_primary_zone(kura_factory, tmp_path):
    server = kura_factory()
    rds = server.client("rds")
    rds.create_db_instance(DBInstanceIdentifier="zoned", Engine="postgres", DBInstanceClass="db.t3.micro",
                           MasterUsername="admin", MasterUserPassword="S3cret-pass", AllocatedStorage=20,
                           BackupRetentionPeriod=0, MultiAZ=True)
    wait_status(rds, "zoned", "available")
    before = rds.describe_db_instances(DBInstanceIdentifier="zoned")["DBInstances"][0]
    env = {"KURA_DB_PASSWORD": "S3cret-pass"}
    # A zone in which the account has no node: refused before anything happens.
    done = run_drill(server, "az-failure", "--resource", "zoned", "--zone", "us-east-1f", "--duration", "10",
                     "--report-dir", str(tmp_path), env=env)
    assert done.returncode == 2 and "No node of the account's instances or replication groups is in the zone us-east-1f" in done.stderr

    code, report = drill_json(server, "az-failure", "--resource", "zoned", "--duration", "40",
                              "--report-dir", str(tmp_path), env=env)
    assert code == 0, report
    assert report["faultMethod"] == "kura:InjectFault"
    assert report["fault"].startswith(f"failure of the zone {before['AvailabilityZone']} (SIGKILL of every node in it: "
                                      "zoned primary)")
    assert report["outageSeen"] is True and 0 < report["rtoSeconds"] < 40
    assert report["lost"] == 0 and report["acked"] > 50 and report["passed"] is True
    after = rds.describe_db_instances(DBInstanceIdentifier="zoned")["DBInstances"][0]
    assert after["AvailabilityZone"] == before["SecondaryAvailabilityZone"]
    # The three records: the events, the trail's fault call, the log.
    events = [e["Message"] for e in rds.describe_events(SourceType="db-instance", SourceIdentifier="zoned",
                                                        Duration=60)["Events"]]
    assert any(m.startswith("Kura fault injection by drill az-failure: zone failure of the primary") for m in events)
    assert any(m.startswith("Drill az-failure: ended, passed: RTO ") for m in events)
    trail = server.client("cloudtrail").lookup_events(
        LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "InjectFault"}])["Events"]
    assert any(json.loads(t["CloudTrailEvent"])["requestParameters"].get("fault") == "zone-failure" for t in trail)
    assert logged_summary(server, "az-failure/db-instance/zoned")["verdict"] == "passed"
    assert list(tmp_path.glob("az-failure-zoned-*.md")) and list(tmp_path.glob("az-failure-zoned-*.html"))
    # An az-failure drill counts as the failover drill `kura check` looks for.
    result = check_results(server, "zoned")["rds-failover-drill-recent"]
    assert result["status"] == "passed" and "last az-failure drill passed" in result["detail"]


@pytest.mark.serial
def test_cache_node_failure_and_az_failure_of_a_redis_group(kura_factory, tmp_path):
    server = kura_factory()
    ec = server.client("elasticache")
    ec.create_replication_group(ReplicationGroupId="cached", ReplicationGroupDescription="drilled",
                                Engine="redis", CacheNodeType="cache.t3.micro", NumCacheClusters=2,
                                AutomaticFailoverEnabled=True)
    group = wait_group(ec, "cached", "available")
    first = primary_of(group)
    code, report = drill_json(server, "cache-node-failure", "--resource", "cached", "--duration", "30",
                              "--report-dir", str(tmp_path))
    assert code == 0, report
    assert report["resourceType"] == "replication-group" and report["faultMethod"] == "kura:InjectFault"
    assert f"{first} primary" in report["fault"] and report["workload"].startswith("Redis set kura_drill_")
    assert report["outageSeen"] is True and 0 < report["rtoSeconds"] < 30
    assert report["acked"] > 50 and report["passed"] is True
    # Asynchronous replication: the loss is reported, not failed on.
    assert any("Redis replicates asynchronously" in note for note in report["notes"])
    assert report["lost"] >= 0 and report["lost"] == logged_summary(
        server, "cache-node-failure/replication-group/cached")["lostWrites"]
    group = wait_group(ec, "cached", "available")
    second = primary_of(group)
    assert second != first
    # Every write the drill acknowledged and did not report lost is there:
    # the set is gone (the drill deletes it), but the group takes writes.
    port, _ = endpoints(group)
    assert Resp(port).call("SET", "after", "yes") == "OK"
    messages = [e["Message"] for e in ec.describe_events(SourceType="replication-group", SourceIdentifier="cached",
                                                         Duration=60)["Events"]]
    assert any(m.startswith("Kura fault injection by drill cache-node-failure: kill of the primary") for m in messages)
    assert any(m.startswith("Drill cache-node-failure: ended, passed") for m in messages)
    assert any(m.startswith(f"Failover from primary node {first}") for m in messages)
    result = check_result(server, "elasticache-failover-drill-recent", ":replicationgroup:cached")
    assert result["status"] == "passed" and "last cache-node-failure drill passed" in result["detail"]

    # The primary's whole zone fails: its member goes, the other is promoted.
    zone = next(m["PreferredAvailabilityZone"] for m in group["NodeGroups"][0]["NodeGroupMembers"]
                if m["CacheClusterId"] == second)
    code, report = drill_json(server, "az-failure", "--resource", "cached", "--duration", "30", "--max-lost", "100000",
                              "--report-dir", str(tmp_path))
    assert code == 0, report
    assert report["fault"].startswith(f"failure of the zone {zone} (SIGKILL of every node in it: {second} primary")
    assert report["passed"] is True and report["outageSeen"] is True and report["rtoSeconds"] > 0
    assert primary_of(wait_group(ec, "cached", "available")) == first


def accidental_delete(server, tmp_path, engine, name):
    rds = server.client("rds")
    rds.create_db_instance(DBInstanceIdentifier=name, Engine=engine, DBInstanceClass="db.t3.micro",
                           MasterUsername="admin", MasterUserPassword="S3cret-pass", AllocatedStorage=20,
                           BackupRetentionPeriod=1)
    wait_status(rds, name, "available", timeout=180)
    code, report = drill_json(server, "accidental-delete", "--resource", name, "--duration", "60",
                              "--report-dir", str(tmp_path), env={"KURA_DB_PASSWORD": "S3cret-pass"})
    assert code == 0, report
    assert report["faultMethod"] == "rds:RestoreDBInstanceToPointInTime"
    assert report["fault"].startswith("every marker deleted through the store's client (the accident)")
    assert report["acked"] > 20 and report["lost"] == 0 and report["rpoSeconds"] == 0
    assert report["passed"] is True and report["rtoSeconds"] > 0
    assert any(n.startswith("the restore itself (rds:RestoreDBInstanceToPointInTime") for n in report["notes"])
    # The temporary instance goes; the drilled one stays.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        names = [i["DBInstanceIdentifier"] for i in rds.describe_db_instances()["DBInstances"]]
        if names == [name]:
            break
        time.sleep(0.5)
    assert names == [name]
    assert logged_summary(server, f"accidental-delete/db-instance/{name}")["verdict"] == "passed"
    result = check_results(server, name)["rds-restore-drill-recent"]
    assert result["status"] == "passed" and "last accidental-delete drill passed" in result["detail"]
    return rds


def test_accidental_delete_restores_postgres_rows_to_just_before(kura_factory, tmp_path):
    server = kura_factory()
    rds = accidental_delete(server, tmp_path, "postgres", "ledger")
    # Without backups there is no point in time to restore to.
    rds.create_db_instance(DBInstanceIdentifier="nobackup", Engine="postgres", DBInstanceClass="db.t3.micro",
                           MasterUsername="admin", MasterUserPassword="S3cret-pass", AllocatedStorage=20,
                           BackupRetentionPeriod=0)
    wait_status(rds, "nobackup", "available")
    done = run_drill(server, "accidental-delete", "--resource", "nobackup", "--db-password", "S3cret-pass")
    assert done.returncode == 2 and "backups are off on nobackup" in done.stderr


def test_accidental_delete_restores_mariadb_rows_to_just_before(kura_factory, tmp_path):
    accidental_delete(kura_factory(), tmp_path, "mariadb", "orders")


def test_accidental_delete_restores_dynamodb_items_by_pitr(kura_factory, tmp_path):
    server = kura_factory()
    ddb = server.client("dynamodb")
    ddb.create_table(TableName="carts", AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"},
                                                              {"AttributeName": "n", "AttributeType": "N"}],
                     KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}, {"AttributeName": "n", "KeyType": "RANGE"}],
                     BillingMode="PAY_PER_REQUEST")
    ddb.put_item(TableName="carts", Item={"k": {"S": "customer"}, "n": {"N": "1"}})
    # Without PITR there is no point in time to restore to.
    done = run_drill(server, "accidental-delete", "--resource", "carts")
    assert done.returncode == 2 and "point-in-time recovery is off on carts" in done.stderr
    ddb.update_continuous_backups(TableName="carts",
                                  PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    done = run_drill(server, "accidental-delete", "--resource", "carts", "--duration", "30", "--report-dir",
                     str(tmp_path), "--format", "json", "--progress")
    code, report = done.returncode, json.loads(done.stdout)
    assert code == 0, report
    for step in ("accidental-delete on carts: writing markers for 3 s", "the accident: deleting every marker",
                 "waiting for the latest restorable time to pass T", "restoring to T into a temporary table",
                 "the restored copy holds"):
        assert step in done.stderr, done.stderr
    assert report["resourceType"] == "table" and report["faultMethod"] == "dynamodb:RestoreTableToPointInTime"
    assert report["acked"] > 20 and report["lost"] == 0 and report["passed"] is True and report["rtoSeconds"] > 0
    # The drill's items are gone from the table, the table's own item stays,
    # and the temporary table is deleted.
    items = ddb.scan(TableName="carts", ConsistentRead=True)["Items"]
    assert items == [{"k": {"S": "customer"}, "n": {"N": "1"}}]
    assert ddb.list_tables()["TableNames"] == ["carts"]
    # The accident and the restore are in the trail; the summary in the log.
    trail = server.client("cloudtrail").lookup_events(
        LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "RestoreTableToPointInTime"}])["Events"]
    assert len(trail) == 1
    assert logged_summary(server, "accidental-delete/table/carts")["verdict"] == "passed"
    assert any("DynamoDB keeps no events of a table" in note for note in report["notes"])
    result = check_result(server, "dynamodb-restore-drill-recent", ":table/carts")
    assert result["status"] == "passed" and "last accidental-delete drill passed" in result["detail"]


def test_snapshot_restore_and_accidental_delete_of_an_aurora_cluster(kura_factory, tmp_path):
    server = kura_factory()
    rds = server.client("rds")
    rds.create_db_cluster(DBClusterIdentifier="aur", Engine="aurora-postgresql", MasterUsername="admin",
                          MasterUserPassword="S3cret-pass")
    rds.create_db_instance(DBInstanceIdentifier="aur-1", DBClusterIdentifier="aur", Engine="aurora-postgresql",
                           DBInstanceClass="db.r6g.large")
    wait_instances(rds, ["aur-1"])
    wait_cluster(rds, "aur")
    code, report = drill_json(server, "snapshot-restore", "--resource", "aur", "--duration", "60",
                              "--report-dir", str(tmp_path), env={"KURA_DB_PASSWORD": "S3cret-pass"})
    assert code == 0, report
    assert report["resourceType"] == "db-cluster" and report["faultMethod"] == "rds:RestoreDBClusterFromSnapshot"
    assert report["acked"] == 50 and report["lost"] == 0 and report["passed"] is True and report["rtoSeconds"] > 0
    # The temporary cluster, its instance and the drill's snapshot go.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        clusters = [c["DBClusterIdentifier"] for c in rds.describe_db_clusters()["DBClusters"]]
        if clusters == ["aur"]:
            break
        time.sleep(0.5)
    assert clusters == ["aur"]
    assert [i["DBInstanceIdentifier"] for i in rds.describe_db_instances()["DBInstances"]] == ["aur-1"]
    assert not rds.describe_db_cluster_snapshots(SnapshotType="manual")["DBClusterSnapshots"]
    assert logged_summary(server, "snapshot-restore/db-cluster/aur")["verdict"] == "passed"
    events = [e["Message"] for e in rds.describe_events(SourceType="db-cluster", SourceIdentifier="aur",
                                                        Duration=60)["Events"]]
    assert any(m.startswith("Drill snapshot-restore: ended, passed") for m in events)

    # The bad deletion on the cluster: PITR to just before, into a
    # temporary cluster with one instance, compared, deleted.
    code, report = drill_json(server, "accidental-delete", "--resource", "aur", "--duration", "60",
                              "--report-dir", str(tmp_path), env={"KURA_DB_PASSWORD": "S3cret-pass"})
    assert code == 0, (report["verdict"], report["notes"], report["events"])
    assert report["faultMethod"] == "rds:RestoreDBClusterToPointInTime"
    assert report["acked"] > 20 and report["lost"] == 0 and report["passed"] is True
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        clusters = [c["DBClusterIdentifier"] for c in rds.describe_db_clusters()["DBClusters"]]
        if clusters == ["aur"]:
            break
        time.sleep(0.5)
    assert clusters == ["aur"]
    assert logged_summary(server, "accidental-delete/db-cluster/aur")["verdict"] == "passed"


def test_fault_api_is_refused_to_other_principals_and_touches_no_other_engine(kura_factory):
    """Kura serves one account: a principal it does not know (another
    account's key), an IAM user without kura:InjectFault (or denied it), and
    a caller in another region never reach the account's engines."""
    server = kura_factory()
    ec = server.client("elasticache")
    ec.create_replication_group(ReplicationGroupId="guarded", ReplicationGroupDescription="x",
                                NumCacheClusters=2, AutomaticFailoverEnabled=True)
    group = wait_group(ec, "guarded", "available")
    primary = primary_of(group)
    zone = next(m["PreferredAvailabilityZone"] for m in group["NodeGroups"][0]["NodeGroupMembers"]
                if m["CacheClusterId"] == primary)
    port, _ = endpoints(group)
    Resp(port).call("SET", "guard", "1")
    kill = {"ResourceType": "replication-group", "ResourceIdentifier": "guarded", "Fault": "kill"}

    # Another account's credentials: not a principal of this Kura.
    stranger = server.client("kura", key="AKIAOTHERACCOUNT0001", secret="another-account-secret")
    code, status = error_code(stranger.inject_fault, **kill)
    assert status in (400, 403) and code in ("UnrecognizedClientException", "InvalidClientTokenId")
    # IAM users: one with everything but the fault API, one allowed all and
    # denied kura:InjectFault explicitly.
    iam = server.client("iam")
    policies = {
        "no-faults": [{"Effect": "Allow", "Action": ["elasticache:*", "kura:RecordDrillEvent"], "Resource": "*"}],
        "denied": [{"Effect": "Allow", "Action": "*", "Resource": "*"},
                   {"Effect": "Deny", "Action": "kura:InjectFault", "Resource": "*"}],
    }
    for name, statements in policies.items():
        iam.create_user(UserName=name)
        iam.put_user_policy(UserName=name, PolicyName="p",
                            PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": statements}))
        key = iam.create_access_key(UserName=name)["AccessKey"]
        user = server.client("kura", key=key["AccessKeyId"], secret=key["SecretAccessKey"])
        assert error_code(user.inject_fault, **kill) == ("AccessDeniedException", 400)
        assert error_code(user.inject_fault, ResourceType="replication-group", ResourceIdentifier="guarded",
                          Fault="zone-failure") == ("AccessDeniedException", 400)
    # The account's own root in another region sees no resource, and no
    # node of it is in the zone of this region.
    elsewhere = server.client("kura", region="eu-west-1")
    assert error_code(elsewhere.inject_fault, **kill) == ("ResourceNotFoundException", 404)
    code, _ = error_code(elsewhere.inject_fault, ResourceType="replication-group", ResourceIdentifier="guarded",
                         Fault="zone-failure", AvailabilityZone=zone)
    assert code in ("ResourceNotFoundException", "InvalidParameterValueException")

    # Nothing happened to the engine: the same primary, the key still there,
    # no fault in the group's events; every refused call is in the trail.
    time.sleep(2)
    group = wait_group(ec, "guarded", "available")
    assert primary_of(group) == primary
    assert Resp(port).call("GET", "guard") == "1"
    messages = [e["Message"] for e in ec.describe_events(SourceType="replication-group", SourceIdentifier="guarded",
                                                         Duration=60)["Events"]]
    assert not any("fault injection" in m or "Failover" in m for m in messages)
    # A group with cluster mode enabled has a primary per shard: no kill of "its primary".
    ec.create_replication_group(ReplicationGroupId="sharded", ReplicationGroupDescription="x", Engine="redis",
                                CacheNodeType="cache.t3.micro", NumNodeGroups=2, ReplicasPerNodeGroup=0,
                                AutomaticFailoverEnabled=True)
    wait_group(ec, "sharded", "available", timeout=90)
    kura = server.client("kura")
    assert error_code(kura.inject_fault, ResourceType="replication-group", ResourceIdentifier="sharded",
                      Fault="kill") == ("InvalidParameterValueException", 400)
    # The IAM users' refused calls are in this region's trail, as refused.
    trail = server.client("cloudtrail").lookup_events(
        LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "InjectFault"}])["Events"]
    assert sorted(json.loads(t["CloudTrailEvent"]).get("errorCode") for t in trail) == \
        ["AccessDeniedException"] * 4 + ["InvalidParameterValueException"]
