"""Secrets Manager resource policies through boto3: Put/Get/Delete/
ValidateResourcePolicy, BlockPublicPolicy, and the policy taking part in the
evaluation of IAM users' calls (an Allow lets a user with no identity
policy read the secret, an explicit Deny refuses an otherwise allowed one);
the secret's KMS key is used on the caller's behalf, under its key policy."""
import json

import botocore.exceptions
import pytest

ACCOUNT = "000000000000"
ROOT = f"arn:aws:iam::{ACCOUNT}:root"


def error_of(call, *args, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        call(*args, **kwargs)
    return caught.value.response["Error"]


def policy(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


@pytest.fixture(scope="module")
def server(kura_factory):
    return kura_factory()


def make_user(server, name, *documents, service="secretsmanager"):
    iam = server.client("iam")
    user = iam.create_user(UserName=name)["User"]
    for index, document in enumerate(documents):
        iam.put_user_policy(UserName=name, PolicyName=f"p{index}", PolicyDocument=document)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return user["Arn"], server.client(service, key=key["AccessKeyId"], secret=key["SecretAccessKey"])


def test_put_get_delete_resource_policy(server):
    sm = server.client("secretsmanager")
    secret = sm.create_secret(Name="rp-basic", SecretString="v1")
    assert "ResourcePolicy" not in sm.get_resource_policy(SecretId="rp-basic")
    document = policy({"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "secretsmanager:GetSecretValue",
                       "Resource": "*"})
    put = sm.put_resource_policy(SecretId="rp-basic", ResourcePolicy=document)
    assert put["ARN"] == secret["ARN"] and put["Name"] == "rp-basic"
    got = sm.get_resource_policy(SecretId=secret["ARN"])
    assert json.loads(got["ResourcePolicy"]) == json.loads(document) and got["Name"] == "rp-basic"
    deleted = sm.delete_resource_policy(SecretId="rp-basic")
    assert deleted["ARN"] == secret["ARN"]
    assert "ResourcePolicy" not in sm.get_resource_policy(SecretId="rp-basic")
    assert error_of(sm.get_resource_policy, SecretId="rp-missing")["Code"] == "ResourceNotFoundException"


def test_block_public_policy_and_validation(server):
    sm = server.client("secretsmanager")
    sm.create_secret(Name="rp-public", SecretString="v")
    public = policy({"Effect": "Allow", "Principal": "*", "Action": "secretsmanager:GetSecretValue", "Resource": "*"})
    err = error_of(sm.put_resource_policy, SecretId="rp-public", ResourcePolicy=public, BlockPublicPolicy=True)
    assert err["Code"] == "PublicPolicyException"
    assert "ResourcePolicy" not in sm.get_resource_policy(SecretId="rp-public")
    checked = sm.validate_resource_policy(ResourcePolicy=public)
    assert checked["PolicyValidationPassed"] is False and checked["ValidationErrors"]
    private = policy({"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "secretsmanager:*", "Resource": "*"})
    checked = sm.validate_resource_policy(ResourcePolicy=private, SecretId="rp-public")
    assert checked["PolicyValidationPassed"] is True and checked["ValidationErrors"] == []
    sm.put_resource_policy(SecretId="rp-public", ResourcePolicy=private, BlockPublicPolicy=True)


@pytest.mark.parametrize("document,words", [
    ("{nope", "invalid Json"),
    (policy({"Effect": "Allow", "Action": "secretsmanager:*", "Resource": "*"}), "no principal"),
    (policy({"Effect": "Allow", "Principal": {"AWS": "someone"}, "Action": "secretsmanager:*", "Resource": "*"}),
     "invalid principals"),
    (policy({"Effect": "Allow", "Principal": "*", "Action": "GetSecretValue", "Resource": "*"}), "prefaced by a vendor"),
    (policy({"Effect": "Allow", "Principal": "*", "Action": "secretsmanager:*"}), "must contain resources"),
])
def test_malformed_resource_policies(server, document, words):
    sm = server.client("secretsmanager")
    name = f"rp-malformed-{len(sm.list_secrets()['SecretList'])}"
    sm.create_secret(Name=name, SecretString="v")
    for call in (lambda: sm.put_resource_policy(SecretId=name, ResourcePolicy=document),
                 lambda: sm.validate_resource_policy(ResourcePolicy=document)):
        err = error_of(call)
        assert err["Code"] == "MalformedPolicyDocumentException" and words in err["Message"], err


def test_resource_policy_allows_a_user_without_identity_policy(server):
    sm = server.client("secretsmanager")
    secret = sm.create_secret(Name="rp-shared", SecretString="shared-value")
    reader_arn, reader = make_user(server, "rp-reader")
    _, stranger = make_user(server, "rp-stranger")
    err = error_of(reader.get_secret_value, SecretId="rp-shared")
    assert err["Code"] == "AccessDeniedException" and reader_arn in err["Message"]
    sm.put_resource_policy(SecretId="rp-shared", ResourcePolicy=policy(
        {"Effect": "Allow", "Principal": {"AWS": reader_arn}, "Action": "secretsmanager:GetSecretValue",
         "Resource": "*"}))
    assert reader.get_secret_value(SecretId="rp-shared")["SecretString"] == "shared-value"
    assert reader.get_secret_value(SecretId=secret["ARN"])["SecretString"] == "shared-value"
    # Only what it names: not PutSecretValue, not for another user.
    assert error_of(reader.put_secret_value, SecretId="rp-shared",
                    SecretString="x")["Code"] == "AccessDeniedException"
    assert error_of(stranger.get_secret_value, SecretId="rp-shared")["Code"] == "AccessDeniedException"
    # Naming the account root delegates to IAM: no identity policy, no read.
    sm.put_resource_policy(SecretId="rp-shared", ResourcePolicy=policy(
        {"Effect": "Allow", "Principal": {"AWS": ROOT}, "Action": "secretsmanager:GetSecretValue", "Resource": "*"}))
    assert error_of(reader.get_secret_value, SecretId="rp-shared")["Code"] == "AccessDeniedException"
    sm.delete_resource_policy(SecretId="rp-shared")
    assert error_of(reader.get_secret_value, SecretId="rp-shared")["Code"] == "AccessDeniedException"


def test_resource_policy_deny_refuses_an_allowed_user(server):
    sm = server.client("secretsmanager")
    sm.create_secret(Name="rp-guarded", SecretString="guarded", Tags=[{"Key": "team", "Value": "red"}])
    sm.create_secret(Name="rp-open", SecretString="open")
    everything = policy({"Effect": "Allow", "Action": "secretsmanager:*", "Resource": "*"})
    user_arn, user = make_user(server, "rp-admin", everything)
    assert user.get_secret_value(SecretId="rp-guarded")["SecretString"] == "guarded"
    sm.put_resource_policy(SecretId="rp-guarded", ResourcePolicy=policy(
        {"Effect": "Deny", "Principal": {"AWS": user_arn}, "Action": "secretsmanager:GetSecretValue",
         "Resource": "*"}))
    err = error_of(user.get_secret_value, SecretId="rp-guarded")
    assert err["Code"] == "AccessDeniedException"
    assert "explicit deny in a resource-based policy" in err["Message"]
    # Named by its full ARN or by the ARN without its random suffix alike.
    full = sm.describe_secret(SecretId="rp-guarded")["ARN"]
    for named in (full, full[:-7]):
        assert error_of(user.get_secret_value, SecretId=named)["Code"] == "AccessDeniedException"
    # Other calls and other secrets are still allowed.
    assert user.describe_secret(SecretId="rp-guarded")["Name"] == "rp-guarded"
    assert user.get_secret_value(SecretId="rp-open")["SecretString"] == "open"
    # A Deny naming the account applies to everyone in it, conditions read
    # the secret's tags.
    sm.put_resource_policy(SecretId="rp-guarded", ResourcePolicy=policy(
        {"Effect": "Deny", "Principal": {"AWS": ACCOUNT}, "Action": "secretsmanager:DescribeSecret",
         "Resource": "*", "Condition": {"StringEquals": {"secretsmanager:ResourceTag/team": "red"}}}))
    assert error_of(user.describe_secret, SecretId="rp-guarded")["Code"] == "AccessDeniedException"
    assert user.get_secret_value(SecretId="rp-guarded")["SecretString"] == "guarded"
    sm.tag_resource(SecretId="rp-guarded", Tags=[{"Key": "team", "Value": "blue"}])
    assert user.describe_secret(SecretId="rp-guarded")["Name"] == "rp-guarded"
    # The root is not evaluated.
    assert sm.get_secret_value(SecretId="rp-guarded")["SecretString"] == "guarded"


def test_the_secret_key_policy_applies_through_secrets_manager(server):
    kms = server.client("kms")
    sm = server.client("secretsmanager")
    everything = policy({"Effect": "Allow", "Action": "secretsmanager:*", "Resource": "*"})
    user_arn, user = make_user(server, "rp-kms-user", everything)
    # A customer key whose policy delegates to IAM only: the user's identity
    # policy has no kms:Decrypt, so the value stays sealed for it.
    key = kms.create_key()["KeyMetadata"]
    sm.create_secret(Name="rp-cmk", SecretString="sealed", KmsKeyId=key["Arn"])
    err = error_of(user.get_secret_value, SecretId="rp-cmk")
    assert err["Code"] == "AccessDeniedException" and "kms:Decrypt" in err["Message"]
    # A grant to the user with the secret's ARN in its constraint opens it.
    secret_arn = sm.describe_secret(SecretId="rp-cmk")["ARN"]
    kms.create_grant(KeyId=key["KeyId"], GranteePrincipal=user_arn, Operations=["Decrypt"],
                     Constraints={"EncryptionContextSubset": {"SecretARN": secret_arn}})
    assert user.get_secret_value(SecretId="rp-cmk")["SecretString"] == "sealed"
    # Under the AWS managed key, Secrets Manager's use is allowed for the
    # account's principals (kms:ViaService).
    sm.create_secret(Name="rp-default-key", SecretString="plain")
    assert user.get_secret_value(SecretId="rp-default-key")["SecretString"] == "plain"
