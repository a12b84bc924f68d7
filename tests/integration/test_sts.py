"""STS: AssumeRole and GetSessionToken through boto3, the temporary
credentials they issue accepted by SigV4 (header and presigned query) with
their session token, refused with a wrong token and once expired in each
protocol's words, kept across a restart; a role's session acting under its
role's policies (and its session policy), named by GetCallerIdentity and
the trail."""
import json
import sqlite3
import time
import urllib.request

import botocore.exceptions
import pytest

from conftest import REGION

ACCOUNT = "000000000000"


def error_of(call, *args, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        call(*args, **kwargs)
    return caught.value.response


def code_of(call, *args, **kwargs):
    return error_of(call, *args, **kwargs)["Error"]["Code"]


def policy(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def table_arn(name):
    return f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{name}"


def role_arn(name):
    return f"arn:aws:iam::{ACCOUNT}:role/{name}"


def trusting(*principals, actions=("sts:AssumeRole",)):
    return policy({"Effect": "Allow", "Principal": {"AWS": list(principals)}, "Action": list(actions)})


@pytest.fixture(scope="module")
def server(kura_factory):
    return kura_factory()


@pytest.fixture(scope="module")
def tables(server):
    ddb = server.client("dynamodb")
    for name in ("sts-a", "sts-b"):
        ddb.create_table(TableName=name, KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                         BillingMode="PAY_PER_REQUEST")
        ddb.put_item(TableName=name, Item={"k": {"S": "one"}, "v": {"S": name}})
    return "sts-a", "sts-b"


def make_user(server, name, *documents):
    iam = server.client("iam")
    iam.create_user(UserName=name)
    for index, document in enumerate(documents):
        iam.put_user_policy(UserName=name, PolicyName=f"p{index}", PolicyDocument=document)
    return iam.create_access_key(UserName=name)["AccessKey"]


def as_user(server, service, key):
    return server.client(service, key=key["AccessKeyId"], secret=key["SecretAccessKey"])


def as_session(server, service, credentials, token=None):
    return server.client(service, key=credentials["AccessKeyId"], secret=credentials["SecretAccessKey"],
                         aws_session_token=token or credentials["SessionToken"])


def may_assume(*roles, actions=("sts:AssumeRole",)):
    return policy({"Effect": "Allow", "Action": list(actions), "Resource": [role_arn(r) for r in roles]})


def make_role(server, name, trust, *documents, **kwargs):
    iam = server.client("iam")
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust, **kwargs)
    for index, document in enumerate(documents):
        iam.put_role_policy(RoleName=name, PolicyName=f"p{index}", PolicyDocument=document)


def test_assume_role_and_act_under_its_policies(server, tables):
    a, b = tables
    key = make_user(server, "alice", may_assume("reader"))
    make_role(server, "reader", trusting(f"arn:aws:iam::{ACCOUNT}:user/alice"),
              policy({"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": table_arn(a)}))
    sts = as_user(server, "sts", key)
    assumed = sts.assume_role(RoleArn=role_arn("reader"), RoleSessionName="alice-session")
    credentials = assumed["Credentials"]
    assert credentials["AccessKeyId"].startswith("ASIA") and len(credentials["AccessKeyId"]) == 20
    assert len(credentials["SecretAccessKey"]) == 40 and len(credentials["SessionToken"]) > 100
    remaining = credentials["Expiration"].timestamp() - time.time()
    assert 3500 < remaining <= 3600
    role_id = server.client("iam").get_role(RoleName="reader")["Role"]["RoleId"]
    assert assumed["AssumedRoleUser"] == {
        "AssumedRoleId": f"{role_id}:alice-session",
        "Arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/reader/alice-session"}

    identity = as_session(server, "sts", credentials).get_caller_identity()
    assert identity["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/reader/alice-session"
    assert identity["UserId"] == f"{role_id}:alice-session" and identity["Account"] == ACCOUNT

    ddb = as_session(server, "dynamodb", credentials)
    assert ddb.get_item(TableName=a, Key={"k": {"S": "one"}})["Item"]["v"]["S"] == a
    denied = error_of(ddb.get_item, TableName=b, Key={"k": {"S": "one"}})
    assert denied["Error"]["Code"] == "AccessDeniedException"
    assert denied["Error"]["Message"] == (
        f"User: arn:aws:sts::{ACCOUNT}:assumed-role/reader/alice-session is not authorized to perform: "
        f"dynamodb:GetItem on resource: {table_arn(b)} because no identity-based policy allows the "
        "dynamodb:GetItem action")
    assert code_of(ddb.put_item, TableName=a, Item={"k": {"S": "x"}}) == "AccessDeniedException"
    # The role's policies apply from the next call once changed.
    server.client("iam").put_role_policy(RoleName="reader", PolicyName="p1", PolicyDocument=policy(
        {"Effect": "Allow", "Action": "dynamodb:PutItem", "Resource": table_arn(a)}))
    ddb.put_item(TableName=a, Item={"k": {"S": "by-role"}, "v": {"S": "session"}})
    assert server.client("dynamodb").get_item(TableName=a, Key={"k": {"S": "by-role"}})["Item"]["v"]["S"] == \
        "session"
    # A role's session is no IAM user: GetUser needs a name.
    assert code_of(as_session(server, "iam", credentials).get_user) in ("ValidationError", "AccessDenied")


def test_who_may_assume_a_role(server):
    iam = server.client("iam")
    trusted = make_user(server, "trusted")  # named by the trust policy, but its own policy allows nothing
    make_role(server, "guarded", trusting(f"arn:aws:iam::{ACCOUNT}:user/trusted"))
    stranger = make_user(server, "stranger", may_assume("guarded"))  # allowed by itself, not trusted
    for key in (trusted, stranger):
        refused = error_of(as_user(server, "sts", key).assume_role, RoleArn=role_arn("guarded"),
                           RoleSessionName="s1")
        assert refused["Error"]["Code"] == "AccessDenied"
        assert refused["ResponseMetadata"]["HTTPStatusCode"] == 403
    refused = error_of(as_user(server, "sts", stranger).assume_role, RoleArn=role_arn("guarded"),
                       RoleSessionName="s1")
    assert refused["Error"]["Message"] == (f"User: arn:aws:iam::{ACCOUNT}:user/stranger is not authorized to "
                                           f"perform: sts:AssumeRole on resource: {role_arn('guarded')}")
    iam.put_user_policy(UserName="trusted", PolicyName="assume", PolicyDocument=may_assume("guarded"))
    assert as_user(server, "sts", trusted).assume_role(RoleArn=role_arn("guarded"), RoleSessionName="s1")
    # A role that does not exist is refused as one not allowed.
    assert code_of(as_user(server, "sts", trusted).assume_role, RoleArn=role_arn("missing"),
                   RoleSessionName="s1") == "AccessDenied"
    # The trust policy's conditions hold too, and its explicit deny wins.
    iam.update_assume_role_policy(RoleName="guarded", PolicyDocument=policy(
        {"Effect": "Allow", "Principal": {"AWS": ACCOUNT}, "Action": "sts:AssumeRole",
         "Condition": {"StringLike": {"sts:RoleSessionName": "ok-*"}}}))
    sts = as_user(server, "sts", trusted)
    assert sts.assume_role(RoleArn=role_arn("guarded"), RoleSessionName="ok-1")
    assert code_of(sts.assume_role, RoleArn=role_arn("guarded"), RoleSessionName="bad-1") == "AccessDenied"
    # The root may not assume a role.
    root = error_of(server.client("sts").assume_role, RoleArn=role_arn("guarded"), RoleSessionName="ok-1")
    assert root["Error"] == {"Type": "Sender", "Code": "AccessDenied",
                             "Message": "Roles may not be assumed by root accounts."}


def test_assume_role_validation(server):
    key = make_user(server, "validator", may_assume("bounded"))
    make_role(server, "bounded", trusting(f"arn:aws:iam::{ACCOUNT}:user/validator"), MaxSessionDuration=7200)
    sts = as_user(server, "sts", key)
    longest = sts.assume_role(RoleArn=role_arn("bounded"), RoleSessionName="long", DurationSeconds=7200)
    assert 7100 < longest["Credentials"]["Expiration"].timestamp() - time.time() <= 7200
    too_long = error_of(sts.assume_role, RoleArn=role_arn("bounded"), RoleSessionName="long",
                        DurationSeconds=7201)
    assert too_long["Error"]["Code"] == "ValidationError"
    assert too_long["Error"]["Message"] == \
        "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
    assert code_of(sts.assume_role, RoleArn=role_arn("bounded"), RoleSessionName="bad name") == "ValidationError"
    assert code_of(sts.assume_role, RoleArn=role_arn("bounded"), RoleSessionName="x" * 65) == "ValidationError"
    # A session policy must be a valid policy.
    assert code_of(sts.assume_role, RoleArn=role_arn("bounded"), RoleSessionName="pp", Policy="{") == \
        "MalformedPolicyDocument"


def test_session_policy_limits_the_role(server, tables):
    a, b = tables
    key = make_user(server, "narrow", may_assume("wide"))
    make_role(server, "wide", trusting(f"arn:aws:iam::{ACCOUNT}:user/narrow"),
              policy({"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"}))
    credentials = as_user(server, "sts", key).assume_role(
        RoleArn=role_arn("wide"), RoleSessionName="narrowed",
        Policy=policy({"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": table_arn(a)}))["Credentials"]
    ddb = as_session(server, "dynamodb", credentials)
    assert ddb.get_item(TableName=a, Key={"k": {"S": "one"}})["Item"]
    denied = error_of(ddb.get_item, TableName=b, Key={"k": {"S": "one"}})
    assert denied["Error"]["Message"].endswith("because no session policy allows the dynamodb:GetItem action")
    assert code_of(ddb.put_item, TableName=a, Item={"k": {"S": "x"}}) == "AccessDeniedException"


def test_role_chaining(server):
    key = make_user(server, "chainer", may_assume("first"))
    make_role(server, "first", trusting(f"arn:aws:iam::{ACCOUNT}:user/chainer"), may_assume("second"))
    make_role(server, "second", trusting(role_arn("first")), MaxSessionDuration=7200)
    first = as_user(server, "sts", key).assume_role(RoleArn=role_arn("first"), RoleSessionName="one")["Credentials"]
    sts = as_session(server, "sts", first)
    refused = error_of(sts.assume_role, RoleArn=role_arn("second"), RoleSessionName="two", DurationSeconds=7200)
    assert refused["Error"]["Code"] == "ValidationError"
    second = sts.assume_role(RoleArn=role_arn("second"), RoleSessionName="two")["Credentials"]
    assert as_session(server, "sts", second).get_caller_identity()["Arn"] == \
        f"arn:aws:sts::{ACCOUNT}:assumed-role/second/two"


def test_get_session_token(server, tables):
    a, _ = tables
    key = make_user(server, "sessioned",
                    policy({"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": table_arn(a)}))
    credentials = as_user(server, "sts", key).get_session_token(DurationSeconds=900)["Credentials"]
    assert credentials["AccessKeyId"].startswith("ASIA")
    assert 800 < credentials["Expiration"].timestamp() - time.time() <= 900
    assert as_session(server, "sts", credentials).get_caller_identity()["Arn"] == \
        f"arn:aws:iam::{ACCOUNT}:user/sessioned"
    ddb = as_session(server, "dynamodb", credentials)
    assert ddb.get_item(TableName=a, Key={"k": {"S": "one"}})["Item"]
    assert code_of(ddb.put_item, TableName=a, Item={"k": {"S": "x"}}) == "AccessDeniedException"
    # Without MFA, IAM refuses these credentials; STS will not issue more from them.
    assert code_of(as_session(server, "iam", credentials).list_users) == "InvalidClientTokenId"
    assert error_of(as_session(server, "sts", credentials).get_session_token)["Error"]["Message"] == \
        "Cannot call GetSessionToken with session credentials"
    # The root's sessions last an hour at most.
    root = server.client("sts").get_session_token(DurationSeconds=7200)["Credentials"]
    assert root["Expiration"].timestamp() - time.time() <= 3600
    assert as_session(server, "sts", root).get_caller_identity()["Arn"] == f"arn:aws:iam::{ACCOUNT}:root"


def test_a_wrong_token_and_a_presigned_request(server):
    key = make_user(server, "presigner")
    credentials = as_user(server, "sts", key).get_session_token()["Credentials"]
    wrong = credentials["SessionToken"][:-4] + "AAAA"
    refused = error_of(as_session(server, "sts", credentials, token=wrong).get_caller_identity)
    assert refused["Error"]["Code"] == "InvalidClientTokenId"
    assert refused["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert code_of(as_session(server, "dynamodb", credentials, token=wrong).list_tables) == \
        "UnrecognizedClientException"
    # Without any token, the key alone is refused as well.
    bare = server.client("sts", key=credentials["AccessKeyId"], secret=credentials["SecretAccessKey"])
    assert code_of(bare.get_caller_identity) == "InvalidClientTokenId"

    # A presigned URL carries the token in its query.
    url = as_session(server, "sts", credentials).generate_presigned_url("get_caller_identity", ExpiresIn=60,
                                                                        HttpMethod="GET")
    assert "X-Amz-Security-Token=" in url
    with urllib.request.urlopen(url, timeout=10) as answer:
        assert f"arn:aws:iam::{ACCOUNT}:user/presigner" in answer.read().decode()
    tampered = url.replace("X-Amz-Security-Token=", "X-Amz-Security-Token=AAAA")
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(tampered, timeout=10)
    assert caught.value.code == 403 and b"InvalidClientTokenId" in caught.value.read()


def test_sessions_survive_a_restart_until_they_expire(kura_factory):
    server = kura_factory()
    key = make_user(server, "survivor", policy({"Effect": "Allow", "Action": "*", "Resource": "*"}))
    make_role(server, "lasting", trusting(f"arn:aws:iam::{ACCOUNT}:user/survivor"),
              policy({"Effect": "Allow", "Action": "*", "Resource": "*"}))
    sts = as_user(server, "sts", key)
    kept = sts.assume_role(RoleArn=role_arn("lasting"), RoleSessionName="kept")["Credentials"]
    ending = sts.assume_role(RoleArn=role_arn("lasting"), RoleSessionName="ending")["Credentials"]
    server.stop(sigkill=True)
    # The second session's expiry moved into the past while Kura is down.
    with sqlite3.connect(f"{server.data_dir}/catalog.db") as catalog:
        moved = catalog.execute(
            "UPDATE resources SET spec = json_set(spec, '$.Expiration', ?) WHERE kind = 'sts-session' AND name = ?",
            (time.time() - 60, ending["AccessKeyId"])).rowcount
    assert moved == 1
    server.start()
    assert as_session(server, "sts", kept).get_caller_identity()["Arn"] == \
        f"arn:aws:sts::{ACCOUNT}:assumed-role/lasting/kept"
    expired = error_of(as_session(server, "sts", ending).get_caller_identity)
    assert expired["Error"]["Code"] == "ExpiredToken"
    assert expired["Error"]["Message"] == "The security token included in the request is expired"
    assert code_of(as_session(server, "dynamodb", ending).list_tables) == "ExpiredTokenException"
    assert code_of(as_session(server, "ec2", ending).describe_vpcs) == "RequestExpired"
    # A deleted role takes its sessions with it.
    iam = server.client("iam")
    iam.delete_role_policy(RoleName="lasting", PolicyName="p0")
    iam.delete_role(RoleName="lasting")
    assert code_of(as_session(server, "sts", kept).get_caller_identity) == "InvalidClientTokenId"


def test_the_trail_names_the_session(server, tables):
    a, _ = tables
    key = make_user(server, "traced", may_assume("traced-role"))
    make_role(server, "traced-role", trusting(f"arn:aws:iam::{ACCOUNT}:user/traced"),
              policy({"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": table_arn(a)}))
    credentials = as_user(server, "sts", key).assume_role(RoleArn=role_arn("traced-role"),
                                                          RoleSessionName="trace-me")["Credentials"]
    ddb = as_session(server, "dynamodb", credentials)
    ddb.get_item(TableName=a, Key={"k": {"S": "one"}})
    code_of(ddb.delete_table, TableName=a)
    trail = server.client("cloudtrail")
    events = trail.lookup_events(LookupAttributes=[
        {"AttributeKey": "AccessKeyId", "AttributeValue": credentials["AccessKeyId"]}])["Events"]
    assert sorted(e["EventName"] for e in events) == ["DeleteTable", "GetItem"]
    denied = next(e for e in events if e["EventName"] == "DeleteTable")
    record = json.loads(denied["CloudTrailEvent"])
    assert record["errorCode"] == "AccessDeniedException"
    identity = record["userIdentity"]
    role = server.client("iam").get_role(RoleName="traced-role")["Role"]
    assert identity["type"] == "AssumedRole"
    assert identity["arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/traced-role/trace-me"
    assert identity["principalId"] == f"{role['RoleId']}:trace-me"
    assert identity["accessKeyId"] == credentials["AccessKeyId"]
    assert identity["sessionContext"]["sessionIssuer"] == {
        "type": "Role", "principalId": role["RoleId"], "arn": role["Arn"], "accountId": ACCOUNT,
        "userName": "traced-role"}
    assert identity["sessionContext"]["attributes"]["mfaAuthenticated"] == "false"
    by_name = trail.lookup_events(LookupAttributes=[
        {"AttributeKey": "Username", "AttributeValue": "trace-me"}])["Events"]
    assert {e["EventName"] for e in by_name} == {"GetItem", "DeleteTable"}
    assert all(e["Username"] == "trace-me" for e in by_name)
    # The user's own AssumeRole call names the user.
    assumed = trail.lookup_events(LookupAttributes=[{"AttributeKey": "Username", "AttributeValue": "traced"}],
                                  )["Events"]
    assert "AssumeRole" in [e["EventName"] for e in assumed]


def test_the_cli_assumes_a_role_and_uses_its_session(server, tables):
    a, b = tables
    server.aws("iam", "create-group", "--group-name", "cli-assumers")
    server.aws("iam", "put-group-policy", "--group-name", "cli-assumers", "--policy-name", "assume",
               "--policy-document", may_assume("cli-role"))
    server.aws("iam", "create-user", "--user-name", "cli-user")
    server.aws("iam", "add-user-to-group", "--group-name", "cli-assumers", "--user-name", "cli-user")
    key = server.aws("iam", "create-access-key", "--user-name", "cli-user")["AccessKey"]
    server.aws("iam", "create-role", "--role-name", "cli-role", "--assume-role-policy-document",
               trusting(f"arn:aws:iam::{ACCOUNT}:user/cli-user"))
    server.aws("iam", "put-role-policy", "--role-name", "cli-role", "--policy-name", "read",
               "--policy-document", policy({"Effect": "Allow", "Action": "dynamodb:GetItem",
                                            "Resource": table_arn(a)}))
    user_env = {"AWS_ACCESS_KEY_ID": key["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"]}
    credentials = server.aws("sts", "assume-role", "--role-arn", role_arn("cli-role"), "--role-session-name",
                             "cli", "--duration-seconds", "900", env=user_env)["Credentials"]
    session_env = {"AWS_ACCESS_KEY_ID": credentials["AccessKeyId"],
                   "AWS_SECRET_ACCESS_KEY": credentials["SecretAccessKey"],
                   "AWS_SESSION_TOKEN": credentials["SessionToken"]}
    assert server.aws("sts", "get-caller-identity", env=session_env)["Arn"] == \
        f"arn:aws:sts::{ACCOUNT}:assumed-role/cli-role/cli"
    item = server.aws("dynamodb", "get-item", "--table-name", a, "--key", '{"k": {"S": "one"}}', env=session_env)
    assert item["Item"]["v"]["S"] == a
    refused = server.aws("dynamodb", "get-item", "--table-name", b, "--key", '{"k": {"S": "one"}}',
                         env=session_env, check=False)
    assert refused.returncode != 0 and "(AccessDeniedException)" in refused.stderr
    # Out of the group, the user may no longer assume the role.
    server.aws("iam", "remove-user-from-group", "--group-name", "cli-assumers", "--user-name", "cli-user")
    refused = server.aws("sts", "assume-role", "--role-arn", role_arn("cli-role"), "--role-session-name", "cli",
                         env=user_env, check=False)
    assert refused.returncode != 0 and "(AccessDenied)" in refused.stderr


def test_session_and_role_tags_are_principal_tags(server, tables):
    a, _ = tables
    # Session tags need sts:TagSession, of the caller and of the role's trust.
    tagging = ("sts:AssumeRole", "sts:TagSession")
    key = make_user(server, "tagger", may_assume("tagged-role", actions=tagging))
    make_role(server, "tagged-role", trusting(f"arn:aws:iam::{ACCOUNT}:user/tagger", actions=tagging),
              policy({"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": table_arn(a),
                      "Condition": {"StringEquals": {"aws:PrincipalTag/team": "blue"}}}),
              Tags=[{"Key": "team", "Value": "red"}])
    sts = as_user(server, "sts", key)
    red = sts.assume_role(RoleArn=role_arn("tagged-role"), RoleSessionName="red")["Credentials"]
    assert code_of(as_session(server, "dynamodb", red).get_item, TableName=a, Key={"k": {"S": "one"}}) == \
        "AccessDeniedException"
    # A session's tag stands before its role's of the same key.
    blue = sts.assume_role(RoleArn=role_arn("tagged-role"), RoleSessionName="blue",
                           Tags=[{"Key": "team", "Value": "blue"}])["Credentials"]
    assert as_session(server, "dynamodb", blue).get_item(TableName=a, Key={"k": {"S": "one"}})["Item"]
    # The role's own tag, once blue, holds for its sessions from the next call.
    server.client("iam").tag_role(RoleName="tagged-role", Tags=[{"Key": "team", "Value": "blue"}])
    assert as_session(server, "dynamodb", red).get_item(TableName=a, Key={"k": {"S": "one"}})["Item"]
