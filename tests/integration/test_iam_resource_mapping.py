"""Each call is authorized on every resource it acts on, as AWS authorizes
it: a restore on its source, an alias move on the key the alias leaves, a
list of alarms on each alarm, an identifier in any case on the resource it
names, an RDS master user secret on its KMS key. A Deny on the resource
holds in each case (a review found each one getting past it), and the
same call on a resource the user may use works."""
import json

import botocore.exceptions
import pytest

from conftest import REGION
from model_overlay import newer_client
from raw_http import ddb_headers, send_signed

ACCOUNT = "000000000000"


def policy(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def denied(call, *args, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        call(*args, **kwargs)
    error = caught.value.response["Error"]
    assert error["Code"] in ("AccessDenied", "AccessDeniedException"), error
    return error


@pytest.fixture(scope="module")
def server(kura_factory):
    return kura_factory()


def user(server, name, *statements):
    iam = server.client("iam")
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=policy(*statements))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    def client(service, newer=False):
        if newer:  # a model newer than Debian's botocore (ManageMasterUserPassword)
            return newer_client(server, service, key=key["AccessKeyId"], secret=key["SecretAccessKey"])
        return server.client(service, key=key["AccessKeyId"], secret=key["SecretAccessKey"])
    return client


def make_table(ddb, name, value=None):
    """A table keyed by k, with item k=1 holding `value` when given."""
    ddb.create_table(TableName=name, KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST")
    if value is not None:
        ddb.put_item(TableName=name, Item={"k": {"S": "1"}, "v": {"S": value}})


def test_a_restore_is_authorized_on_its_source(server):
    ddb = server.client("dynamodb")
    for name in ("rm-secret", "rm-open"):
        make_table(ddb, name, f"{name} data")
        ddb.update_continuous_backups(TableName=name,
                                      PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    secret_backup = ddb.create_backup(TableName="rm-secret", BackupName="before")["BackupDetails"]["BackupArn"]
    open_backup = ddb.create_backup(TableName="rm-open", BackupName="before")["BackupDetails"]["BackupArn"]
    secret = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/rm-secret"
    client = user(server, "rm-ddb",
                  {"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"},
                  {"Effect": "Deny", "Action": "dynamodb:*", "Resource": [secret, secret + "/*"]})("dynamodb")
    denied(client.scan, TableName="rm-secret")
    denied(client.restore_table_from_backup, TargetTableName="rm-stolen", BackupArn=secret_backup)
    denied(client.restore_table_to_point_in_time, SourceTableName="rm-secret", TargetTableName="rm-stolen2",
           UseLatestRestorableTime=True)
    denied(client.delete_backup, BackupArn=secret_backup)
    names = ddb.list_tables()["TableNames"]
    assert "rm-stolen" not in names and "rm-stolen2" not in names
    # The same restores of a table the user may read work.
    client.restore_table_from_backup(TargetTableName="rm-copy", BackupArn=open_backup)
    assert "rm-copy" in ddb.list_tables()["TableNames"]


def test_an_alias_moves_only_with_the_leave_of_the_key_it_names(server):
    kms = server.client("kms")
    victim = kms.create_key(Description="victim")["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/rm-app", TargetKeyId=victim)
    client = user(server, "rm-alias",
                  {"Effect": "Allow", "Action": ["kms:CreateKey", "kms:UpdateAlias", "kms:CreateAlias",
                                                 "kms:Encrypt", "kms:Decrypt", "kms:DescribeKey"], "Resource": "*"},
                  {"Effect": "Deny", "Action": "kms:*",
                   "Resource": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{victim}"})("kms")
    own = client.create_key(Description="the user's")["KeyMetadata"]["KeyId"]
    denied(client.update_alias, AliasName="alias/rm-app", TargetKeyId=own)
    target = [a for a in kms.list_aliases()["Aliases"] if a["AliasName"] == "alias/rm-app"][0]["TargetKeyId"]
    assert target == victim
    # An alias of its own key it may move.
    client.create_alias(AliasName="alias/rm-mine", TargetKeyId=own)
    second = client.create_key(Description="the user's second")["KeyMetadata"]["KeyId"]
    client.update_alias(AliasName="alias/rm-mine", TargetKeyId=second)


def test_identifiers_in_any_case_name_the_resource_a_deny_protects(server):
    rds = server.client("rds")
    rds.create_db_parameter_group(DBParameterGroupName="rm-protected", DBParameterGroupFamily="postgres15",
                                  Description="protected")
    ec = server.client("elasticache")
    ec.create_cache_parameter_group(CacheParameterGroupName="rm-protected-cpg", CacheParameterGroupFamily="redis7",
                                    Description="protected")
    make = user(server, "rm-case",
                {"Effect": "Allow", "Action": ["rds:*", "elasticache:*"], "Resource": "*"},
                {"Effect": "Deny", "Action": "rds:*",
                 "Resource": f"arn:aws:rds:{REGION}:{ACCOUNT}:pg:rm-protected"},
                {"Effect": "Deny", "Action": "elasticache:*",
                 "Resource": f"arn:aws:elasticache:{REGION}:{ACCOUNT}:parametergroup:rm-protected-cpg"})
    for name in ("rm-protected", "RM-PROTECTED", "Rm-Protected"):
        denied(make("rds").delete_db_parameter_group, DBParameterGroupName=name)
    denied(make("elasticache").delete_cache_parameter_group, CacheParameterGroupName="RM-PROTECTED-CPG")
    assert rds.describe_db_parameter_groups(DBParameterGroupName="rm-protected")["DBParameterGroups"]
    assert ec.describe_cache_parameter_groups(CacheParameterGroupName="rm-protected-cpg")["CacheParameterGroups"]
    # A group it may change, named in capitals, is still the same group.
    rds.create_db_parameter_group(DBParameterGroupName="rm-free", DBParameterGroupFamily="postgres15",
                                  Description="free")
    make("rds").delete_db_parameter_group(DBParameterGroupName="RM-FREE")
    names = [g["DBParameterGroupName"] for g in rds.describe_db_parameter_groups()["DBParameterGroups"]]
    assert "rm-free" not in names


def test_a_list_of_alarms_is_authorized_on_each_alarm(server):
    cw = server.client("cloudwatch")
    for name in ("rm-prod-alarm", "rm-dev-alarm"):
        cw.put_metric_alarm(AlarmName=name, MetricName="CPUUtilization", Namespace="AWS/RDS", Statistic="Average",
                            Period=60, EvaluationPeriods=1, Threshold=90, ComparisonOperator="GreaterThanThreshold")
    client = user(server, "rm-alarms",
                  {"Effect": "Allow", "Action": "cloudwatch:*", "Resource": "*"},
                  {"Effect": "Deny", "Action": "cloudwatch:*",
                   "Resource": f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:rm-prod-alarm"})("cloudwatch")
    denied(client.delete_alarms, AlarmNames=["rm-dev-alarm", "rm-prod-alarm"])
    denied(client.disable_alarm_actions, AlarmNames=["rm-prod-alarm"])
    names = [a["AlarmName"] for a in cw.describe_alarms()["MetricAlarms"]]
    assert "rm-prod-alarm" in names and "rm-dev-alarm" in names
    client.delete_alarms(AlarmNames=["rm-dev-alarm"])
    names = [a["AlarmName"] for a in cw.describe_alarms()["MetricAlarms"]]
    assert "rm-dev-alarm" not in names


def test_an_rds_master_user_secret_is_sealed_only_under_a_key_the_caller_may_use(server):
    kms = server.client("kms")
    key = kms.create_key(Description="not the caller's")["KeyMetadata"]["KeyId"]
    client = user(server, "rm-secret-key",
                  {"Effect": "Allow", "Action": ["rds:*", "kms:*", "secretsmanager:*"], "Resource": "*"},
                  {"Effect": "Deny", "Action": "kms:*",
                   "Resource": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{key}"})("rds", newer=True)
    # Refused before anything is made: no parameter group of that name
    # exists, and the answer is the key's refusal, not the group's.
    denied(client.create_db_instance, DBInstanceIdentifier="rm-db", Engine="postgres",
           DBInstanceClass="db.t3.micro", MasterUsername="admin", ManageMasterUserPassword=True,
           MasterUserSecretKmsKeyId=key, AllocatedStorage=20, DBParameterGroupName="rm-no-such-group")
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        client.create_db_instance(DBInstanceIdentifier="rm-db", Engine="postgres", DBInstanceClass="db.t3.micro",
                                  MasterUsername="admin", ManageMasterUserPassword=True, AllocatedStorage=20,
                                  DBParameterGroupName="rm-no-such-group")
    assert caught.value.response["Error"]["Code"] == "DBParameterGroupNotFound"


def test_partiql_statements_are_authorized_on_their_tables(server):
    ddb = server.client("dynamodb")
    for name in ("rm-pq-secret", "rm-pq-open"):
        make_table(ddb, name, f"{name} data")
    secret = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/rm-pq-secret"
    client = user(server, "rm-pq",
                  {"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"},
                  {"Effect": "Deny", "Action": "dynamodb:*", "Resource": [secret, secret + "/*"]})("dynamodb")
    denied(client.execute_statement, Statement='SELECT * FROM "rm-pq-secret"')
    denied(client.execute_statement, Statement="UPDATE \"rm-pq-secret\" SET v = 'x' WHERE k = '1'")
    denied(client.execute_statement, Statement="DELETE FROM \"rm-pq-secret\" WHERE k = '1'")
    denied(client.batch_execute_statement, Statements=[{"Statement": 'SELECT * FROM "rm-pq-open" WHERE k = \'1\''},
                                                       {"Statement": 'SELECT * FROM "rm-pq-secret" WHERE k = \'1\''}])
    denied(client.execute_transaction,
           TransactStatements=[{"Statement": "UPDATE \"rm-pq-secret\" SET v = 'x' WHERE k = '1'"}])
    item = ddb.get_item(TableName="rm-pq-secret", Key={"k": {"S": "1"}})["Item"]
    assert item["v"]["S"] == "rm-pq-secret data"
    assert client.execute_statement(Statement='SELECT * FROM "rm-pq-open"')["Items"]
    # A policy in PartiQL's own actions, as AWS writes them, allows just those.
    reader = user(server, "rm-pq-reader",
                  {"Effect": "Allow", "Action": "dynamodb:PartiQLSelect",
                   "Resource": f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/rm-pq-open"})("dynamodb")
    assert reader.execute_statement(Statement='SELECT * FROM "rm-pq-open"')["Items"]
    denied(reader.execute_statement, Statement="UPDATE \"rm-pq-open\" SET v = 'x' WHERE k = '1'")
    denied(reader.execute_statement, Statement='SELECT * FROM "rm-pq-secret"')


def keys_of(server, name, *statements, tags=None):
    iam = server.client("iam")
    iam.create_user(UserName=name, **({"Tags": tags} if tags else {}))
    iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=policy(*statements))
    return iam.create_access_key(UserName=name)["AccessKey"]


def sts_as(server, key):
    return server.client("sts", key=key["AccessKeyId"], secret=key["SecretAccessKey"])


def test_session_tags_need_sts_tag_session_of_the_role_and_the_caller(server):
    iam = server.client("iam")
    ddb = server.client("dynamodb")
    for name in ("blue-data", "red-data"):
        make_table(ddb, name)
    caller = f"arn:aws:iam::{ACCOUNT}:user/rm-tagger"
    role = f"arn:aws:iam::{ACCOUNT}:role/rm-abac"
    key = keys_of(server, "rm-tagger", {"Effect": "Allow", "Action": ["sts:AssumeRole", "sts:TagSession"],
                                        "Resource": role})
    untagger = keys_of(server, "rm-untagger", {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": role})
    trust = lambda *actions: policy({"Effect": "Allow", "Principal": {"AWS": caller}, "Action": list(actions)})
    role = iam.create_role(RoleName="rm-abac", AssumeRolePolicyDocument=trust("sts:AssumeRole"),
                           Tags=[{"Key": "team", "Value": "blue"}])["Role"]["Arn"]
    iam.put_role_policy(RoleName="rm-abac", PolicyName="p", PolicyDocument=policy(
        {"Effect": "Allow", "Action": "dynamodb:Scan",
         "Resource": f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/${{aws:PrincipalTag/team}}-*"}))
    sts = sts_as(server, key)
    red = [{"Key": "team", "Value": "red"}]
    # The role's trust policy does not admit session tags: refused.
    denied(sts.assume_role, RoleArn=role, RoleSessionName="sess", Tags=red)
    plain = sts.assume_role(RoleArn=role, RoleSessionName="sess")["Credentials"]
    session = server.client("dynamodb", key=plain["AccessKeyId"], secret=plain["SecretAccessKey"],
                            aws_session_token=plain["SessionToken"])
    session.scan(TableName="blue-data")
    denied(session.scan, TableName="red-data")
    # Admitted by the role, the tags are the session's.
    iam.update_assume_role_policy(RoleName="rm-abac", PolicyDocument=trust("sts:AssumeRole", "sts:TagSession"))
    tagged = sts.assume_role(RoleArn=role, RoleSessionName="sess", Tags=red)["Credentials"]
    session = server.client("dynamodb", key=tagged["AccessKeyId"], secret=tagged["SecretAccessKey"],
                            aws_session_token=tagged["SessionToken"])
    session.scan(TableName="red-data")
    # A caller whose own policies do not allow sts:TagSession may not tag.
    iam.update_assume_role_policy(RoleName="rm-abac", PolicyDocument=policy(
        {"Effect": "Allow", "Principal": {"AWS": [caller, f"arn:aws:iam::{ACCOUNT}:user/rm-untagger"]},
         "Action": ["sts:AssumeRole", "sts:TagSession"]}))
    other = sts_as(server, untagger)
    denied(other.assume_role, RoleArn=role, RoleSessionName="sess", Tags=red)
    other.assume_role(RoleArn=role, RoleSessionName="sess")


def test_a_trust_policy_reads_the_callers_tags(server):
    iam = server.client("iam")
    role = iam.create_role(RoleName="rm-prod", AssumeRolePolicyDocument=policy(
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"},
        {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole",
         "Condition": {"StringEquals": {"aws:PrincipalTag/contractor": "true"}}}))["Role"]["Arn"]
    allow = {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": role}
    contractor = sts_as(server, keys_of(server, "rm-contractor", allow,
                                        tags=[{"Key": "contractor", "Value": "true"}]))
    employee = sts_as(server, keys_of(server, "rm-employee", allow))
    denied(contractor.assume_role, RoleArn=role, RoleSessionName="sess")
    employee.assume_role(RoleArn=role, RoleSessionName="sess")


def test_a_session_ends_with_its_role_or_user_even_when_the_name_is_taken_again(server):
    iam = server.client("iam")
    caller = f"arn:aws:iam::{ACCOUNT}:user/rm-ephemeral-caller"
    role = f"arn:aws:iam::{ACCOUNT}:role/rm-ephemeral"
    key = keys_of(server, "rm-ephemeral-caller", {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": role})
    trust = policy({"Effect": "Allow", "Principal": {"AWS": caller}, "Action": "sts:AssumeRole"})
    iam.create_role(RoleName="rm-ephemeral", AssumeRolePolicyDocument=trust)
    iam.put_role_policy(RoleName="rm-ephemeral", PolicyName="p",
                        PolicyDocument=policy({"Effect": "Allow", "Action": "dynamodb:ListTables", "Resource": "*"}))
    creds = sts_as(server, key).assume_role(RoleArn=role, RoleSessionName="old")["Credentials"]
    session = server.client("dynamodb", key=creds["AccessKeyId"], secret=creds["SecretAccessKey"],
                            aws_session_token=creds["SessionToken"])
    session.list_tables()
    iam.delete_role_policy(RoleName="rm-ephemeral", PolicyName="p")
    iam.delete_role(RoleName="rm-ephemeral")
    # Another role under the same name, trusting someone else.
    iam.create_role(RoleName="rm-ephemeral", AssumeRolePolicyDocument=policy(
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}))
    iam.put_role_policy(RoleName="rm-ephemeral", PolicyName="p",
                        PolicyDocument=policy({"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"}))
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        session.list_tables()
    assert caught.value.response["Error"]["Code"] == "UnrecognizedClientException"
    # A user's session the same: the user made again (the name in other case) is another user.
    user_key = keys_of(server, "rm-tempuser", {"Effect": "Allow", "Action": "dynamodb:ListTables", "Resource": "*"})
    token = sts_as(server, user_key).get_session_token()["Credentials"]
    tables = server.client("dynamodb", key=token["AccessKeyId"], secret=token["SecretAccessKey"],
                           aws_session_token=token["SessionToken"])
    tables.list_tables()
    iam.delete_access_key(UserName="rm-tempuser", AccessKeyId=user_key["AccessKeyId"])
    iam.delete_user_policy(UserName="rm-tempuser", PolicyName="p")
    iam.delete_user(UserName="rm-tempuser")
    keys_of(server, "RM-TempUser", {"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"})
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        tables.list_tables()
    assert caught.value.response["Error"]["Code"] == "UnrecognizedClientException"


def test_a_resource_policy_naming_a_role_is_limited_by_its_sessions_policy_and_boundary(server):
    iam = server.client("iam")
    caller = f"arn:aws:iam::{ACCOUNT}:user/rm-reader-caller"
    roles = {name: f"arn:aws:iam::{ACCOUNT}:role/{name}" for name in ("rm-cfg-reader", "rm-cfg-bounded")}
    key = keys_of(server, "rm-reader-caller",
                  {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": list(roles.values())})
    trust = policy({"Effect": "Allow", "Principal": {"AWS": caller}, "Action": "sts:AssumeRole"})
    boundary = iam.create_policy(PolicyName="rm-ddb-only", PolicyDocument=policy(
        {"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"}))["Policy"]["Arn"]
    iam.create_role(RoleName="rm-cfg-reader", AssumeRolePolicyDocument=trust)
    iam.create_role(RoleName="rm-cfg-bounded", AssumeRolePolicyDocument=trust, PermissionsBoundary=boundary)
    sm = server.client("secretsmanager")
    sm.create_secret(Name="rm-team/cfg", SecretString="the value")
    sm.put_resource_policy(SecretId="rm-team/cfg", ResourcePolicy=policy(
        {"Effect": "Allow", "Principal": {"AWS": list(roles.values())}, "Action": "secretsmanager:GetSecretValue",
         "Resource": "*"}))
    kms = server.client("kms")
    key_id = kms.create_key(Policy=policy(
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "kms:*", "Resource": "*"},
        {"Effect": "Allow", "Principal": {"AWS": list(roles.values())}, "Action": "kms:Encrypt",
         "Resource": "*"}))["KeyMetadata"]["KeyId"]
    sts = sts_as(server, key)

    def session(role, **limits):
        creds = sts.assume_role(RoleArn=roles[role], RoleSessionName="sess", **limits)["Credentials"]
        return lambda service: server.client(service, key=creds["AccessKeyId"], secret=creds["SecretAccessKey"],
                                             aws_session_token=creds["SessionToken"])

    # Granted to the role: its plain session has it.
    plain = session("rm-cfg-reader")
    assert plain("secretsmanager").get_secret_value(SecretId="rm-team/cfg")["SecretString"] == "the value"
    plain("kms").encrypt(KeyId=key_id, Plaintext=b"x")
    # A session policy that allows only DynamoDB limits it.
    narrow = session("rm-cfg-reader", Policy=policy({"Effect": "Allow", "Action": "dynamodb:ListTables",
                                                     "Resource": "*"}))
    denied(narrow("secretsmanager").get_secret_value, SecretId="rm-team/cfg")
    denied(narrow("kms").encrypt, KeyId=key_id, Plaintext=b"x")
    # So does a permissions boundary that allows only DynamoDB.
    bounded = session("rm-cfg-bounded")
    denied(bounded("secretsmanager").get_secret_value, SecretId="rm-team/cfg")
    denied(bounded("kms").encrypt, KeyId=key_id, Plaintext=b"x")


def test_a_long_term_key_with_a_made_up_session_token_is_refused(server):
    key = keys_of(server, "rm-longterm", {"Effect": "Allow", "Action": "dynamodb:ListTables", "Resource": "*"})
    ddb = server.client("dynamodb", key=key["AccessKeyId"], secret=key["SecretAccessKey"])
    ddb.list_tables()
    forged = server.client("dynamodb", key=key["AccessKeyId"], secret=key["SecretAccessKey"],
                           aws_session_token="made-up")
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        forged.list_tables()
    assert caught.value.response["Error"]["Code"] == "UnrecognizedClientException"


def test_rds_and_elasticache_copies_are_authorized_on_their_sources(server):
    """Refused before the handler looks (none of these sources exists: the
    answer is the Deny's, not NotFound)."""
    make = user(server, "rm-copies",
                {"Effect": "Allow", "Action": ["rds:*", "elasticache:*"], "Resource": "*"},
                {"Effect": "Deny", "Action": "rds:*", "Resource": [
                    f"arn:aws:rds:{REGION}:{ACCOUNT}:db:rm-secret-db",
                    f"arn:aws:rds:{REGION}:{ACCOUNT}:snapshot:rm-secret-snap",
                    f"arn:aws:rds:{REGION}:{ACCOUNT}:cluster:rm-secret-cluster"]},
                {"Effect": "Deny", "Action": "elasticache:*",
                 "Resource": f"arn:aws:elasticache:{REGION}:{ACCOUNT}:snapshot:rm-secret-cache-snap"})
    rds = make("rds")
    denied(rds.restore_db_instance_to_point_in_time, SourceDBInstanceIdentifier="RM-SECRET-DB",
           TargetDBInstanceIdentifier="rm-mine", UseLatestRestorableTime=True)
    denied(rds.create_db_instance_read_replica, DBInstanceIdentifier="rm-mine",
           SourceDBInstanceIdentifier="rm-secret-db")
    denied(rds.copy_db_snapshot, SourceDBSnapshotIdentifier="rm-secret-snap", TargetDBSnapshotIdentifier="rm-mine")
    denied(rds.restore_db_cluster_to_point_in_time, SourceDBClusterIdentifier="rm-secret-cluster",
           DBClusterIdentifier="rm-mine", UseLatestRestorableTime=True)
    denied(make("elasticache").copy_snapshot, SourceSnapshotName="rm-secret-cache-snap", TargetSnapshotName="rm-mine")
    # The same calls on sources the user may read reach the handler.
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        rds.copy_db_snapshot(SourceDBSnapshotIdentifier="rm-open-snap", TargetDBSnapshotIdentifier="rm-mine")
    assert caught.value.response["Error"]["Code"] == "DBSnapshotNotFound"


def test_a_resource_policy_grant_to_a_role_needs_no_role_policy_where_its_boundary_allows(server):
    iam = server.client("iam")
    caller = f"arn:aws:iam::{ACCOUNT}:user/rm-bounded-caller"
    role = f"arn:aws:iam::{ACCOUNT}:role/rm-bounded-reader"
    key = keys_of(server, "rm-bounded-caller", {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": role})
    boundary = iam.create_policy(PolicyName="rm-secrets-boundary", PolicyDocument=policy(
        {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "*"}))["Policy"]["Arn"]
    iam.create_role(RoleName="rm-bounded-reader", PermissionsBoundary=boundary, AssumeRolePolicyDocument=policy(
        {"Effect": "Allow", "Principal": {"AWS": caller}, "Action": "sts:AssumeRole"}))
    sm = server.client("secretsmanager")
    sm.create_secret(Name="rm-bounded/cfg", SecretString="granted")
    sm.put_resource_policy(SecretId="rm-bounded/cfg", ResourcePolicy=policy(
        {"Effect": "Allow", "Principal": {"AWS": role}, "Action": "secretsmanager:GetSecretValue", "Resource": "*"}))
    creds = sts_as(server, key).assume_role(RoleArn=role, RoleSessionName="sess")["Credentials"]
    session = server.client("secretsmanager", key=creds["AccessKeyId"], secret=creds["SecretAccessKey"],
                            aws_session_token=creds["SessionToken"])
    # The role's own policies say nothing; the grant and the boundary allow.
    assert session.get_secret_value(SecretId="rm-bounded/cfg")["SecretString"] == "granted"


def test_partiql_statements_see_their_tables_tags(server):
    ddb = server.client("dynamodb")
    make_table(ddb, "rm-pq-prod", "prod data")
    arn = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/rm-pq-prod"
    ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "env", "Value": "prod"}])
    make_table(ddb, "rm-pq-dev", "dev data")
    client = user(server, "rm-pq-tags",
                  {"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"},
                  {"Effect": "Deny", "Action": "dynamodb:*", "Resource": "*",
                   "Condition": {"StringEquals": {"aws:ResourceTag/env": "prod"}}})("dynamodb")
    denied(client.get_item, TableName="rm-pq-prod", Key={"k": {"S": "1"}})
    denied(client.execute_statement, Statement='SELECT * FROM "rm-pq-prod"')
    assert client.execute_statement(Statement='SELECT * FROM "rm-pq-dev"')["Items"]


def test_a_secrets_new_kms_key_must_be_the_callers_to_use(server):
    kms = server.client("kms")
    denied_key = kms.create_key(Description="not the caller's")["KeyMetadata"]["KeyId"]
    own_key = kms.create_key(Description="the caller's")["KeyMetadata"]["KeyId"]
    sm = server.client("secretsmanager")
    sm.create_secret(Name="rm-rekeyed", SecretString="v1")
    client = user(server, "rm-rekeyer",
                  {"Effect": "Allow", "Action": ["secretsmanager:*", "kms:*"], "Resource": "*"},
                  {"Effect": "Deny", "Action": "kms:*",
                   "Resource": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{denied_key}"})("secretsmanager")
    denied(client.update_secret, SecretId="rm-rekeyed", KmsKeyId=denied_key)
    denied(client.update_secret, SecretId="rm-rekeyed", KmsKeyId=denied_key, SecretString="v2")
    assert sm.get_secret_value(SecretId="rm-rekeyed")["SecretString"] == "v1"
    assert sm.describe_secret(SecretId="rm-rekeyed").get("KmsKeyId") in (None, "", "alias/aws/secretsmanager")
    client.update_secret(SecretId="rm-rekeyed", KmsKeyId=own_key, SecretString="v3")
    assert sm.get_secret_value(SecretId="rm-rekeyed")["SecretString"] == "v3"


def test_partiql_full_table_scans_can_be_denied(server):
    ddb = server.client("dynamodb")
    make_table(ddb, "rm-pq-scan", "scan data")
    arn = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/rm-pq-scan"
    client = user(server, "rm-pq-noscan",
                  {"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"},
                  {"Effect": "Deny", "Action": "dynamodb:PartiQLSelect", "Resource": "*",
                   "Condition": {"Bool": {"dynamodb:FullTableScan": "true"}}})("dynamodb")
    denied(client.execute_statement, Statement='SELECT * FROM "rm-pq-scan"')
    # A predicate on another attribute than the partition key still scans.
    denied(client.execute_statement, Statement="SELECT * FROM \"rm-pq-scan\" WHERE v = 'scan data'")
    keyed = "SELECT * FROM \"rm-pq-scan\" WHERE k = '1'"
    assert client.execute_statement(Statement=keyed)["Items"] == [{"k": {"S": "1"}, "v": {"S": "scan data"}}]
    # Writes are not SELECTs: the key is absent and the Deny does not apply.
    client.execute_statement(Statement="UPDATE \"rm-pq-scan\" SET w = 'x' WHERE k = '1'")
    # Allowed only where it does not scan, as AWS's examples write it.
    reader = user(server, "rm-pq-keyed",
                  {"Effect": "Allow", "Action": "dynamodb:PartiQLSelect", "Resource": arn,
                   "Condition": {"Bool": {"dynamodb:FullTableScan": "false"}}})("dynamodb")
    assert reader.execute_statement(Statement=keyed)["Items"][0]["w"] == {"S": "x"}
    denied(reader.execute_statement, Statement='SELECT * FROM "rm-pq-scan"')


def test_return_consumed_capacity_can_be_required_or_denied(server):
    ddb = server.client("dynamodb")
    make_table(ddb, "rm-rcc", "rcc data")
    key = {"k": {"S": "1"}}
    client = user(server, "rm-rcc-none",
                  {"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"},
                  {"Effect": "Deny", "Action": "dynamodb:*", "Resource": "*",
                   "Condition": {"StringNotEquals": {"dynamodb:ReturnConsumedCapacity": "NONE"}}})("dynamodb")
    assert client.get_item(TableName="rm-rcc", Key=key)["Item"]["v"] == {"S": "rcc data"}
    assert "Item" in client.get_item(TableName="rm-rcc", Key=key, ReturnConsumedCapacity="NONE")
    for asked in ("TOTAL", "INDEXES"):
        denied(client.get_item, TableName="rm-rcc", Key=key, ReturnConsumedCapacity=asked)
        denied(client.scan, TableName="rm-rcc", ReturnConsumedCapacity=asked)
    denied(client.put_item, TableName="rm-rcc", Item={"k": {"S": "2"}}, ReturnConsumedCapacity="TOTAL")
    denied(client.batch_write_item, RequestItems={"rm-rcc": [{"PutRequest": {"Item": {"k": {"S": "3"}}}}]},
           ReturnConsumedCapacity="TOTAL")
    # A transaction's items carry their call's.
    denied(client.transact_write_items, TransactItems=[{"Put": {"TableName": "rm-rcc", "Item": {"k": {"S": "4"}}}}],
           ReturnConsumedCapacity="TOTAL")
    for k in ("2", "3", "4"):
        assert "Item" not in ddb.get_item(TableName="rm-rcc", Key={"k": {"S": k}})
    client.transact_write_items(TransactItems=[{"Put": {"TableName": "rm-rcc", "Item": {"k": {"S": "4"}}}}])
    assert "Item" in ddb.get_item(TableName="rm-rcc", Key={"k": {"S": "4"}})


def test_transactions_are_authorized_as_their_items_actions(server):
    ddb = server.client("dynamodb")
    make_table(ddb, "rm-tx", "tx data")
    arn = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/rm-tx"
    # A Deny of PutItem holds inside a transaction, as in DynamoDB (there is
    # no IAM action of the transaction's own name to allow or deny).
    client = user(server, "rm-tx-noput",
                  {"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"},
                  {"Effect": "Deny", "Action": "dynamodb:PutItem", "Resource": arn})("dynamodb")
    error = denied(client.transact_write_items,
                   TransactItems=[{"Put": {"TableName": "rm-tx", "Item": {"k": {"S": "2"}}}}])
    assert "dynamodb:PutItem" in error["Message"], error
    assert "Item" not in ddb.get_item(TableName="rm-tx", Key={"k": {"S": "2"}})
    client.transact_write_items(TransactItems=[{"Update": {
        "TableName": "rm-tx", "Key": {"k": {"S": "1"}}, "UpdateExpression": "SET w = :w",
        "ExpressionAttributeValues": {":w": {"S": "x"}}}}])
    # AWS's own example: the items' actions, allowed only within transactions.
    tx_only = user(server, "rm-tx-only",
                   {"Effect": "Allow", "Resource": arn,
                    "Action": ["dynamodb:ConditionCheckItem", "dynamodb:PutItem", "dynamodb:UpdateItem",
                               "dynamodb:DeleteItem", "dynamodb:GetItem"],
                    "Condition": {"ForAnyValue:StringEquals": {
                        "dynamodb:EnclosingOperation": ["TransactWriteItems", "TransactGetItems"]}}})("dynamodb")
    tx_only.transact_write_items(TransactItems=[
        {"Put": {"TableName": "rm-tx", "Item": {"k": {"S": "3"}, "v": {"S": "three"}}}},
        {"ConditionCheck": {"TableName": "rm-tx", "Key": {"k": {"S": "1"}},
                            "ConditionExpression": "attribute_exists(k)"}}])
    got = tx_only.transact_get_items(TransactItems=[{"Get": {"TableName": "rm-tx", "Key": {"k": {"S": "3"}}}}])
    assert got["Responses"][0]["Item"]["v"] == {"S": "three"}
    denied(tx_only.put_item, TableName="rm-tx", Item={"k": {"S": "4"}})
    denied(tx_only.get_item, TableName="rm-tx", Key={"k": {"S": "3"}})
    # Without ConditionCheckItem, a transaction's condition check is refused.
    no_check = user(server, "rm-tx-nocheck",
                    {"Effect": "Allow", "Action": ["dynamodb:PutItem"], "Resource": arn})("dynamodb")
    error = denied(no_check.transact_write_items, TransactItems=[
        {"Put": {"TableName": "rm-tx", "Item": {"k": {"S": "5"}}}},
        {"ConditionCheck": {"TableName": "rm-tx", "Key": {"k": {"S": "1"}},
                            "ConditionExpression": "attribute_exists(k)"}}])
    assert "dynamodb:ConditionCheckItem" in error["Message"], error
    assert "Item" not in ddb.get_item(TableName="rm-tx", Key={"k": {"S": "5"}})


def test_each_transaction_item_is_authorized_on_its_own_keys(server):
    ddb = server.client("dynamodb")
    make_table(ddb, "rm-tx-keys")
    make_table(ddb, "rm-tx-config", "global")
    arn = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/rm-tx-keys"
    config = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/rm-tx-config"
    # Plain StringEquals on a key of several values holds if any value
    # matches: one item's key must not let another item through.
    client = user(server, "rm-tx-mine",
                  {"Effect": "Allow", "Action": "dynamodb:PutItem", "Resource": arn,
                   "Condition": {"StringEquals": {"dynamodb:LeadingKeys": "mine"}}},
                  {"Effect": "Allow", "Action": "dynamodb:ConditionCheckItem", "Resource": config})("dynamodb")
    error = denied(client.transact_write_items, TransactItems=[
        {"Put": {"TableName": "rm-tx-keys", "Item": {"k": {"S": "mine"}}}},
        {"Put": {"TableName": "rm-tx-keys", "Item": {"k": {"S": "theirs"}}}}])
    assert "dynamodb:PutItem" in error["Message"], error
    assert "Item" not in ddb.get_item(TableName="rm-tx-keys", Key={"k": {"S": "theirs"}})
    # Nor does another table's item make a leading key condition fail.
    client.transact_write_items(TransactItems=[
        {"Put": {"TableName": "rm-tx-keys", "Item": {"k": {"S": "mine"}}}},
        {"ConditionCheck": {"TableName": "rm-tx-config", "Key": {"k": {"S": "1"}},
                            "ConditionExpression": "attribute_exists(k)"}}])
    assert "Item" in ddb.get_item(TableName="rm-tx-keys", Key={"k": {"S": "mine"}})


def test_a_transaction_item_of_no_known_kind_is_refused_and_does_nothing(server):
    ddb = server.client("dynamodb")
    make_table(ddb, "rm-tx-victim", "victim data")
    iam = server.client("iam")
    iam.create_user(UserName="rm-tx-reader")
    iam.put_user_policy(UserName="rm-tx-reader", PolicyName="p", PolicyDocument=policy(
        {"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:PutItem"], "Resource": "*"}))
    key = iam.create_access_key(UserName="rm-tx-reader")["AccessKey"]
    # SDKs refuse such items before sending: sent by hand, signed as they sign.
    for items in (
            [{"Put": {"TableName": "rm-tx-victim", "Item": {"k": {"S": "mine"}}}},
             {"Frob": {"TableName": "rm-tx-victim", "Key": {"k": {"S": "1"}},
                       "ConditionExpression": "attribute_not_exists(k)",
                       "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}}],
            [{"Get": {"TableName": "rm-tx-victim", "Key": {"k": {"S": "new"}}}}],
            [{"Frob": {}}]):
        body = json.dumps({"TransactItems": items}).encode()
        for signer in (("test", "test"), (key["AccessKeyId"], key["SecretAccessKey"])):
            status, _, answer = send_signed(server.endpoint, "dynamodb", headers=ddb_headers("TransactWriteItems"),
                                            body=body, key=signer[0], secret=signer[1])
            assert status == 400, (items, answer)
            error = json.loads(answer)["__type"].split("#")[-1]
            # The root is never asked: the call itself refuses the item. The
            # user may be refused first, by its policy.
            allowed = ("ValidationException",) if signer[0] == "test" else ("ValidationException",
                                                                            "AccessDeniedException")
            assert error in allowed, (items, answer)
            assert "victim data" not in answer.decode()
    scanned = ddb.scan(TableName="rm-tx-victim")["Items"]
    assert scanned == [{"k": {"S": "1"}, "v": {"S": "victim data"}}]
    # A Get with another member beside it is no Get the policies were asked for.
    iam.create_user(UserName="rm-tx-noget")
    iam.put_user_policy(UserName="rm-tx-noget", PolicyName="p", PolicyDocument=policy(
        {"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "dynamodb:GetItem",
         "Resource": f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/rm-tx-victim"}))
    noget = iam.create_access_key(UserName="rm-tx-noget")["AccessKey"]
    get = {"TableName": "rm-tx-victim", "Key": {"k": {"S": "1"}}}
    for item in ({"Get": get, "X": {}}, {"Get": get, "Put": None}, {"Get": get}):
        body = json.dumps({"TransactItems": [item]}).encode()
        status, _, answer = send_signed(server.endpoint, "dynamodb", headers=ddb_headers("TransactGetItems"),
                                        body=body, key=noget["AccessKeyId"], secret=noget["SecretAccessKey"])
        assert status == 400, (item, answer)
        assert "victim data" not in answer.decode()
