"""IAM: users, access keys and policies through boto3 and the AWS CLI; a
user's key accepted by SigV4 and its calls evaluated against its policies
(AccessDenied with AWS's message, in the trail with its errorCode); the
account root never restricted."""
import json
import subprocess

import botocore.exceptions
import pytest

import raw_http
from conftest import AWS_CLI, REGION

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


@pytest.fixture(scope="module")
def server(kura_factory):
    return kura_factory()


@pytest.fixture(scope="module")
def tables(server):
    ddb = server.client("dynamodb")
    for name in ("iam-orders", "iam-users"):
        ddb.create_table(TableName=name, KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                         BillingMode="PAY_PER_REQUEST")
        ddb.put_item(TableName=name, Item={"k": {"S": "one"}, "v": {"S": name}})
    return "iam-orders", "iam-users"


def make_user(server, name, *documents):
    """A user with one key and the documents as inline policies; its key."""
    iam = server.client("iam")
    iam.create_user(UserName=name)
    for index, document in enumerate(documents):
        iam.put_user_policy(UserName=name, PolicyName=f"p{index}", PolicyDocument=document)
    return iam.create_access_key(UserName=name)["AccessKey"]


def as_user(server, service, key):
    return server.client(service, key=key["AccessKeyId"], secret=key["SecretAccessKey"])


def test_users_keys_and_policies_round_trip(server):
    iam = server.client("iam")
    user = iam.create_user(UserName="Carol", Path="/ops/")["User"]
    assert user["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/ops/Carol"
    assert user["UserId"].startswith("AIDA") and len(user["UserId"]) == 21
    assert iam.get_user(UserName="carol")["User"]["UserName"] == "Carol"  # names ignore case
    assert "Carol" in [u["UserName"] for u in iam.list_users()["Users"]]
    assert [u["UserName"] for u in iam.list_users(PathPrefix="/ops/")["Users"]] == ["Carol"]

    key = iam.create_access_key(UserName="Carol")["AccessKey"]
    assert key["AccessKeyId"].startswith("AKIA") and len(key["AccessKeyId"]) == 20
    assert len(key["SecretAccessKey"]) == 40 and key["Status"] == "Active"
    listed = iam.list_access_keys(UserName="Carol")["AccessKeyMetadata"]
    assert [k["AccessKeyId"] for k in listed] == [key["AccessKeyId"]]
    assert "SecretAccessKey" not in listed[0]  # shown once only
    iam.update_access_key(UserName="Carol", AccessKeyId=key["AccessKeyId"], Status="Inactive")
    assert iam.list_access_keys(UserName="Carol")["AccessKeyMetadata"][0]["Status"] == "Inactive"

    document = policy({"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "*"})
    created = iam.create_policy(PolicyName="ReadItems", PolicyDocument=document, Description="reads")["Policy"]
    arn = created["Arn"]
    assert arn == f"arn:aws:iam::{ACCOUNT}:policy/ReadItems"
    assert created["DefaultVersionId"] == "v1" and created["AttachmentCount"] == 0
    assert iam.get_policy(PolicyArn=arn)["Policy"]["Description"] == "reads"
    version = iam.get_policy_version(PolicyArn=arn, VersionId="v1")["PolicyVersion"]
    assert version["Document"] == json.loads(document) and version["IsDefaultVersion"]
    assert arn in [p["Arn"] for p in iam.list_policies(Scope="Local")["Policies"]]
    assert iam.list_policies(Scope="AWS")["Policies"] == []

    second = policy({"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"})
    assert iam.create_policy_version(PolicyArn=arn, PolicyDocument=second)["PolicyVersion"]["VersionId"] == "v2"
    iam.set_default_policy_version(PolicyArn=arn, VersionId="v2")
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v2"
    assert [v["VersionId"] for v in iam.list_policy_versions(PolicyArn=arn)["Versions"]] == ["v2", "v1"]

    iam.attach_user_policy(UserName="Carol", PolicyArn=arn)
    assert iam.list_attached_user_policies(UserName="Carol")["AttachedPolicies"] == [
        {"PolicyName": "ReadItems", "PolicyArn": arn}]
    assert iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"] == 1
    iam.put_user_policy(UserName="Carol", PolicyName="inline", PolicyDocument=document)
    assert iam.list_user_policies(UserName="Carol")["PolicyNames"] == ["inline"]
    got = iam.get_user_policy(UserName="Carol", PolicyName="inline")
    assert got["PolicyDocument"] == json.loads(document) and got["UserName"] == "Carol"

    # Everything undone, in the order IAM asks for.
    iam.delete_user_policy(UserName="Carol", PolicyName="inline")
    iam.detach_user_policy(UserName="Carol", PolicyArn=arn)
    iam.delete_access_key(UserName="Carol", AccessKeyId=key["AccessKeyId"])
    iam.delete_user(UserName="Carol")
    iam.delete_policy_version(PolicyArn=arn, VersionId="v1")
    iam.delete_policy(PolicyArn=arn)
    assert code_of(iam.get_policy, PolicyArn=arn) == "NoSuchEntity"


def test_iam_errors_as_aws_answers_them(server):
    iam = server.client("iam")
    missing = error_of(iam.get_user, UserName="nobody")
    assert missing["Error"]["Code"] == "NoSuchEntity"
    assert missing["Error"]["Message"] == "The user with name nobody cannot be found."
    assert missing["ResponseMetadata"]["HTTPStatusCode"] == 404

    iam.create_user(UserName="dave")
    taken = error_of(iam.create_user, UserName="DAVE")
    assert taken["Error"]["Code"] == "EntityAlreadyExists"
    assert taken["ResponseMetadata"]["HTTPStatusCode"] == 409
    assert code_of(iam.create_user, UserName="bad name") == "ValidationError"
    assert code_of(iam.create_user, UserName="ok", Path="no-slashes") == "ValidationError"

    first = iam.create_access_key(UserName="dave")["AccessKey"]
    second = iam.create_access_key(UserName="dave")["AccessKey"]
    limit = error_of(iam.create_access_key, UserName="dave")
    assert limit["Error"]["Code"] == "LimitExceeded"
    assert limit["Error"]["Message"] == "Cannot exceed quota for AccessKeysPerUser: 2"
    conflict = error_of(iam.delete_user, UserName="dave")
    assert conflict["Error"]["Code"] == "DeleteConflict"
    assert conflict["Error"]["Message"] == "Cannot delete entity, must delete access keys first."
    assert code_of(iam.delete_access_key, UserName="dave", AccessKeyId="AKIA0000000000000000") == "NoSuchEntity"
    for key in (first, second):
        iam.delete_access_key(UserName="dave", AccessKeyId=key["AccessKeyId"])

    for bad, message in (("{", "This policy contains invalid Json"),
                         (json.dumps({"Version": "2012-10-17"}), "Syntax errors in policy."),
                         (policy({"Effect": "Allow", "Action": "dynamodb:GetItem"}),
                          "Policy statement must contain resources."),
                         (policy({"Effect": "Allow", "Action": "*", "Resource": "*", "Principal": "*"}),
                          "Policy document should not specify a principal.")):
        refused = error_of(iam.create_policy, PolicyName="Bad", PolicyDocument=bad)
        assert refused["Error"] == {"Type": "Sender", "Code": "MalformedPolicyDocument", "Message": message}
    assert code_of(iam.put_user_policy, UserName="dave", PolicyName="x", PolicyDocument="[]") == \
        "MalformedPolicyDocument"
    # The inline quota is on the user's policies together, not one by one.
    big = policy(*[{"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::b{index:04}/*"}
                   for index in range(16)])
    assert 1024 < len(big) <= 2048
    iam.put_user_policy(UserName="dave", PolicyName="big1", PolicyDocument=big)
    iam.put_user_policy(UserName="dave", PolicyName="big1", PolicyDocument=big)  # replacing it stays within
    assert code_of(iam.put_user_policy, UserName="dave", PolicyName="big2", PolicyDocument=big) == "LimitExceeded"
    iam.delete_user_policy(UserName="dave", PolicyName="big1")

    document = policy({"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"})
    arn = iam.create_policy(PolicyName="Attached", PolicyDocument=document)["Policy"]["Arn"]
    assert code_of(iam.create_policy, PolicyName="attached", PolicyDocument=document) == "EntityAlreadyExists"
    iam.attach_user_policy(UserName="dave", PolicyArn=arn)
    attached = error_of(iam.delete_policy, PolicyArn=arn)
    assert attached["Error"]["Code"] == "DeleteConflict"
    assert attached["Error"]["Message"] == "Cannot delete a policy attached to entities."
    assert error_of(iam.delete_user, UserName="dave")["Error"]["Message"] == \
        "Cannot delete entity, must detach all policies first."
    missing_policy = f"arn:aws:iam::{ACCOUNT}:policy/Nope"
    assert code_of(iam.attach_user_policy, UserName="dave", PolicyArn=missing_policy) == "NoSuchEntity"
    assert code_of(iam.get_policy_version, PolicyArn=arn, VersionId="v9") == "NoSuchEntity"
    assert code_of(iam.get_user_policy, UserName="dave", PolicyName="none") == "NoSuchEntity"
    assert code_of(iam.delete_policy_version, PolicyArn=arn, VersionId="v1") == "DeleteConflict"
    for _ in range(4):
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=document)
    assert code_of(iam.create_policy_version, PolicyArn=arn, PolicyDocument=document) == "LimitExceeded"

    # An operation of IAM that Kura does not implement yet.
    unknown = error_of(iam.create_instance_profile, InstanceProfileName="admins")
    assert unknown["Error"]["Code"] == "InvalidAction"


def test_iam_errors_through_the_cli(server):
    server.aws("iam", "create-user", "--user-name", "erin")
    for args, code in ((["iam", "get-user", "--user-name", "nobody"], "NoSuchEntity"),
                       (["iam", "create-user", "--user-name", "erin"], "EntityAlreadyExists"),
                       (["iam", "create-policy", "--policy-name", "cli", "--policy-document", "{not json"],
                        "MalformedPolicyDocument")):
        result = server.aws(*args, check=False)
        assert result.returncode != 0 and f"({code})" in result.stderr, result.stderr
    key = server.aws("iam", "create-access-key", "--user-name", "erin")["AccessKey"]
    identity = server.aws("sts", "get-caller-identity", env={"AWS_ACCESS_KEY_ID": key["AccessKeyId"],
                                                              "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"]})
    assert identity["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/erin"


def test_a_user_allowed_get_item_on_one_table_only(server, tables):
    orders, users = tables
    key = make_user(server, "reader", policy(
        {"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": table_arn(orders)}))
    ddb = as_user(server, "dynamodb", key)
    assert ddb.get_item(TableName=orders, Key={"k": {"S": "one"}})["Item"]["v"]["S"] == orders

    put = error_of(ddb.put_item, TableName=orders, Item={"k": {"S": "two"}})
    assert put["Error"]["Code"] == "AccessDeniedException"
    assert put["Error"]["Message"] == (
        f"User: arn:aws:iam::{ACCOUNT}:user/reader is not authorized to perform: dynamodb:PutItem on resource: "
        f"{table_arn(orders)} because no identity-based policy allows the dynamodb:PutItem action")
    other = error_of(ddb.get_item, TableName=users, Key={"k": {"S": "one"}})
    assert other["Error"]["Code"] == "AccessDeniedException"
    assert table_arn(users) in other["Error"]["Message"]
    # Nothing was written by the refused call.
    assert "Item" not in server.client("dynamodb").get_item(TableName=orders, Key={"k": {"S": "two"}})

    # A query-protocol service answers AccessDenied, HTTP 403.
    rds = error_of(as_user(server, "rds", key).describe_db_instances)
    assert rds["Error"]["Code"] == "AccessDenied" and rds["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert "rds:DescribeDBInstances" in rds["Error"]["Message"]
    # The root is never restricted.
    server.client("dynamodb").put_item(TableName=orders, Item={"k": {"S": "root"}})


def test_explicit_deny_wins_over_allow_everything(server, tables):
    orders, _ = tables
    key = make_user(server, "denied",
                    policy({"Effect": "Allow", "Action": "*", "Resource": "*"}),
                    policy({"Effect": "Deny", "Action": "dynamodb:PutItem", "Resource": table_arn(orders)}))
    ddb = as_user(server, "dynamodb", key)
    ddb.get_item(TableName=orders, Key={"k": {"S": "one"}})
    refused = error_of(ddb.put_item, TableName=orders, Item={"k": {"S": "x"}})
    assert refused["Error"]["Code"] == "AccessDeniedException"
    assert refused["Error"]["Message"].endswith("with an explicit deny in an identity-based policy")
    # A policy change applies to the next call.
    server.client("iam").delete_user_policy(UserName="denied", PolicyName="p1")
    ddb.put_item(TableName=orders, Item={"k": {"S": "x"}})


def test_not_action_and_conditions(server, tables):
    orders, _ = tables
    key = make_user(server, "notiam", policy(
        {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "dynamodb:DeleteItem", "Resource": "*",
         "Condition": {"IpAddress": {"aws:SourceIp": "127.0.0.0/8"}}},
        {"Effect": "Deny", "Action": "dynamodb:Scan", "Resource": "*",
         "Condition": {"StringNotEquals": {"aws:username": "notiam"}}}))
    ddb = as_user(server, "dynamodb", key)
    ddb.get_item(TableName=orders, Key={"k": {"S": "one"}})
    ddb.scan(TableName=orders, Limit=1)  # the deny's condition does not hold for this user
    assert code_of(as_user(server, "iam", key).list_users) == "AccessDenied"
    assert code_of(ddb.delete_item, TableName=orders, Key={"k": {"S": "one"}}) == "AccessDeniedException"


def test_inactive_and_deleted_keys_are_refused(server):
    key = make_user(server, "keys", policy({"Effect": "Allow", "Action": "*", "Resource": "*"}))
    iam = server.client("iam")
    sts = as_user(server, "sts", key)
    assert sts.get_caller_identity()["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/keys"
    iam.update_access_key(UserName="keys", AccessKeyId=key["AccessKeyId"], Status="Inactive")
    assert code_of(sts.get_caller_identity) == "InvalidClientTokenId"
    assert code_of(as_user(server, "dynamodb", key).list_tables) == "UnrecognizedClientException"
    iam.update_access_key(UserName="keys", AccessKeyId=key["AccessKeyId"], Status="Active")
    sts.get_caller_identity()
    iam.delete_access_key(UserName="keys", AccessKeyId=key["AccessKeyId"])
    assert code_of(sts.get_caller_identity) == "InvalidClientTokenId"
    # A wrong secret for a real key is a bad signature, as with any key.
    other = iam.create_access_key(UserName="keys")["AccessKey"]
    wrong = server.client("sts", key=other["AccessKeyId"], secret="x" * 40)
    assert code_of(wrong.get_caller_identity) == "SignatureDoesNotMatch"


def test_get_caller_identity_and_get_user_name_the_user(server):
    key = make_user(server, "whoami")  # no policy at all
    identity = as_user(server, "sts", key).get_caller_identity()
    user = server.client("iam").get_user(UserName="whoami")["User"]
    assert identity["Arn"] == user["Arn"] and identity["UserId"] == user["UserId"]
    assert identity["Account"] == ACCOUNT
    # GetUser without a name is the caller: allowed on its own ARN.
    server.client("iam").put_user_policy(UserName="whoami", PolicyName="self", PolicyDocument=policy(
        {"Effect": "Allow", "Action": "iam:GetUser", "Resource": "arn:aws:iam::*:user/${aws:username}"}))
    assert as_user(server, "iam", key).get_user()["User"]["UserName"] == "whoami"
    assert code_of(as_user(server, "iam", key).get_user, UserName="reader") == "AccessDenied"
    # The root's own GetUser.
    assert server.client("iam").get_user()["User"]["Arn"] == f"arn:aws:iam::{ACCOUNT}:root"
    assert server.client("sts").get_caller_identity()["Arn"] == f"arn:aws:iam::{ACCOUNT}:root"


def test_trail_names_the_user_and_the_denied_call(server, tables):
    orders, _ = tables
    key = make_user(server, "audited", policy(
        {"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": table_arn(orders)}))
    ddb = as_user(server, "dynamodb", key)
    ddb.get_item(TableName=orders, Key={"k": {"S": "one"}})
    code_of(ddb.delete_item, TableName=orders, Key={"k": {"S": "one"}})
    trail = server.client("cloudtrail")
    events = trail.lookup_events(LookupAttributes=[{"AttributeKey": "Username", "AttributeValue": "audited"}])["Events"]
    by_name = {e["EventName"]: json.loads(e["CloudTrailEvent"]) for e in events}
    assert set(by_name) >= {"GetItem", "DeleteItem"}
    identity = by_name["GetItem"]["userIdentity"]
    user = server.client("iam").get_user(UserName="audited")["User"]
    assert identity == {"type": "IAMUser", "principalId": user["UserId"], "arn": user["Arn"],
                        "accountId": ACCOUNT, "accessKeyId": key["AccessKeyId"], "userName": "audited"}
    assert "errorCode" not in by_name["GetItem"]
    assert by_name["DeleteItem"]["errorCode"] == "AccessDeniedException"
    by_key = trail.lookup_events(LookupAttributes=[{"AttributeKey": "AccessKeyId",
                                                    "AttributeValue": key["AccessKeyId"]}])["Events"]
    assert {e["EventName"] for e in by_key} >= {"GetItem", "DeleteItem"}
    # The root's calls stay the root's.
    # IAM's own calls are in us-east-1's events, as CloudTrail records them.
    root_events = server.client("cloudtrail", region="us-east-1").lookup_events(LookupAttributes=[{"AttributeKey": "EventName",
                                                         "AttributeValue": "CreateAccessKey"}])["Events"]
    root_event = json.loads(root_events[0]["CloudTrailEvent"])
    assert root_event["userIdentity"]["type"] == "Root"
    # The secret answered once is not in the trail.
    assert key["SecretAccessKey"] not in json.dumps([e["CloudTrailEvent"] for e in root_events])


def test_cli_as_a_restricted_user(server, tables):
    orders, _ = tables
    key = make_user(server, "cliuser", policy(
        {"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": table_arn(orders)}))
    env = {"AWS_ACCESS_KEY_ID": key["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"]}
    item = server.aws("dynamodb", "get-item", "--table-name", orders, "--key", '{"k":{"S":"one"}}', env=env)
    assert item["Item"]["v"]["S"] == orders
    refused = server.aws("dynamodb", "list-tables", check=False, env=env)
    assert refused.returncode != 0 and "(AccessDeniedException)" in refused.stderr
    assert "dynamodb:ListTables" in refused.stderr


def test_model_violations_are_validation_errors(server):
    too_long = error_of(server.client("iam").create_user, UserName="u" * 65)
    assert too_long["Error"]["Code"] == "ValidationError"
    assert too_long["Error"]["Message"].startswith("1 validation error detected: Value ")
    assert "at 'userName' failed to satisfy constraint" in too_long["Error"]["Message"]


def test_secure_transport_condition(kura_factory):
    """aws:SecureTransport is true on an API that serves HTTPS, false on plain HTTP."""
    document = policy({"Effect": "Allow", "Action": "dynamodb:ListTables", "Resource": "*",
                       "Condition": {"Bool": {"aws:SecureTransport": "true"}}})
    for server, allowed in ((kura_factory(["--tls"]), True), (kura_factory(), False)):
        key = make_user(server, "tls", document)
        ddb = as_user(server, "dynamodb", key)
        if allowed:
            assert "TableNames" in ddb.list_tables()
        else:
            assert code_of(ddb.list_tables) == "AccessDeniedException"


def test_list_users_pages(server):
    iam = server.client("iam")
    for index in range(5):
        iam.create_user(UserName=f"page{index}", Path="/paged/")
    first = iam.list_users(PathPrefix="/paged/", MaxItems=3)
    seen = [u["UserName"] for u in first["Users"]]
    assert first["IsTruncated"] and "Marker" in first
    while first["IsTruncated"]:
        first = iam.list_users(PathPrefix="/paged/", MaxItems=3, Marker=first["Marker"])
        seen += [u["UserName"] for u in first["Users"]]
    assert seen == [f"page{index}" for index in range(5)]
    # CloudTrail records IAM, a global service, in us-east-1.
    events = server.client("cloudtrail", region="us-east-1").lookup_events(
        LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "CreateUser"}])["Events"]
    assert not server.client("cloudtrail").lookup_events(
        LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "CreateUser"}])["Events"]
    assert json.loads(events[0]["CloudTrailEvent"])["awsRegion"] == "us-east-1"
    assert json.loads(events[0]["CloudTrailEvent"])["eventSource"] == "iam.amazonaws.com"


def test_a_user_resource_holds_its_path(server):
    iam = server.client("iam")
    iam.create_user(UserName="Opsy", Path="/ops/")
    iam.create_user(UserName="Devy", Path="/dev/")
    key = make_user(server, "pathy", policy(
        {"Effect": "Allow", "Action": "iam:ListAccessKeys", "Resource": f"arn:aws:iam::{ACCOUNT}:user/ops/*"}))
    as_iam = as_user(server, "iam", key)
    assert as_iam.list_access_keys(UserName="Opsy")["AccessKeyMetadata"] == []
    denied = error_of(as_iam.list_access_keys, UserName="Devy")
    assert denied["Error"]["Code"] == "AccessDenied"
    assert f"on resource: arn:aws:iam::{ACCOUNT}:user/dev/Devy " in denied["Error"]["Message"]


def test_kms_calls_by_alias_are_evaluated_on_the_key(server):
    kms = server.client("kms")
    key_arn = kms.create_key()["KeyMetadata"]["Arn"]
    kms.create_alias(AliasName="alias/iam-app", TargetKeyId=key_arn)
    other_arn = kms.create_key()["KeyMetadata"]["Arn"]
    kms.create_alias(AliasName="alias/iam-other", TargetKeyId=other_arn)
    key = make_user(server, "crypto", policy({"Effect": "Allow", "Action": "kms:Encrypt", "Resource": key_arn}))
    as_kms = as_user(server, "kms", key)
    assert as_kms.encrypt(KeyId="alias/iam-app", Plaintext=b"x")["KeyId"] == key_arn
    assert as_kms.encrypt(KeyId=key_arn, Plaintext=b"x")["KeyId"] == key_arn
    denied = error_of(as_kms.encrypt, KeyId="alias/iam-other", Plaintext=b"x")
    assert denied["Error"]["Code"] == "AccessDeniedException"
    assert f"on resource: {other_arn} " in denied["Error"]["Message"]


def test_secrets_are_evaluated_on_their_full_arn(server):
    sm = server.client("secretsmanager")
    arn = sm.create_secret(Name="iam/db", SecretString="s3cret")["ARN"]
    sm.create_secret(Name="iam/other", SecretString="x")
    key = make_user(server, "secretive", policy({
        "Effect": "Allow", "Action": "secretsmanager:GetSecretValue",
        "Resource": f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:iam/db-??????"}))
    as_sm = as_user(server, "secretsmanager", key)
    assert as_sm.get_secret_value(SecretId="iam/db")["SecretString"] == "s3cret"
    assert as_sm.get_secret_value(SecretId=arn)["SecretString"] == "s3cret"
    assert code_of(as_sm.get_secret_value, SecretId="iam/other") == "AccessDeniedException"


def test_groups_round_trip_and_errors(server):
    iam = server.client("iam")
    group = iam.create_group(GroupName="Readers", Path="/team/")["Group"]
    assert group["Arn"] == f"arn:aws:iam::{ACCOUNT}:group/team/Readers"
    assert group["GroupId"].startswith("AGPA") and len(group["GroupId"]) == 21
    assert code_of(iam.create_group, GroupName="readers") == "EntityAlreadyExists"
    assert "Readers" in [g["GroupName"] for g in iam.list_groups()["Groups"]]
    assert [g["GroupName"] for g in iam.list_groups(PathPrefix="/team/")["Groups"]] == ["Readers"]
    for name in ("gm1", "gm2", "gm3"):
        iam.create_user(UserName=name)
        iam.add_user_to_group(GroupName="readers", UserName=name)
    iam.add_user_to_group(GroupName="Readers", UserName="gm1")  # again: no change
    got = iam.get_group(GroupName="Readers")
    assert got["Group"]["GroupName"] == "Readers"
    assert [u["UserName"] for u in got["Users"]] == ["gm1", "gm2", "gm3"]
    first = iam.get_group(GroupName="Readers", MaxItems=2)
    assert first["IsTruncated"] and [u["UserName"] for u in first["Users"]] == ["gm1", "gm2"]
    rest = iam.get_group(GroupName="Readers", Marker=first["Marker"])
    assert [u["UserName"] for u in rest["Users"]] == ["gm3"]
    assert [g["GroupName"] for g in iam.list_groups_for_user(UserName="gm1")["Groups"]] == ["Readers"]

    document = policy({"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"})
    iam.put_group_policy(GroupName="Readers", PolicyName="list", PolicyDocument=document)
    assert iam.list_group_policies(GroupName="Readers")["PolicyNames"] == ["list"]
    got = iam.get_group_policy(GroupName="Readers", PolicyName="list")
    assert got["GroupName"] == "Readers" and got["PolicyDocument"] == json.loads(document)
    arn = iam.create_policy(PolicyName="GroupManaged", PolicyDocument=document)["Policy"]["Arn"]
    iam.attach_group_policy(GroupName="Readers", PolicyArn=arn)
    assert iam.list_attached_group_policies(GroupName="Readers")["AttachedPolicies"] == [
        {"PolicyName": "GroupManaged", "PolicyArn": arn}]
    assert iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"] == 1

    assert error_of(iam.delete_group, GroupName="Readers")["Error"]["Message"] == \
        "Cannot delete entity, must remove users from group first."
    assert error_of(iam.delete_user, UserName="gm3")["Error"]["Message"] == \
        "Cannot delete entity, must remove user from all groups first."
    missing = error_of(iam.get_group, GroupName="nobody")
    assert missing["Error"]["Code"] == "NoSuchEntity"
    assert missing["Error"]["Message"] == "The group with name nobody cannot be found."
    assert code_of(iam.add_user_to_group, GroupName="Readers", UserName="nobody") == "NoSuchEntity"
    assert code_of(iam.get_group_policy, GroupName="Readers", PolicyName="none") == "NoSuchEntity"
    assert code_of(iam.create_group, GroupName="bad name") == "ValidationError"
    # The group's inline quota is 5,120 characters together.
    big = policy(*[{"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::b{index:04}/*"}
                   for index in range(40)])
    assert 2560 < len(big.replace(" ", "")) <= 5120
    iam.put_group_policy(GroupName="Readers", PolicyName="big1", PolicyDocument=big)
    assert code_of(iam.put_group_policy, GroupName="Readers", PolicyName="big2", PolicyDocument=big) == \
        "LimitExceeded"

    for name in ("gm1", "gm2", "gm3"):
        iam.remove_user_from_group(GroupName="Readers", UserName=name)
    assert code_of(iam.remove_user_from_group, GroupName="Readers", UserName="gm1") == "NoSuchEntity"
    assert iam.list_groups_for_user(UserName="gm1")["Groups"] == []
    assert error_of(iam.delete_group, GroupName="Readers")["Error"]["Message"] == \
        "Cannot delete entity, must delete policies first."
    for name in ("list", "big1"):
        iam.delete_group_policy(GroupName="Readers", PolicyName=name)
    iam.detach_group_policy(GroupName="Readers", PolicyArn=arn)
    iam.delete_group(GroupName="Readers")
    assert code_of(iam.get_group, GroupName="Readers") == "NoSuchEntity"
    iam.delete_user(UserName="gm3")


def test_a_users_calls_are_evaluated_under_its_groups_policies(server, tables):
    orders, users = tables
    iam = server.client("iam")
    key = make_user(server, "grace")
    ddb = as_user(server, "dynamodb", key)
    assert code_of(ddb.get_item, TableName=orders, Key={"k": {"S": "one"}}) == "AccessDeniedException"

    iam.create_group(GroupName="order-readers")
    iam.put_group_policy(GroupName="order-readers", PolicyName="get", PolicyDocument=policy(
        {"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": table_arn(orders)}))
    iam.add_user_to_group(GroupName="order-readers", UserName="grace")
    assert ddb.get_item(TableName=orders, Key={"k": {"S": "one"}})["Item"]["v"]["S"] == orders
    assert code_of(ddb.get_item, TableName=users, Key={"k": {"S": "one"}}) == "AccessDeniedException"

    # A managed policy attached to the group applies as well, until detached.
    arn = iam.create_policy(PolicyName="GroupPut", PolicyDocument=policy(
        {"Effect": "Allow", "Action": "dynamodb:PutItem", "Resource": table_arn(orders)}))["Policy"]["Arn"]
    iam.attach_group_policy(GroupName="order-readers", PolicyArn=arn)
    ddb.put_item(TableName=orders, Item={"k": {"S": "grace"}, "v": {"S": "by group"}})
    assert ddb.get_item(TableName=orders, Key={"k": {"S": "grace"}})["Item"]["v"]["S"] == "by group"
    iam.detach_group_policy(GroupName="order-readers", PolicyArn=arn)
    assert code_of(ddb.put_item, TableName=orders, Item={"k": {"S": "x"}}) == "AccessDeniedException"

    # A group's explicit deny wins over the user's own allow.
    iam.put_user_policy(UserName="grace", PolicyName="all", PolicyDocument=policy(
        {"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"}))
    assert ddb.get_item(TableName=users, Key={"k": {"S": "one"}})["Item"]
    iam.create_group(GroupName="no-users-table")
    iam.put_group_policy(GroupName="no-users-table", PolicyName="deny", PolicyDocument=policy(
        {"Effect": "Deny", "Action": "dynamodb:*", "Resource": table_arn(users)}))
    iam.add_user_to_group(GroupName="no-users-table", UserName="grace")
    denied = error_of(ddb.get_item, TableName=users, Key={"k": {"S": "one"}})
    assert denied["Error"]["Message"].endswith("with an explicit deny in an identity-based policy")
    iam.remove_user_from_group(GroupName="no-users-table", UserName="grace")
    assert ddb.get_item(TableName=users, Key={"k": {"S": "one"}})["Item"]

    # Group calls are evaluated on the group's ARN.
    iam_as_grace = as_user(server, "iam", key)
    iam.put_user_policy(UserName="grace", PolicyName="all", PolicyDocument=policy(
        {"Effect": "Allow", "Action": "iam:GetGroup", "Resource": f"arn:aws:iam::{ACCOUNT}:group/order-*"}))
    assert iam_as_grace.get_group(GroupName="order-readers")["Group"]["GroupName"] == "order-readers"
    assert code_of(iam_as_grace.get_group, GroupName="no-users-table") == "AccessDenied"


def test_roles_round_trip_and_trust_policy_errors(server):
    iam = server.client("iam")
    iam.create_user(UserName="truster")
    trust = policy({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/truster"},
                    "Action": "sts:AssumeRole"})
    role = iam.create_role(RoleName="Auditor", Path="/ops/", AssumeRolePolicyDocument=trust,
                           Description="reads", MaxSessionDuration=7200,
                           Tags=[{"Key": "team", "Value": "blue"}])["Role"]
    assert role["Arn"] == f"arn:aws:iam::{ACCOUNT}:role/ops/Auditor"
    assert role["RoleId"].startswith("AROA") and len(role["RoleId"]) == 21
    got = iam.get_role(RoleName="auditor")["Role"]
    assert got["AssumeRolePolicyDocument"] == json.loads(trust)
    assert got["MaxSessionDuration"] == 7200 and got["Description"] == "reads"
    assert got["Tags"] == [{"Key": "team", "Value": "blue"}]
    assert [r["RoleName"] for r in iam.list_roles(PathPrefix="/ops/")["Roles"]] == ["Auditor"]
    assert code_of(iam.create_role, RoleName="AUDITOR", AssumeRolePolicyDocument=trust) == "EntityAlreadyExists"

    everyone = policy({"Effect": "Allow", "Principal": {"AWS": ACCOUNT}, "Action": "sts:AssumeRole"})
    iam.update_assume_role_policy(RoleName="Auditor", PolicyDocument=everyone)
    assert iam.get_role(RoleName="Auditor")["Role"]["AssumeRolePolicyDocument"] == json.loads(everyone)

    document = policy({"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "*"})
    iam.put_role_policy(RoleName="Auditor", PolicyName="read", PolicyDocument=document)
    assert iam.list_role_policies(RoleName="Auditor")["PolicyNames"] == ["read"]
    assert iam.get_role_policy(RoleName="Auditor", PolicyName="read")["PolicyDocument"] == json.loads(document)
    arn = iam.create_policy(PolicyName="RoleManaged", PolicyDocument=document)["Policy"]["Arn"]
    iam.attach_role_policy(RoleName="Auditor", PolicyArn=arn)
    assert iam.list_attached_role_policies(RoleName="Auditor")["AttachedPolicies"] == [
        {"PolicyName": "RoleManaged", "PolicyArn": arn}]
    assert error_of(iam.delete_role, RoleName="Auditor")["Error"]["Message"] == \
        "Cannot delete entity, must delete policies first."

    for bad, message in (
            (policy({"Effect": "Allow", "Action": "sts:AssumeRole"}), "Missing required field Principal"),
            (policy({"Effect": "Allow", "Principal": {"AWS": ACCOUNT}, "Action": "sts:AssumeRole",
                     "Resource": "*"}), "Has prohibited field Resource."),
            (policy({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/nobody"},
                     "Action": "sts:AssumeRole"}),
             f'Invalid principal in policy: "AWS":"arn:aws:iam::{ACCOUNT}:user/nobody"'),
            (policy({"Effect": "Allow", "Principal": {"AWS": "not-an-arn"}, "Action": "sts:AssumeRole"}),
             'Invalid principal in policy: "AWS":"not-an-arn"')):
        refused = error_of(iam.create_role, RoleName="BadTrust", AssumeRolePolicyDocument=bad)
        assert refused["Error"]["Code"] == "MalformedPolicyDocument", refused
        assert refused["Error"]["Message"] == message
    assert code_of(iam.update_assume_role_policy, RoleName="Auditor", PolicyDocument="{") == \
        "MalformedPolicyDocument"
    assert code_of(iam.create_role, RoleName="Big", AssumeRolePolicyDocument=policy(
        *[{"Effect": "Allow", "Principal": {"AWS": ACCOUNT}, "Action": "sts:AssumeRole", "Sid": f"s{i:03}"}
          for i in range(40)])) == "LimitExceeded"
    assert code_of(iam.get_role, RoleName="nobody") == "NoSuchEntity"
    assert code_of(iam.create_role, RoleName="Short", AssumeRolePolicyDocument=trust,
                   MaxSessionDuration=50000) == "ValidationError"

    iam.delete_role_policy(RoleName="Auditor", PolicyName="read")
    iam.detach_role_policy(RoleName="Auditor", PolicyArn=arn)
    iam.delete_role(RoleName="Auditor")
    assert code_of(iam.get_role, RoleName="Auditor") == "NoSuchEntity"


def test_principal_tags_in_conditions(server, tables):
    orders, _ = tables
    iam = server.client("iam")
    iam.create_user(UserName="tagged", Tags=[{"Key": "team", "Value": "red"}])
    iam.put_user_policy(UserName="tagged", PolicyName="team", PolicyDocument=policy(
        {"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "*",
         "Condition": {"StringEquals": {"aws:PrincipalTag/team": "blue"}}}))
    key = iam.create_access_key(UserName="tagged")["AccessKey"]
    ddb = as_user(server, "dynamodb", key)
    assert code_of(ddb.get_item, TableName=orders, Key={"k": {"S": "one"}}) == "AccessDeniedException"
    iam.tag_user(UserName="tagged", Tags=[{"Key": "Team", "Value": "blue"}])  # keys ignore case
    assert iam.list_user_tags(UserName="tagged")["Tags"] == [{"Key": "team", "Value": "blue"}]
    assert ddb.get_item(TableName=orders, Key={"k": {"S": "one"}})["Item"]
    iam.untag_user(UserName="tagged", TagKeys=["team"])
    assert iam.list_user_tags(UserName="tagged")["Tags"] == []
    assert code_of(ddb.get_item, TableName=orders, Key={"k": {"S": "one"}}) == "AccessDeniedException"


def test_unknown_condition_operators_are_refused_at_save(server):
    iam = server.client("iam")
    bad = policy({"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "*",
                  "Condition": {"StringEqualsSometimes": {"aws:username": "x"}}})
    refused = error_of(iam.create_policy, PolicyName="BadOperator", PolicyDocument=bad)
    assert refused["Error"]["Code"] == "MalformedPolicyDocument"
    assert refused["Error"]["Message"] == "Syntax errors in policy."
    assert code_of(iam.put_user_policy, UserName="dave", PolicyName="bad", PolicyDocument=bad) == \
        "MalformedPolicyDocument"
    # The set operators are known.
    good = policy({"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "*",
                   "Condition": {"ForAnyValue:StringLike": {"aws:username": "a*"},
                                 "ForAllValues:StringEquals": {"aws:RequestedRegion": "us-east-1"}}})
    iam.create_policy(PolicyName="SetOperators", PolicyDocument=good)
    assert code_of(iam.create_policy, PolicyName="x" * 129, PolicyDocument=good) == "ValidationError"


def test_simulate_principal_and_custom_policy(server, tables):
    orders, users = tables
    iam = server.client("iam")
    iam.create_user(UserName="simulated")
    iam.put_user_policy(UserName="simulated", PolicyName="p", PolicyDocument=policy(
        {"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "dynamodb:DeleteTable", "Resource": table_arn(orders)}))
    iam.create_group(GroupName="sim-group")
    iam.put_group_policy(GroupName="sim-group", PolicyName="kms", PolicyDocument=policy(
        {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*",
         "Condition": {"StringEquals": {"aws:username": "simulated"}}}))
    iam.add_user_to_group(GroupName="sim-group", UserName="simulated")
    results = iam.simulate_principal_policy(
        PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:user/simulated",
        ActionNames=["dynamodb:GetItem", "dynamodb:DeleteTable", "s3:GetObject"],
        ResourceArns=[table_arn(orders), table_arn(users)])["EvaluationResults"]
    decisions = {(r["EvalActionName"], r["EvalResourceName"]): r["EvalDecision"] for r in results}
    assert decisions == {
        ("dynamodb:GetItem", table_arn(orders)): "allowed",
        ("dynamodb:GetItem", table_arn(users)): "allowed",
        ("dynamodb:DeleteTable", table_arn(orders)): "explicitDeny",
        ("dynamodb:DeleteTable", table_arn(users)): "allowed",
        ("s3:GetObject", table_arn(orders)): "implicitDeny",
        ("s3:GetObject", table_arn(users)): "implicitDeny"}
    matched = {(r["EvalActionName"], r["EvalResourceName"]): r["MatchedStatements"] for r in results}
    assert matched[("dynamodb:DeleteTable", table_arn(orders))] == [
        {"SourcePolicyId": "p", "SourcePolicyType": "user"}]
    assert matched[("s3:GetObject", table_arn(orders))] == []
    # The group's policy, with the condition's key given as context.
    source = f"arn:aws:iam::{ACCOUNT}:user/simulated"
    unknown = iam.simulate_principal_policy(PolicySourceArn=source, ActionNames=["kms:Decrypt"])[
        "EvaluationResults"][0]
    assert unknown["EvalDecision"] == "implicitDeny" and unknown["MissingContextValues"] == ["aws:username"]
    assert iam.simulate_principal_policy(
        PolicySourceArn=source, ActionNames=["kms:Decrypt"],
        ContextEntries=[{"ContextKeyName": "aws:username", "ContextKeyValues": ["simulated"],
                         "ContextKeyType": "string"}])["EvaluationResults"][0]["MatchedStatements"] == [
        {"SourcePolicyId": "kms", "SourcePolicyType": "group"}]
    custom = iam.simulate_custom_policy(
        PolicyInputList=[policy({"Effect": "Allow", "Action": "rds:Describe*", "Resource": "*"})],
        ActionNames=["rds:DescribeDBInstances", "rds:DeleteDBInstance"])["EvaluationResults"]
    assert [r["EvalDecision"] for r in custom] == ["allowed", "implicitDeny"]
    assert custom[0]["MatchedStatements"] == [{"SourcePolicyId": "PolicyInputList.1", "SourcePolicyType": "none"}]
    assert code_of(iam.simulate_principal_policy, PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:user/nobody",
                   ActionNames=["s3:GetObject"]) == "NoSuchEntity"
    assert code_of(iam.simulate_custom_policy, PolicyInputList=["{"], ActionNames=["s3:GetObject"]) == \
        "MalformedPolicyDocument"


def test_simulate_pages_action_resource_pairs(server):
    # The pairs are the product of two lists the caller sends: answered a
    # page at a time, not all at once.
    iam = server.client("iam")
    document = policy({"Effect": "Allow", "Action": "s3:*", "Resource": "*"})
    actions = [f"s3:Action{i}" for i in range(30)]
    resources = [f"arn:aws:s3:::bucket{i}" for i in range(10)]
    first = iam.simulate_custom_policy(PolicyInputList=[document], ActionNames=actions, ResourceArns=resources)
    assert len(first["EvaluationResults"]) == 100 and first["IsTruncated"] and "Marker" in first
    seen = [(r["EvalActionName"], r["EvalResourceName"]) for r in first["EvaluationResults"]]
    page = first
    while page["IsTruncated"]:
        page = iam.simulate_custom_policy(PolicyInputList=[document], ActionNames=actions, ResourceArns=resources,
                                          MaxItems=70, Marker=page["Marker"])
        assert len(page["EvaluationResults"]) <= 70
        seen += [(r["EvalActionName"], r["EvalResourceName"]) for r in page["EvaluationResults"]]
    assert seen == [(a, r) for a in actions for r in resources]
    assert code_of(iam.simulate_custom_policy, PolicyInputList=[document], ActionNames=actions,
                   Marker="not-a-marker") == "ValidationError"


def test_streams_signed_under_their_own_name_are_still_dynamodb_actions(server):
    # The SDKs sign DynamoDB Streams as "dynamodb"; a call signed as
    # "dynamodbstreams" is evaluated as the same dynamodb: action, so a Deny
    # of dynamodb:* holds whatever name signs it.
    key = make_user(server, "streams-denied", policy({"Effect": "Allow", "Action": "*", "Resource": "*"},
                                                     {"Effect": "Deny", "Action": "dynamodb:*", "Resource": "*"}))
    assert code_of(as_user(server, "dynamodbstreams", key).list_streams) == "AccessDeniedException"
    for signing in ("dynamodb", "dynamodbstreams"):
        status, _, body = raw_http.send_signed(
            server.endpoint, signing, body=b"{}", key=key["AccessKeyId"], secret=key["SecretAccessKey"],
            region=REGION, headers={"X-Amz-Target": "DynamoDBStreams_20120810.ListStreams",
                                    "Content-Type": "application/x-amz-json-1.0"})
        assert status == 400 and b"AccessDenied" in body, (signing, status, body)
