"""KMS key policies and grants through boto3, for the account root and for
IAM users made through the IAM API: the default key policy delegating to
IAM, a key policy refusing a principal, the lockout check, grants allowing
Decrypt to a user with no policy until they are retired or revoked, and
malformed documents refused with AWS's error codes."""
import base64
import json

import botocore.exceptions
import pytest

from conftest import REGION

ACCOUNT = "000000000000"
ROOT = f"arn:aws:iam::{ACCOUNT}:root"


def error_of(call, *args, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        call(*args, **kwargs)
    return caught.value.response["Error"]


def policy(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(principal, actions="kms:*", **extra):
    return {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": actions, "Resource": "*", **extra}


def deny(principal, actions, **extra):
    return {"Effect": "Deny", "Principal": {"AWS": principal}, "Action": actions, "Resource": "*", **extra}


@pytest.fixture(scope="module")
def server(kura_factory):
    return kura_factory()


def make_user(server, name, *documents):
    iam = server.client("iam")
    user = iam.create_user(UserName=name)["User"]
    for index, document in enumerate(documents):
        iam.put_user_policy(UserName=name, PolicyName=f"p{index}", PolicyDocument=document)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return user["Arn"], server.client("kms", key=key["AccessKeyId"], secret=key["SecretAccessKey"])


def user_kms_all():
    return policy({"Effect": "Allow", "Action": "kms:*", "Resource": "*"})


def test_default_key_policy_delegates_to_iam(server):
    kms = server.client("kms")
    key = kms.create_key(Description="default policy")["KeyMetadata"]
    assert kms.list_key_policies(KeyId=key["KeyId"])["PolicyNames"] == ["default"]
    document = json.loads(kms.get_key_policy(KeyId=key["KeyId"], PolicyName="default")["Policy"])
    assert document["Statement"] == [{"Sid": "Enable IAM User Permissions", "Effect": "Allow",
                                      "Principal": {"AWS": ROOT}, "Action": "kms:*", "Resource": "*"}]
    # The root's key policy delegates to IAM: a user with kms:* works, one
    # with nothing does not.
    _, allowed = make_user(server, "kms-all", user_kms_all())
    blob = allowed.encrypt(KeyId=key["KeyId"], Plaintext=b"delegated")["CiphertextBlob"]
    assert allowed.decrypt(CiphertextBlob=blob)["Plaintext"] == b"delegated"
    nobody_arn, nobody = make_user(server, "kms-nobody")
    err = error_of(nobody.decrypt, CiphertextBlob=blob)
    assert err["Code"] == "AccessDeniedException"
    assert nobody_arn in err["Message"] and "kms:Decrypt" in err["Message"] and key["Arn"] in err["Message"]


def test_key_policy_refusing_a_principal(server):
    kms = server.client("kms")
    blocked_arn, blocked = make_user(server, "kms-blocked", user_kms_all())
    _, other = make_user(server, "kms-other", user_kms_all())
    document = policy(allow(ROOT), deny(blocked_arn, ["kms:Decrypt", "kms:Encrypt"]))
    key = kms.create_key(Policy=document)["KeyMetadata"]
    assert json.loads(kms.get_key_policy(KeyId=key["KeyId"], PolicyName="default")["Policy"]) == json.loads(document)
    blob = other.encrypt(KeyId=key["KeyId"], Plaintext=b"secret")["CiphertextBlob"]
    assert other.decrypt(CiphertextBlob=blob)["Plaintext"] == b"secret"
    err = error_of(blocked.decrypt, CiphertextBlob=blob)
    assert err["Code"] == "AccessDeniedException"
    assert "explicit deny in a resource-based policy" in err["Message"]
    assert error_of(blocked.encrypt, KeyId=key["Arn"], Plaintext=b"x")["Code"] == "AccessDeniedException"
    # DescribeKey is not denied: the user's kms:* and the root's delegation.
    assert blocked.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["Arn"] == key["Arn"]
    # The root is not evaluated: it decrypts what it encrypts.
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"secret"


def test_key_policy_without_the_root_ignores_iam(server):
    kms = server.client("kms")
    named_arn, named = make_user(server, "kms-named")  # no identity policy at all
    _, iam_only = make_user(server, "kms-iam-only", user_kms_all())
    document = policy(allow(named_arn, ["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey"]),
                      allow(ROOT, ["kms:PutKeyPolicy", "kms:GetKeyPolicy"]))
    key = kms.create_key(Policy=document)["KeyMetadata"]
    # The policy names the user itself: no identity policy is needed.
    blob = named.encrypt(KeyId=key["KeyId"], Plaintext=b"direct")["CiphertextBlob"]
    assert named.decrypt(CiphertextBlob=blob, KeyId=key["Arn"])["Plaintext"] == b"direct"
    # The key policy does not delegate Encrypt to IAM: kms:* in the user's
    # policy is not enough.
    err = error_of(iam_only.encrypt, KeyId=key["KeyId"], Plaintext=b"x")
    assert err["Code"] == "AccessDeniedException"
    assert "no resource-based policy allows the kms:Encrypt action" in err["Message"]
    # ... but GetKeyPolicy is delegated.
    assert "Statement" in iam_only.get_key_policy(KeyId=key["KeyId"], PolicyName="default")["Policy"]


def test_put_key_policy_and_the_lockout_check(server):
    kms = server.client("kms")
    admin_arn, admin = make_user(server, "kms-admin", user_kms_all())
    key = kms.create_key()["KeyMetadata"]
    # A policy that would leave the caller unable to change it again.
    locked = policy(allow(f"arn:aws:iam::{ACCOUNT}:user/someone-else"))
    err = error_of(admin.put_key_policy, KeyId=key["KeyId"], PolicyName="default", Policy=locked)
    assert err["Code"] == "MalformedPolicyDocumentException"
    assert "will not allow you to update the key policy" in err["Message"]
    err = error_of(kms.create_key, Policy=locked)
    assert err["Code"] == "MalformedPolicyDocumentException"
    # Denying the caller PutKeyPolicy locks it out as well.
    err = error_of(admin.put_key_policy, KeyId=key["KeyId"], PolicyName="default",
                   Policy=policy(allow(ROOT), deny(admin_arn, "kms:PutKeyPolicy")))
    assert err["Code"] == "MalformedPolicyDocumentException"
    # The bypass takes it as it is.
    admin.put_key_policy(KeyId=key["KeyId"], PolicyName="default", Policy=locked,
                         BypassPolicyLockoutSafetyCheck=True)
    assert json.loads(kms.get_key_policy(KeyId=key["KeyId"], PolicyName="default")["Policy"]) == json.loads(locked)
    # And the admin is now locked out, as KMS warned.
    assert error_of(admin.describe_key, KeyId=key["KeyId"])["Code"] == "AccessDeniedException"
    assert error_of(admin.put_key_policy, KeyId=key["KeyId"], PolicyName="default",
                    Policy=policy(allow(ROOT)))["Code"] == "AccessDeniedException"
    # The root can still restore it.
    kms.put_key_policy(KeyId=key["KeyId"], PolicyName="default", Policy=policy(allow(ROOT)))
    assert admin.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyId"] == key["KeyId"]


@pytest.mark.parametrize("document,words", [
    ("{not json", "invalid Json"),
    (policy({"Effect": "Allow", "Action": "kms:*", "Resource": "*"}), "no principal"),
    (policy(allow("not-a-principal")), "invalid principals"),
    (policy({"Effect": "Maybe", "Principal": {"AWS": ROOT}, "Action": "kms:*", "Resource": "*"}), "Invalid effect"),
    (policy({"Effect": "Allow", "Principal": {"AWS": ROOT}, "Resource": "*"}), "must contain actions"),
    ("[" * 5000 + "]" * 5000, "invalid Json"),
    (policy(allow(ROOT, Sid="x" * 40000)), "longer than 32768"),
])
def test_malformed_key_policies(server, document, words):
    kms = server.client("kms")
    key = kms.create_key()["KeyMetadata"]
    for call in (lambda: kms.put_key_policy(KeyId=key["KeyId"], PolicyName="default", Policy=document),
                 lambda: kms.create_key(Policy=document)):
        err = error_of(call)
        assert err["Code"] in ("MalformedPolicyDocumentException", "ValidationException"), err
        if err["Code"] == "MalformedPolicyDocumentException":
            assert words in err["Message"]


def test_aws_managed_key_policy(server):
    kms = server.client("kms")
    key = kms.describe_key(KeyId="alias/aws/secretsmanager")["KeyMetadata"]
    document = json.loads(kms.get_key_policy(KeyId=key["KeyId"], PolicyName="default")["Policy"])
    via = document["Statement"][0]["Condition"]["StringEquals"]
    assert via["kms:ViaService"] == f"secretsmanager.{REGION}.amazonaws.com"
    err = error_of(kms.put_key_policy, KeyId=key["KeyId"], PolicyName="default", Policy=policy(allow(ROOT)))
    assert err["Code"] == "UnsupportedOperationException"
    # A user may not use it directly, only through Secrets Manager.
    _, user = make_user(server, "kms-managed", user_kms_all())
    assert error_of(user.encrypt, KeyId="alias/aws/secretsmanager", Plaintext=b"x")["Code"] == "AccessDeniedException"


def test_grant_allows_decrypt_until_retired_or_revoked(server):
    kms = server.client("kms")
    grantee_arn, grantee = make_user(server, "kms-grantee")  # no identity policy
    retirer_arn, retirer = make_user(server, "kms-retirer")
    key = kms.create_key()["KeyMetadata"]
    blob = kms.encrypt(KeyId=key["KeyId"], Plaintext=b"granted")["CiphertextBlob"]
    assert error_of(grantee.decrypt, CiphertextBlob=blob)["Code"] == "AccessDeniedException"

    made = kms.create_grant(KeyId=key["KeyId"], GranteePrincipal=grantee_arn, Operations=["Decrypt"],
                            RetiringPrincipal=retirer_arn, Name="reader")
    assert len(made["GrantId"]) == 64
    # Usable at once, with its token or without.
    assert grantee.decrypt(CiphertextBlob=blob, GrantTokens=[made["GrantToken"]])["Plaintext"] == b"granted"
    assert grantee.decrypt(CiphertextBlob=blob)["Plaintext"] == b"granted"
    # Only Decrypt: not Encrypt.
    assert error_of(grantee.encrypt, KeyId=key["KeyId"], Plaintext=b"x")["Code"] == "AccessDeniedException"
    # The same grant asked again is the same grant.
    again = kms.create_grant(KeyId=key["KeyId"], GranteePrincipal=grantee_arn, Operations=["Decrypt"],
                             RetiringPrincipal=retirer_arn, Name="reader")
    assert again["GrantId"] == made["GrantId"]
    grants = kms.list_grants(KeyId=key["KeyId"])["Grants"]
    assert [(g["GrantId"], g["GranteePrincipal"], g["RetiringPrincipal"], g["Operations"], g["Name"])
            for g in grants] == [(made["GrantId"], grantee_arn, retirer_arn, ["Decrypt"], "reader")]
    assert grants[0]["KeyId"] == key["Arn"] and grants[0]["IssuingAccount"] == ROOT
    retirable = kms.list_retirable_grants(RetiringPrincipal=retirer_arn)["Grants"]
    assert [g["GrantId"] for g in retirable] == [made["GrantId"]]

    # The grantee may not retire it (no RetireGrant operation); the
    # retiring principal may, with no policy at all.
    assert error_of(grantee.retire_grant, GrantToken=made["GrantToken"])["Code"] == "AccessDeniedException"
    retirer.retire_grant(GrantToken=made["GrantToken"])
    assert kms.list_grants(KeyId=key["KeyId"])["Grants"] == []
    assert error_of(grantee.decrypt, CiphertextBlob=blob)["Code"] == "AccessDeniedException"
    assert error_of(retirer.retire_grant, GrantToken=made["GrantToken"])["Code"] == "InvalidGrantTokenException"

    # A second grant, revoked by the root.
    second = kms.create_grant(KeyId=key["KeyId"], GranteePrincipal=grantee_arn, Operations=["Decrypt"])
    assert grantee.decrypt(CiphertextBlob=blob)["Plaintext"] == b"granted"
    kms.revoke_grant(KeyId=key["KeyId"], GrantId=second["GrantId"])
    assert error_of(grantee.decrypt, CiphertextBlob=blob)["Code"] == "AccessDeniedException"
    assert error_of(kms.revoke_grant, KeyId=key["KeyId"], GrantId=second["GrantId"])["Code"] == "NotFoundException"


def test_grant_constraints(server):
    kms = server.client("kms")
    grantee_arn, grantee = make_user(server, "kms-constrained")
    key = kms.create_key()["KeyMetadata"]
    kms.create_grant(KeyId=key["KeyId"], GranteePrincipal=grantee_arn,
                     Operations=["Encrypt", "Decrypt", "RetireGrant"],
                     Constraints={"EncryptionContextSubset": {"app": "billing"}})
    blob = grantee.encrypt(KeyId=key["KeyId"], Plaintext=b"ok",
                           EncryptionContext={"app": "billing", "row": "7"})["CiphertextBlob"]
    assert grantee.decrypt(CiphertextBlob=blob,
                           EncryptionContext={"app": "billing", "row": "7"})["Plaintext"] == b"ok"
    assert error_of(grantee.encrypt, KeyId=key["KeyId"], Plaintext=b"x",
                    EncryptionContext={"app": "payroll"})["Code"] == "AccessDeniedException"
    assert error_of(grantee.encrypt, KeyId=key["KeyId"], Plaintext=b"x")["Code"] == "AccessDeniedException"

    equals = kms.create_grant(KeyId=key["KeyId"], GranteePrincipal=grantee_arn, Operations=["GenerateDataKey"],
                              Constraints={"EncryptionContextEquals": {"app": "exact"}})
    assert len(grantee.generate_data_key(KeyId=key["KeyId"], KeySpec="AES_256",
                                         EncryptionContext={"app": "exact"})["Plaintext"]) == 32
    assert error_of(grantee.generate_data_key, KeyId=key["KeyId"], KeySpec="AES_256",
                    EncryptionContext={"app": "exact", "more": "1"})["Code"] == "AccessDeniedException"
    # The grantee retires a grant that allows it RetireGrant... not this one.
    assert error_of(grantee.retire_grant, KeyId=key["Arn"], GrantId=equals["GrantId"])["Code"] == \
        "AccessDeniedException"

    # Constraints on an operation that takes no encryption context.
    err = error_of(kms.create_grant, KeyId=key["KeyId"], GranteePrincipal=grantee_arn, Operations=["DescribeKey"],
                   Constraints={"EncryptionContextSubset": {"a": "b"}})
    assert err["Code"] == "ValidationException"
    err = error_of(kms.create_grant, KeyId=key["KeyId"], GranteePrincipal="nobody", Operations=["Decrypt"])
    assert err["Code"] == "InvalidArnException"
    err = error_of(kms.create_grant, KeyId=key["KeyId"], GranteePrincipal=grantee_arn, Operations=["Decrypt"],
                   GrantTokens=["not-a-token"])
    assert err["Code"] == "InvalidGrantTokenException"


def test_key_policy_condition_on_encryption_context(server):
    kms = server.client("kms")
    user_arn, user = make_user(server, "kms-context")
    document = policy(allow(ROOT),
                      allow(user_arn, ["kms:Encrypt", "kms:Decrypt"],
                            Condition={"StringEquals": {"kms:EncryptionContext:tenant": "blue",
                                                        "kms:CallerAccount": ACCOUNT}}))
    key = kms.create_key(Policy=document)["KeyMetadata"]
    blob = user.encrypt(KeyId=key["KeyId"], Plaintext=b"blue", EncryptionContext={"tenant": "blue"})
    assert user.decrypt(CiphertextBlob=blob["CiphertextBlob"],
                        EncryptionContext={"tenant": "blue"})["Plaintext"] == b"blue"
    assert error_of(user.encrypt, KeyId=key["KeyId"], Plaintext=b"x",
                    EncryptionContext={"tenant": "red"})["Code"] == "AccessDeniedException"


def test_policies_and_grants_survive_a_restart(kura_factory):
    server = kura_factory()
    kms = server.client("kms")
    grantee_arn, _ = make_user(server, "kms-restart")
    document = policy(allow(ROOT), deny(grantee_arn, "kms:Encrypt"))
    key = kms.create_key(Policy=document)["KeyMetadata"]
    grant = kms.create_grant(KeyId=key["KeyId"], GranteePrincipal=grantee_arn, Operations=["Decrypt"])
    server.restart(sigkill=True)
    kms = server.client("kms")
    assert json.loads(kms.get_key_policy(KeyId=key["KeyId"], PolicyName="default")["Policy"]) == json.loads(document)
    assert [g["GrantId"] for g in kms.list_grants(KeyId=key["KeyId"])["Grants"]] == [grant["GrantId"]]
    server.stop()


def test_unknown_grant_tokens_are_refused(server):
    kms = server.client("kms")
    key = kms.create_key()["KeyMetadata"]
    err = error_of(kms.encrypt, KeyId=key["KeyId"], Plaintext=b"x", GrantTokens=["unknown"])
    assert err["Code"] == "InvalidGrantTokenException"
    grant = kms.create_grant(KeyId=key["KeyId"], GranteePrincipal=ROOT, Operations=["Encrypt"])
    assert kms.encrypt(KeyId=key["KeyId"], Plaintext=b"x", GrantTokens=[grant["GrantToken"]])["KeyId"] == key["Arn"]


def test_encrypting_with_a_customer_key_needs_its_key_policy(server):
    """A DynamoDB table or an RDS instance encrypted under a customer key:
    the caller must be allowed kms:CreateGrant and kms:DescribeKey on the
    key, through the service, as AWS's services ask for it."""
    kms = server.client("kms")
    key = kms.create_key()["KeyMetadata"]  # the default policy: IAM decides
    everything_but_kms = policy({"Effect": "Allow", "Action": ["dynamodb:*", "rds:*"], "Resource": "*"})
    iam = server.client("iam")
    iam.create_user(UserName="kms-builder")
    iam.put_user_policy(UserName="kms-builder", PolicyName="p0", PolicyDocument=everything_but_kms)
    creds = iam.create_access_key(UserName="kms-builder")["AccessKey"]
    ddb = server.client("dynamodb", key=creds["AccessKeyId"], secret=creds["SecretAccessKey"])
    rds = server.client("rds", key=creds["AccessKeyId"], secret=creds["SecretAccessKey"])
    table = {"KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}],
             "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"}],
             "BillingMode": "PAY_PER_REQUEST"}
    sse = {"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key["Arn"]}
    err = error_of(ddb.create_table, TableName="kms-sealed", SSESpecification=sse, **table)
    assert err["Code"] == "AccessDeniedException" and "kms:DescribeKey" in err["Message"]
    err = error_of(rds.create_db_instance, DBInstanceIdentifier="kms-sealed", Engine="postgres",
                   DBInstanceClass="db.t3.micro", AllocatedStorage=20, MasterUsername="u",
                   MasterUserPassword="password123", StorageEncrypted=True, KmsKeyId=key["KeyId"])
    assert err["Code"] == "AccessDenied" and key["Arn"] in err["Message"]
    # Under the AWS managed key, the service may use it for the account.
    ddb.create_table(TableName="kms-managed", SSESpecification={"Enabled": True, "SSEType": "KMS"}, **table)
    # With kms:CreateGrant and kms:DescribeKey through DynamoDB, it works.
    iam.put_user_policy(UserName="kms-builder", PolicyName="p1", PolicyDocument=policy(
        {"Effect": "Allow", "Action": ["kms:CreateGrant", "kms:DescribeKey"], "Resource": key["Arn"],
         "Condition": {"StringEquals": {"kms:ViaService": f"dynamodb.{REGION}.amazonaws.com"}}}))
    created = ddb.create_table(TableName="kms-sealed", SSESpecification=sse, **table)["TableDescription"]
    assert created["TableName"] == "kms-sealed"
    # A key policy denying the builder wins over its identity policy.
    kms.put_key_policy(KeyId=key["KeyId"], PolicyName="default", Policy=policy(
        allow(ROOT), deny(f"arn:aws:iam::{ACCOUNT}:user/kms-builder", "kms:CreateGrant")))
    err = error_of(ddb.create_table, TableName="kms-sealed-2", SSESpecification=sse, **table)
    assert err["Code"] == "AccessDeniedException" and "resource-based policy" in err["Message"]
