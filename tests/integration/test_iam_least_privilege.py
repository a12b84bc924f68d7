"""IAM least privilege through boto3: the service condition keys
(dynamodb:LeadingKeys, dynamodb:Attributes, dynamodb:Select,
dynamodb:ReturnValues, rds:DatabaseEngine, rds:DatabaseClass, rds:MultiAz,
rds:StorageEncrypted, resource and request tags), permissions boundaries,
and NotPrincipal in resource and trust policies: each with a call refused
and a call allowed whose effect is read back."""
import json

import botocore.exceptions
import pytest

from conftest import REGION

ACCOUNT = "000000000000"


def error_of(call, *args, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        call(*args, **kwargs)
    return caught.value.response["Error"]


def policy(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def table_arn(name):
    return f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{name}"


@pytest.fixture(scope="module")
def server(kura_factory):
    return kura_factory()


@pytest.fixture(scope="module")
def notes(server):
    """A table keyed by owner (partition) and id (sort), with an item of
    alice's and one of bob's."""
    ddb = server.client("dynamodb")
    ddb.create_table(TableName="lp-notes",
                     KeySchema=[{"AttributeName": "owner", "KeyType": "HASH"},
                                {"AttributeName": "id", "KeyType": "RANGE"}],
                     AttributeDefinitions=[{"AttributeName": "owner", "AttributeType": "S"},
                                           {"AttributeName": "id", "AttributeType": "N"}],
                     BillingMode="PAY_PER_REQUEST")
    for owner in ("alice", "bob"):
        ddb.put_item(TableName="lp-notes", Item={"owner": {"S": owner}, "id": {"N": "1"},
                                                 "body": {"S": f"{owner}'s note"}, "secret": {"S": "x"}})
    return "lp-notes"


def make_user(server, name, *documents, boundary=None):
    iam = server.client("iam")
    extra = {"PermissionsBoundary": boundary} if boundary else {}
    iam.create_user(UserName=name, **extra)
    for index, document in enumerate(documents):
        iam.put_user_policy(UserName=name, PolicyName=f"p{index}", PolicyDocument=document)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return key


def as_user(server, service, key):
    return server.client(service, key=key["AccessKeyId"], secret=key["SecretAccessKey"])


def key_of(owner):
    return {"owner": {"S": owner}, "id": {"N": "1"}}


def test_leading_keys_limit_a_user_to_its_own_items(server, notes):
    key = make_user(server, "alice", policy({
        "Effect": "Allow",
        "Action": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:BatchGetItem",
                   "dynamodb:BatchWriteItem", "dynamodb:DeleteItem", "dynamodb:UpdateItem"],
        "Resource": table_arn(notes),
        "Condition": {"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["${aws:username}"]}}}))
    ddb = as_user(server, "dynamodb", key)
    assert ddb.get_item(TableName=notes, Key=key_of("alice"))["Item"]["body"]["S"] == "alice's note"
    denied = error_of(ddb.get_item, TableName=notes, Key=key_of("bob"))
    assert denied["Code"] == "AccessDeniedException"
    assert "dynamodb:GetItem" in denied["Message"] and "because no identity-based policy allows" in denied["Message"]
    ddb.put_item(TableName=notes, Item={"owner": {"S": "alice"}, "id": {"N": "2"}, "body": {"S": "new"}})
    assert error_of(ddb.put_item, TableName=notes,
                    Item={"owner": {"S": "bob"}, "id": {"N": "2"}, "body": {"S": "forged"}})["Code"] == \
        "AccessDeniedException"
    root = server.client("dynamodb")
    assert "Item" not in root.get_item(TableName=notes, Key={"owner": {"S": "bob"}, "id": {"N": "2"}})
    assert root.get_item(TableName=notes, Key={"owner": {"S": "alice"}, "id": {"N": "2"}})["Item"]["body"]["S"] == "new"
    # The key condition of a Query names the partition.
    found = ddb.query(TableName=notes, KeyConditionExpression="#o = :o",
                      ExpressionAttributeNames={"#o": "owner"}, ExpressionAttributeValues={":o": {"S": "alice"}})
    assert found["Count"] == 2
    assert error_of(ddb.query, TableName=notes, KeyConditionExpression="#o = :o",
                    ExpressionAttributeNames={"#o": "owner"},
                    ExpressionAttributeValues={":o": {"S": "bob"}})["Code"] == "AccessDeniedException"
    # Several keys: every one must be allowed (ForAllValues).
    assert error_of(ddb.batch_get_item, RequestItems={notes: {"Keys": [key_of("alice"), key_of("bob")]}})[
        "Code"] == "AccessDeniedException"
    got = ddb.batch_get_item(RequestItems={notes: {"Keys": [key_of("alice")]}})["Responses"][notes]
    assert [item["owner"]["S"] for item in got] == ["alice"]
    refused = error_of(ddb.transact_write_items, TransactItems=[
        {"Put": {"TableName": notes, "Item": {"owner": {"S": "alice"}, "id": {"N": "3"}}}},
        {"Delete": {"TableName": notes, "Key": key_of("bob")}}])
    # Each item on its own keys: alice's Put passes, bob's Delete does not.
    assert refused["Code"] == "AccessDeniedException" and "dynamodb:DeleteItem" in refused["Message"], refused
    assert "Item" in root.get_item(TableName=notes, Key=key_of("bob"))  # nothing of the refused transaction ran
    assert "Item" not in root.get_item(TableName=notes, Key={"owner": {"S": "alice"}, "id": {"N": "3"}})


def test_attributes_select_and_return_values(server, notes):
    key = make_user(server, "reader", policy(
        {"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem"],
         "Resource": table_arn(notes),
         "Condition": {"ForAllValues:StringEquals": {"dynamodb:Attributes": ["owner", "id", "body"]},
                       "StringEqualsIfExists": {"dynamodb:Select": "SPECIFIC_ATTRIBUTES"}}},
        {"Effect": "Deny", "Action": "dynamodb:PutItem", "Resource": table_arn(notes),
         "Condition": {"StringEquals": {"dynamodb:ReturnValues": "ALL_OLD"}}}))
    ddb = as_user(server, "dynamodb", key)
    got = ddb.get_item(TableName=notes, Key=key_of("bob"), ProjectionExpression="body")["Item"]
    assert got == {"body": {"S": "bob's note"}}
    assert error_of(ddb.get_item, TableName=notes, Key=key_of("bob"),
                    ProjectionExpression="body, secret")["Code"] == "AccessDeniedException"
    condition = {"KeyConditionExpression": "#o = :o", "ExpressionAttributeNames": {"#o": "owner"},
                 "ExpressionAttributeValues": {":o": {"S": "bob"}}}
    # A Query without a projection reads every attribute: Select is ALL_ATTRIBUTES.
    assert error_of(ddb.query, TableName=notes, **condition)["Code"] == "AccessDeniedException"
    items = ddb.query(TableName=notes, ProjectionExpression="id, body", **condition)["Items"]
    assert items == [{"id": {"N": "1"}, "body": {"S": "bob's note"}}]
    item = {"owner": {"S": "carol"}, "id": {"N": "1"}, "body": {"S": "hi"}}
    assert error_of(ddb.put_item, TableName=notes, Item=item, ReturnValues="ALL_OLD")["Code"] == \
        "AccessDeniedException"
    assert error_of(ddb.put_item, TableName=notes, Item=dict(item, secret={"S": "no"}))["Code"] == \
        "AccessDeniedException"
    ddb.put_item(TableName=notes, Item=item)
    assert server.client("dynamodb").get_item(TableName=notes, Key=key_of("carol"))["Item"] == item


def test_resource_and_request_tags(server, notes):
    ddb = server.client("dynamodb")
    for name, team in (("lp-blue", "blue"), ("lp-red", "red")):
        ddb.create_table(TableName=name, KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                         BillingMode="PAY_PER_REQUEST", Tags=[{"Key": "team", "Value": team}])
        ddb.put_item(TableName=name, Item={"k": {"S": "1"}, "team": {"S": team}})
    key = make_user(server, "bluey", policy(
        {"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:TagResource", "dynamodb:ListTagsOfResource"],
         "Resource": "*", "Condition": {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}},
        {"Effect": "Deny", "Action": "dynamodb:TagResource", "Resource": "*",
         "Condition": {"ForAnyValue:StringNotEquals": {"aws:TagKeys": ["team", "stage"]}}},
        {"Effect": "Deny", "Action": "dynamodb:TagResource", "Resource": "*",
         "Condition": {"StringNotEquals": {"aws:RequestTag/team": "${aws:PrincipalTag/team}"},
                       "Null": {"aws:RequestTag/team": "false"}}}))
    server.client("iam").tag_user(UserName="bluey", Tags=[{"Key": "team", "Value": "blue"}])
    mine = as_user(server, "dynamodb", key)
    assert mine.get_item(TableName="lp-blue", Key={"k": {"S": "1"}})["Item"]["team"]["S"] == "blue"
    assert error_of(mine.get_item, TableName="lp-red", Key={"k": {"S": "1"}})["Code"] == "AccessDeniedException"
    # Only the tag keys allowed, and team only as the user's own.
    assert error_of(mine.tag_resource, ResourceArn=table_arn("lp-blue"),
                    Tags=[{"Key": "cost", "Value": "1"}])["Code"] == "AccessDeniedException"
    assert error_of(mine.tag_resource, ResourceArn=table_arn("lp-blue"),
                    Tags=[{"Key": "team", "Value": "red"}])["Code"] == "AccessDeniedException"
    mine.tag_resource(ResourceArn=table_arn("lp-blue"), Tags=[{"Key": "stage", "Value": "prod"}])
    tags = {t["Key"]: t["Value"] for t in mine.list_tags_of_resource(ResourceArn=table_arn("lp-blue"))["Tags"]}
    assert tags == {"team": "blue", "stage": "prod"}
    # Retagging the red table blue makes it the user's: tags are read per call.
    ddb.tag_resource(ResourceArn=table_arn("lp-red"), Tags=[{"Key": "team", "Value": "blue"}])
    assert mine.get_item(TableName="lp-red", Key={"k": {"S": "1"}})["Item"]["team"]["S"] == "red"


def test_rds_creation_keys_and_resource_type_tags(server):
    rds = server.client("rds")
    key = make_user(server, "dba", policy(
        {"Effect": "Allow", "Action": "rds:CreateDBInstance", "Resource": "*",
         "Condition": {"StringEquals": {"rds:DatabaseEngine": "postgres"}, "Bool": {"rds:MultiAz": "false"}}},
        {"Effect": "Allow", "Action": "rds:DeleteDBInstance", "Resource": "*"},
        {"Effect": "Deny", "Action": "rds:CreateDBInstance", "Resource": "*",
         "Condition": {"StringLike": {"rds:DatabaseClass": "db.r*"}}},
        {"Effect": "Deny", "Action": "rds:CreateDBInstance", "Resource": "*",
         "Condition": {"Bool": {"rds:StorageEncrypted": "false"}}},
        {"Effect": "Allow", "Action": "rds:DescribeDBParameters", "Resource": "*",
         "Condition": {"StringEquals": {"rds:pg-tag/team": "blue"}}}))
    dba = as_user(server, "rds", key)
    base = {"DBInstanceIdentifier": "lp-db", "Engine": "postgres", "DBInstanceClass": "db.t3.micro",
            "MasterUsername": "master", "MasterUserPassword": "secret-password-1", "AllocatedStorage": 20,
            "StorageEncrypted": True}
    for refused in ({"Engine": "mysql"}, {"MultiAZ": True}, {"DBInstanceClass": "db.r5.large"},
                    {"StorageEncrypted": False}):
        denied = error_of(dba.create_db_instance, **dict(base, **refused))
        assert denied["Code"] == "AccessDenied", refused
    assert rds.describe_db_instances()["DBInstances"] == []
    created = dba.create_db_instance(**base)["DBInstance"]
    assert created["Engine"] == "postgres" and created["StorageEncrypted"] is True
    assert [i["DBInstanceIdentifier"] for i in rds.describe_db_instances()["DBInstances"]] == ["lp-db"]
    dba.delete_db_instance(DBInstanceIdentifier="lp-db", SkipFinalSnapshot=True)

    for name, team in (("lp-blue-pg", "blue"), ("lp-red-pg", "red")):
        rds.create_db_parameter_group(DBParameterGroupName=name, DBParameterGroupFamily="postgres15",
                                      Description=name, Tags=[{"Key": "team", "Value": team}])
    assert dba.describe_db_parameters(DBParameterGroupName="lp-blue-pg")["Parameters"]
    assert error_of(dba.describe_db_parameters, DBParameterGroupName="lp-red-pg")["Code"] == "AccessDenied"


def test_permissions_boundary_limits_a_user(server, notes):
    iam = server.client("iam")
    only_reads = iam.create_policy(PolicyName="lp-reads", PolicyDocument=policy(
        {"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:PutItem"], "Resource": "*"},
        {"Effect": "Deny", "Action": "dynamodb:PutItem", "Resource": "*",
         "Condition": {"StringEquals": {"dynamodb:ReturnValues": "ALL_OLD"}}}))["Policy"]["Arn"]
    admin = policy({"Effect": "Allow", "Action": "*", "Resource": "*"})
    key = make_user(server, "bounded", admin, boundary=only_reads)
    shown = iam.get_user(UserName="bounded")["User"]["PermissionsBoundary"]
    assert shown == {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": only_reads}
    ddb = as_user(server, "dynamodb", key)
    assert ddb.get_item(TableName=notes, Key=key_of("bob"))["Item"]["owner"]["S"] == "bob"
    denied = error_of(ddb.delete_item, TableName=notes, Key=key_of("bob"))
    assert denied["Code"] == "AccessDeniedException"
    assert denied["Message"].endswith("because no permissions boundary allows the dynamodb:DeleteItem action")
    denied = error_of(ddb.put_item, TableName=notes, Item=key_of("dave"), ReturnValues="ALL_OLD")
    assert denied["Message"].endswith("with an explicit deny in a permissions boundary")
    ddb.put_item(TableName=notes, Item=dict(key_of("dave"), body={"S": "in bounds"}))
    # The simulator honours it.
    result = iam.simulate_principal_policy(PolicySourceArn=f"arn:aws:iam::{ACCOUNT}:user/bounded",
                                           ActionNames=["dynamodb:GetItem", "dynamodb:DeleteItem"])
    decisions = {r["EvalActionName"]: r for r in result["EvaluationResults"]}
    assert decisions["dynamodb:GetItem"]["EvalDecision"] == "allowed"
    assert decisions["dynamodb:DeleteItem"]["EvalDecision"] == "implicitDeny"
    assert decisions["dynamodb:DeleteItem"]["PermissionsBoundaryDecisionDetail"] == \
        {"AllowedByPermissionsBoundary": False}
    # Without its boundary the user may do what its policies allow.
    iam.delete_user_permissions_boundary(UserName="bounded")
    assert "PermissionsBoundary" not in iam.get_user(UserName="bounded")["User"]
    ddb.delete_item(TableName=notes, Key=key_of("dave"))
    assert "Item" not in server.client("dynamodb").get_item(TableName=notes, Key=key_of("dave"))
    iam.put_user_permissions_boundary(UserName="bounded", PermissionsBoundary=only_reads)
    assert error_of(ddb.delete_item, TableName=notes, Key=key_of("bob"))["Code"] == "AccessDeniedException"
    missing = error_of(iam.put_user_permissions_boundary, UserName="bounded",
                       PermissionsBoundary=f"arn:aws:iam::{ACCOUNT}:policy/none")
    assert missing["Code"] == "NoSuchEntity"


def test_permissions_boundary_limits_a_roles_sessions(server, notes):
    iam = server.client("iam")
    bound = iam.create_policy(PolicyName="lp-get-only", PolicyDocument=policy(
        {"Effect": "Allow", "Action": ["dynamodb:GetItem", "sts:GetCallerIdentity"], "Resource": "*"}))["Policy"]["Arn"]
    caller = make_user(server, "assumer", policy({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}))
    trust = policy({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/assumer"},
                    "Action": "sts:AssumeRole"})
    role = iam.create_role(RoleName="lp-worker", AssumeRolePolicyDocument=trust, PermissionsBoundary=bound)["Role"]
    iam.put_role_policy(RoleName="lp-worker", PolicyName="all",
                        PolicyDocument=policy({"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"}))
    assert iam.get_role(RoleName="lp-worker")["Role"]["PermissionsBoundary"]["PermissionsBoundaryArn"] == bound
    credentials = as_user(server, "sts", caller).assume_role(RoleArn=role["Arn"], RoleSessionName="lp-session")["Credentials"]
    session = server.client("dynamodb", key=credentials["AccessKeyId"], secret=credentials["SecretAccessKey"],
                            aws_session_token=credentials["SessionToken"])
    assert session.get_item(TableName=notes, Key=key_of("bob"))["Item"]["owner"]["S"] == "bob"
    assert error_of(session.delete_item, TableName=notes, Key=key_of("bob"))["Code"] == "AccessDeniedException"
    iam.delete_role_permissions_boundary(RoleName="lp-worker")
    session.put_item(TableName=notes, Item=dict(key_of("erin"), body={"S": "unbounded"}))
    assert server.client("dynamodb").get_item(TableName=notes, Key=key_of("erin"))["Item"]["body"]["S"] == "unbounded"


def test_not_principal_in_a_secrets_policy_and_trust_policies(server):
    sm = server.client("secretsmanager")
    arn = sm.create_secret(Name="lp/db", SecretString="s3cret")["ARN"]
    read = policy({"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "*"})
    owner = make_user(server, "owner", read)
    other = make_user(server, "other", read)
    owner_arn = f"arn:aws:iam::{ACCOUNT}:user/owner"
    # Named without the account, the owner is not left out (AWS checks the account first).
    sm.put_resource_policy(SecretId=arn, ResourcePolicy=policy({
        "Effect": "Deny", "NotPrincipal": {"AWS": [owner_arn]},
        "Action": "secretsmanager:GetSecretValue", "Resource": "*"}))
    assert error_of(as_user(server, "secretsmanager", owner).get_secret_value, SecretId=arn)["Code"] == \
        "AccessDeniedException"
    sm.put_resource_policy(SecretId=arn, ResourcePolicy=policy({
        "Effect": "Deny", "NotPrincipal": {"AWS": [owner_arn, f"arn:aws:iam::{ACCOUNT}:root"]},
        "Action": "secretsmanager:GetSecretValue", "Resource": "*"}))
    assert as_user(server, "secretsmanager", owner).get_secret_value(SecretId=arn)["SecretString"] == "s3cret"
    denied = error_of(as_user(server, "secretsmanager", other).get_secret_value, SecretId=arn)
    assert denied["Code"] == "AccessDeniedException" and "explicit deny in a resource-based policy" in denied["Message"]
    # IAM refuses NotPrincipal in a trust policy.
    trust = policy({"Effect": "Allow", "NotPrincipal": {"AWS": owner_arn}, "Action": "sts:AssumeRole"})
    refused = error_of(server.client("iam").create_role, RoleName="lp-np", AssumeRolePolicyDocument=trust)
    assert refused["Code"] == "MalformedPolicyDocument"


def test_not_principal_in_a_key_policy(server):
    """A key policy that denies everyone but one user (named with its
    account) and delegates the rest to IAM: that user encrypts, another
    allowed by its own policies is refused, and a user with a permissions
    boundary is never left out."""
    kms = server.client("kms")
    use = policy({"Effect": "Allow", "Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": "*"})
    keeper = make_user(server, "keeper", use)
    stranger = make_user(server, "stranger", use)
    boundary = server.client("iam").create_policy(PolicyName="lp-kms-all", PolicyDocument=policy(
        {"Effect": "Allow", "Action": "kms:*", "Resource": "*"}))["Policy"]["Arn"]
    bounded = make_user(server, "keeper-bounded", use, boundary=boundary)
    root = f"arn:aws:iam::{ACCOUNT}:root"
    key_id = kms.create_key(Policy=policy(
        {"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": root},
         "Action": "kms:*", "Resource": "*"},
        {"Effect": "Deny", "NotPrincipal": {"AWS": [root, f"arn:aws:iam::{ACCOUNT}:user/keeper",
                                                    f"arn:aws:iam::{ACCOUNT}:user/keeper-bounded"]},
         "Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": "*"}))["KeyMetadata"]["KeyId"]
    mine = as_user(server, "kms", keeper)
    blob = mine.encrypt(KeyId=key_id, Plaintext=b"kept")["CiphertextBlob"]
    assert mine.decrypt(CiphertextBlob=blob)["Plaintext"] == b"kept"
    denied = error_of(as_user(server, "kms", stranger).decrypt, CiphertextBlob=blob)
    assert denied["Code"] == "AccessDeniedException"
    assert "explicit deny in a resource-based policy" in denied["Message"]
    assert error_of(as_user(server, "kms", bounded).encrypt, KeyId=key_id, Plaintext=b"x")["Code"] == \
        "AccessDeniedException"


def test_kms_keys_by_their_tags(server):
    kms = server.client("kms")
    blue = kms.create_key(Tags=[{"TagKey": "team", "TagValue": "blue"}])["KeyMetadata"]["KeyId"]
    red = kms.create_key(Tags=[{"TagKey": "team", "TagValue": "red"}])["KeyMetadata"]["KeyId"]
    key = make_user(server, "kms-blue", policy({
        "Effect": "Allow", "Action": ["kms:Encrypt", "kms:TagResource"], "Resource": "*",
        "Condition": {"StringEquals": {"aws:ResourceTag/team": "blue"}}}))
    mine = as_user(server, "kms", key)
    blob = mine.encrypt(KeyId=blue, Plaintext=b"blue")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"blue"
    assert error_of(mine.encrypt, KeyId=red, Plaintext=b"red")["Code"] == "AccessDeniedException"
    kms.tag_resource(KeyId=red, Tags=[{"TagKey": "team", "TagValue": "blue"}])
    mine.encrypt(KeyId=red, Plaintext=b"now blue")


def test_a_delegated_administrator_manages_bounded_users_only(server):
    """iam:PermissionsBoundary: an administrator may create users only with
    its boundary, and attach policies only to users that have it."""
    iam = server.client("iam")
    bound = iam.create_policy(PolicyName="lp-delegate-bound", PolicyDocument=policy(
        {"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "*"}))["Policy"]["Arn"]
    reads = iam.create_policy(PolicyName="lp-delegate-reads", PolicyDocument=policy(
        {"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"}))["Policy"]["Arn"]
    iam.create_user(UserName="lp-unbounded")
    key = make_user(server, "lp-delegate", policy(
        {"Effect": "Allow", "Action": ["iam:CreateUser", "iam:AttachUserPolicy"], "Resource": "*",
         "Condition": {"StringEquals": {"iam:PermissionsBoundary": bound}}}))
    admin = as_user(server, "iam", key)
    assert error_of(admin.create_user, UserName="lp-free")["Code"] == "AccessDenied"
    admin.create_user(UserName="lp-bounded", PermissionsBoundary=bound)
    assert iam.get_user(UserName="lp-bounded")["User"]["PermissionsBoundary"]["PermissionsBoundaryArn"] == bound
    admin.attach_user_policy(UserName="lp-bounded", PolicyArn=reads)
    assert [p["PolicyArn"] for p in iam.list_attached_user_policies(UserName="lp-bounded")["AttachedPolicies"]] == \
        [reads]
    assert error_of(admin.attach_user_policy, UserName="lp-unbounded", PolicyArn=reads)["Code"] == "AccessDenied"
    assert iam.list_attached_user_policies(UserName="lp-unbounded")["AttachedPolicies"] == []


def test_the_simulator_takes_lists_and_boundaries(server):
    iam = server.client("iam")
    own = policy({"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*",
                  "Condition": {"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["a", "b"]}}})

    def decide(values, **extra):
        result = iam.simulate_custom_policy(
            PolicyInputList=[own], ActionNames=["dynamodb:GetItem"],
            ContextEntries=[{"ContextKeyName": "dynamodb:LeadingKeys", "ContextKeyValues": values,
                             "ContextKeyType": "stringList"}], **extra)["EvaluationResults"][0]
        return result["EvalDecision"], result.get("PermissionsBoundaryDecisionDetail")

    assert decide(["a", "b"]) == ("allowed", None)
    assert decide(["a", "c"]) == ("implicitDeny", None)
    only_puts = policy({"Effect": "Allow", "Action": "dynamodb:PutItem", "Resource": "*"})
    assert decide(["a"], PermissionsBoundaryPolicyInputList=[only_puts]) == \
        ("implicitDeny", {"AllowedByPermissionsBoundary": False})


def test_elasticache_creation_keys(server):
    """Replication groups only encrypted at rest and in transit, on small nodes."""
    ec = server.client("elasticache")
    key = make_user(server, "cacher", policy(
        {"Effect": "Allow", "Action": "elasticache:CreateReplicationGroup", "Resource": "*"},
        {"Effect": "Deny", "Action": "elasticache:CreateReplicationGroup", "Resource": "*",
         "Condition": {"Bool": {"elasticache:AtRestEncryptionEnabled": "false"}}},
        {"Effect": "Deny", "Action": "elasticache:CreateReplicationGroup", "Resource": "*",
         "Condition": {"Bool": {"elasticache:TransitEncryptionEnabled": "false"}}},
        {"Effect": "Deny", "Action": "elasticache:CreateReplicationGroup", "Resource": "*",
         "Condition": {"StringNotLike": {"elasticache:CacheNodeType": "cache.t3.*"}}}))
    mine = as_user(server, "elasticache", key)
    base = {"ReplicationGroupId": "lp-cache", "ReplicationGroupDescription": "least privilege",
            "CacheNodeType": "cache.t3.micro", "NumCacheClusters": 1, "AtRestEncryptionEnabled": True,
            "TransitEncryptionEnabled": True}
    for refused in ({"AtRestEncryptionEnabled": False}, {"TransitEncryptionEnabled": False},
                    {"CacheNodeType": "cache.r6g.large"}):
        assert error_of(mine.create_replication_group, **dict(base, **refused))["Code"] == "AccessDenied", refused
    unencrypted = dict(base)
    del unencrypted["AtRestEncryptionEnabled"]  # absent: false, as ElastiCache takes it
    assert error_of(mine.create_replication_group, **unencrypted)["Code"] == "AccessDenied"
    assert ec.describe_replication_groups()["ReplicationGroups"] == []
    created = mine.create_replication_group(**base)["ReplicationGroup"]
    assert created["AtRestEncryptionEnabled"] is True and created["TransitEncryptionEnabled"] is True
    assert [g["ReplicationGroupId"] for g in ec.describe_replication_groups()["ReplicationGroups"]] == ["lp-cache"]
