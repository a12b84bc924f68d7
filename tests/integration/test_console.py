"""The web console (/_kura/console/, docs/console.md) in Debian's headless
Chromium, driven by playwright-core from npm (installed into a cache folder
outside the repository, as tests/integration/test_client_compat_js.py
installs the AWS SDK): sign in, the fleet with a Multi-AZ instance's primary
and standby in their zones, a failover from its page seen in its events and
timeline, alarms, events, a trail search; a wrong secret refused, no secret
in any page, cookie or storage, a read-only IAM user refused the actions.
The console's API is also checked without a browser (CSRF, origin, cookie
flags). Skipped, with the reason, without Node.js, npm or Chromium.

KURA_UPDATE_SCREENSHOTS=1 copies the screenshots into docs/console/."""
import json
import os
import secrets
import shutil
import time
import urllib.error
import urllib.request

import pytest

from compat_clients import installed_npm_packages, run_json
from conftest import REGION, ROOT
from rds_support import PASSWORD, create_instance, wait_cluster, wait_instances

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "console")
PAGES = ["signin", "fleet", "cluster", "instance", "alarms", "events", "trail", "denied"]
READ_ONLY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": [
        "rds:Describe*", "elasticache:Describe*", "dynamodb:List*", "dynamodb:Describe*",
        "cloudwatch:Describe*", "cloudtrail:LookupEvents", "ec2:Describe*"], "Resource": "*"}],
}


def wait_group(cache, group, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cache.describe_replication_groups(ReplicationGroupId=group)["ReplicationGroups"][0]["Status"] == "available":
            return
        time.sleep(0.3)
    raise AssertionError(f"{group} is not available")


def chromium():
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    pytest.skip("Chromium is not installed (Debian's chromium package runs the console's pages)")


def installed_playwright():
    """(node, folder): playwright-core, installed there when it is not."""
    return installed_npm_packages(os.path.join(HERE, "package.json"), "console", "playwright-core", timeout=600)


def console_call(server, path, body=None, headers=None):
    """(status, headers, JSON body) of one request to the console's API."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(server.endpoint + "/_kura/console/api/" + path, data=data,
                                     method="POST" if data is not None else "GET")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=30, context=server.ssl_context()) as answer:
            return answer.status, answer.headers, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, error.headers, json.loads(error.read() or b"{}")


@pytest.fixture(scope="module")
def admin():
    return {"id": "AKIACONSOLEADMIN0001", "secret": secrets.token_urlsafe(30)}


@pytest.fixture(scope="module")
def server(kura_factory, admin):
    return kura_factory(env={"KURA_ACCESS_KEY_ID": admin["id"], "KURA_SECRET_ACCESS_KEY": admin["secret"]})


def test_console_api_refuses_without_session_csrf_or_origin(server, admin):
    status, _, body = console_call(server, "signin", {"accessKeyId": admin["id"], "secretAccessKey": "wrong"})
    assert status == 401 and body["error"]["code"] == "SignInFailed"
    status, headers, session = console_call(server, "signin",
                                            {"accessKeyId": admin["id"], "secretAccessKey": admin["secret"]})
    assert status == 200 and session["principal"].endswith(":root")
    cookie = headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/_kura/console/" in cookie
    assert "Secure" not in cookie  # plain HTTP here (Secure on HTTPS)
    assert admin["secret"] not in json.dumps(session) and admin["secret"] not in cookie
    token = cookie.split(";")[0]
    call = {"service": "rds", "operation": "DescribeDBInstances", "region": REGION}
    csrf = {"X-Kura-Csrf": session["csrfToken"]}
    assert console_call(server, "call", call, {"Cookie": token, **csrf})[0] == 200
    assert console_call(server, "call", call, {"Cookie": token})[0] == 403  # no CSRF header
    assert console_call(server, "call", call, {"Cookie": token, "X-Kura-Csrf": "0" * 64})[0] == 403
    assert console_call(server, "call", call, csrf)[0] == 401  # no cookie
    assert console_call(server, "call", call, {"Cookie": token, **csrf, "Origin": "http://evil.example"})[0] == 403
    assert console_call(server, "call", call, {"Cookie": token, **csrf, "Sec-Fetch-Site": "cross-site"})[0] == 403
    # Only the calls the pages make: a delete is not one, whoever asks.
    status, _, body = console_call(server, "call", dict(call, operation="DeleteDBInstance"), {"Cookie": token, **csrf})
    assert status == 400 and body["error"]["code"] == "NotAConsoleCall"
    # A session token the server did not make is no session (no fixation).
    assert console_call(server, "session", None, {"Cookie": "kura_console=" + "a" * 64, "X-Kura-Console": "1"})[0] == 401
    # A sign-in ends the session the browser had.
    status, headers, _ = console_call(server, "signin", {"accessKeyId": admin["id"], "secretAccessKey": admin["secret"]},
                                      {"Cookie": token})
    assert status == 200 and headers["Set-Cookie"].split(";")[0] != token
    assert console_call(server, "session", None, {"Cookie": token, "X-Kura-Console": "1"})[0] == 401
    # The pages: nothing from elsewhere, nothing inline, no framing.
    with urllib.request.urlopen(server.endpoint + "/_kura/console/", timeout=10) as page:
        assert page.headers["Content-Security-Policy"].startswith("default-src 'self'")
        assert page.headers["X-Frame-Options"] == "DENY"
        assert b"<script src=\"console.js\"" in page.read()


def test_console_session_over_https_ends_with_its_key(kura_factory):
    """Over HTTPS the cookie is Secure; an IAM user's session ends once its key is deleted."""
    server = kura_factory(extra_args=["--tls"])
    iam = server.client("iam")
    iam.create_user(UserName="temp")
    iam.put_user_policy(UserName="temp", PolicyName="read", PolicyDocument=json.dumps(READ_ONLY))
    key = iam.create_access_key(UserName="temp")["AccessKey"]
    status, headers, session = console_call(
        server, "signin", {"accessKeyId": key["AccessKeyId"], "secretAccessKey": key["SecretAccessKey"]})
    assert status == 200 and session["principal"].endswith(":user/temp")
    cookie = headers["Set-Cookie"]
    assert "; Secure" in cookie and "HttpOnly" in cookie
    auth = {"Cookie": cookie.split(";")[0], "X-Kura-Csrf": session["csrfToken"]}
    call = {"service": "rds", "operation": "DescribeDBInstances", "region": REGION}
    assert console_call(server, "call", call, auth)[0] == 200
    # What the policy does not allow is refused by IAM, as the user.
    status, _, body = console_call(server, "call", dict(call, service="dynamodb", operation="ListTables",
                                                        input={"Limit": 1}), auth)
    assert status == 200
    status, _, body = console_call(server, "call", dict(call, operation="RebootDBInstance",
                                                        input={"DBInstanceIdentifier": "nothing"}), auth)
    assert status == 403 and body["error"]["code"] == "AccessDenied"
    iam.delete_access_key(UserName="temp", AccessKeyId=key["AccessKeyId"])
    status, _, body = console_call(server, "call", call, auth)
    assert status == 401 and body["error"]["code"] == "NotSignedIn"
    assert console_call(server, "session", None, {"Cookie": auth["Cookie"], "X-Kura-Console": "1"})[0] == 401


@pytest.mark.serial
def test_console_in_chromium(server, admin, tmp_path):
    browser = chromium()
    node, folder = installed_playwright()
    rds = server.client("rds", key=admin["id"], secret=admin["secret"])
    # An Aurora cluster with a writer and a reader, and a Multi-AZ Redis group, made while the instance starts.
    rds.create_db_cluster(DBClusterIdentifier="console-aurora", Engine="aurora-postgresql", MasterUsername="admin",
                          MasterUserPassword=PASSWORD)
    cache = server.client("elasticache", key=admin["id"], secret=admin["secret"])
    cache.create_replication_group(ReplicationGroupId="console-cache", ReplicationGroupDescription="sessions",
                                   Engine="redis", CacheNodeType="cache.t3.micro", NumCacheClusters=2,
                                   AutomaticFailoverEnabled=True, MultiAZEnabled=True)
    create_instance(rds, "console-db", MultiAZ=True)
    wait_cluster(rds, "console-aurora")
    for name in ("console-aurora-1", "console-aurora-2"):  # the writer first
        rds.create_db_instance(DBInstanceIdentifier=name, DBClusterIdentifier="console-aurora",
                               Engine="aurora-postgresql", DBInstanceClass="db.r6g.large")
        wait_instances(rds, [name])
    wait_group(cache, "console-cache")
    cloudwatch = server.client("cloudwatch", key=admin["id"], secret=admin["secret"])
    cloudwatch.put_metric_alarm(AlarmName="console-db-connections", Namespace="AWS/RDS", MetricName="DatabaseConnections",
                                Dimensions=[{"Name": "DBInstanceIdentifier", "Value": "console-db"}],
                                Statistic="Maximum", Period=60, EvaluationPeriods=1, Threshold=50,
                                ComparisonOperator="GreaterThanThreshold")
    server.client("dynamodb", key=admin["id"], secret=admin["secret"]).create_table(
        TableName="console-orders", BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
    iam = server.client("iam", key=admin["id"], secret=admin["secret"])
    iam.create_user(UserName="viewer")
    iam.put_user_policy(UserName="viewer", PolicyName="read-only", PolicyDocument=json.dumps(READ_ONLY))
    viewer = iam.create_access_key(UserName="viewer")["AccessKey"]

    instance = rds.describe_db_instances(DBInstanceIdentifier="console-db")["DBInstances"][0]
    members = cache.describe_replication_groups(ReplicationGroupId="console-cache")["ReplicationGroups"][0]
    shots = tmp_path / "shots"
    shots.mkdir()
    scenario = {
        "endpoint": server.endpoint, "region": REGION, "instance": "console-db", "cluster": "console-aurora",
        "cache": "console-cache", "otherRegion": "eu-west-1", "alarm": "console-db-connections",
        "chromium": browser, "screenshots": str(shots), "failoverSeconds": 90,
        "admin": admin, "viewer": {"id": viewer["AccessKeyId"], "secret": viewer["SecretAccessKey"]},
        "secrets": [admin["secret"], viewer["SecretAccessKey"]],
    }
    scenario_file = tmp_path / "scenario.json"
    scenario_file.write_text(json.dumps(scenario))
    report = run_json([node, os.path.join(HERE, "console_scenario.mjs"), folder, str(scenario_file)],
                      env=dict(os.environ, NODE_NO_WARNINGS="1"), timeout=300)
    assert "error" not in report, report.get("error")
    assert report["leaks"] == []

    assert "not valid" in report["badSecretMessage"] and report["badSecretCookies"] == []
    assert report["cookie"] == [{"name": "kura_console", "httpOnly": True, "sameSite": "Strict",
                                 "path": "/_kura/console/"}]
    assert report["documentCookie"] == ""  # not readable by the page's script
    # The primary and the standby, each in its own zone.
    placed = {node: zone["zone"] for zone in report["fleetNodes"] for node in zone["nodes"]}
    assert placed["console-db:primary"] == instance["AvailabilityZone"]
    assert placed["console-db:standby"] == instance["SecondaryAvailabilityZone"] != instance["AvailabilityZone"]
    # The cluster's writer and reader, the group's primary and replica, each where it runs.
    zone_of = {i["DBInstanceIdentifier"]: i["AvailabilityZone"] for i in rds.describe_db_instances()["DBInstances"]}
    assert placed["console-aurora-1:writer"] == zone_of["console-aurora-1"]
    assert placed["console-aurora-2:reader"] == zone_of["console-aurora-2"]
    for member in members["NodeGroups"][0]["NodeGroupMembers"]:
        assert placed[f"{member['CacheClusterId']}:{member['CurrentRole']}"] == member["PreferredAvailabilityZone"]
    assert "console-aurora-1writer" in report["clusterPage"] and "console-aurora-2reader" in report["clusterPage"]
    assert "console-cache-001primary" in report["cachePage"] and "console-cache-002replica" in report["cachePage"]
    assert "is failing over" in report["cacheFailoverMessage"]
    assert "console-db" not in report["otherRegionFleet"] and "eu-west-1a" in report["otherRegionFleet"]
    assert report["withoutCsrf"] == 403 and report["crossOrigin"] == 403

    # The failover asked for from the page: its events, and marks on the timeline.
    assert "failing over" in report["failoverMessage"]
    assert "Multi-AZ instance failover completed" in report["instanceEvents"]
    assert report["timelineFailoverMarks"] >= 2 and report["timelineWindow"] == 1
    after = rds.describe_db_instances(DBInstanceIdentifier="console-db")["DBInstances"][0]
    assert after["AvailabilityZone"] == instance["SecondaryAvailabilityZone"]
    assert "console-db-connections" in report["alarms"]
    assert "failover" in report["events"]

    # The trail has the reboot, by the admin, through the console.
    assert report["trailRows"] and all("RebootDBInstance" in row for row in report["trailRows"])
    detail = json.loads(report["trailDetail"])
    assert detail["userAgent"] == "kura-console" and detail["userIdentity"]["accessKeyId"] == admin["id"]
    assert detail["requestParameters"]["forceFailover"] is True

    assert report["afterSignOut"] == 401 and report["oldCookieAfterSignOut"] == 401

    # The read-only user: the fleet, but not the actions; its refusals are in the trail under its name.
    assert report["viewerPrincipal"].endswith(":user/viewer")
    assert report["viewer Reboot"].startswith("AccessDenied")
    assert report["viewer Reboot with failover"].startswith("AccessDenied")
    trail = server.client("cloudtrail", key=admin["id"], secret=admin["secret"])
    refused = trail.lookup_events(LookupAttributes=[{"AttributeKey": "Username", "AttributeValue": "viewer"}])["Events"]
    reboots = [json.loads(e["CloudTrailEvent"]) for e in refused if e["EventName"] == "RebootDBInstance"]
    assert len(reboots) == 2 and all(e["errorCode"] == "AccessDenied" for e in reboots)

    # Nor in the server's log, nor in its trail.
    trail_text = b""
    for folder, _, files in os.walk(os.path.join(server.data_dir, "trail")):
        for name in files:
            with open(os.path.join(folder, name), "rb") as f:
                trail_text += f.read()
    assert b"RebootDBInstance" in trail_text  # the trail was read
    for secret in scenario["secrets"]:
        assert secret not in server.read_log() and secret.encode() not in trail_text

    for name in PAGES:
        assert (shots / f"{name}.png").stat().st_size > 5000, name
    if os.environ.get("KURA_UPDATE_SCREENSHOTS"):
        docs = os.path.join(ROOT, "docs", "console")
        os.makedirs(docs, exist_ok=True)
        for name in PAGES:
            shutil.copyfile(shots / f"{name}.png", os.path.join(docs, f"{name}.png"))
