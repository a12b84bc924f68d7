"""KMS through boto3 and the AWS CLI: keys, aliases, encryption read back,
data keys, states, tags, and the errors AWS answers; key material kept
sealed on disk and across SIGKILL."""
import base64
import os
import subprocess

import botocore.exceptions
import pytest

from conftest import REGION


def error_code(call, *args, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call(*args, **kwargs)
    return info.value.response["Error"]["Code"]


@pytest.fixture
def kms(kura):
    return kura.client("kms")


def new_key(kms, **kwargs):
    return kms.create_key(**kwargs)["KeyMetadata"]["KeyId"]


def test_encrypt_decrypt_round_trip_with_context(kms):
    key = new_key(kms, Description="orders")
    meta = kms.describe_key(KeyId=key)["KeyMetadata"]
    assert meta["KeyState"] == "Enabled" and meta["KeyManager"] == "CUSTOMER"
    assert meta["Arn"] == f"arn:aws:kms:{REGION}:000000000000:key/{key}"
    assert meta["Description"] == "orders" and meta["EncryptionAlgorithms"] == ["SYMMETRIC_DEFAULT"]
    blob = kms.encrypt(KeyId=key, Plaintext=b"card 4111", EncryptionContext={"order": "42"})["CiphertextBlob"]
    assert b"card 4111" not in blob
    out = kms.decrypt(CiphertextBlob=blob, EncryptionContext={"order": "42"})
    assert out["Plaintext"] == b"card 4111" and out["KeyId"] == meta["Arn"]
    assert error_code(kms.decrypt, CiphertextBlob=blob) == "InvalidCiphertextException"
    assert error_code(kms.decrypt, CiphertextBlob=blob, EncryptionContext={"order": "43"}) == "InvalidCiphertextException"
    assert error_code(kms.decrypt, CiphertextBlob=b"not a ciphertext") == "InvalidCiphertextException"
    other = new_key(kms)
    assert error_code(kms.decrypt, CiphertextBlob=blob, EncryptionContext={"order": "42"},
                      KeyId=other) == "IncorrectKeyException"


def test_aliases(kms):
    key = new_key(kms)
    kms.create_alias(AliasName="alias/payments", TargetKeyId=key)
    assert error_code(kms.create_alias, AliasName="alias/payments", TargetKeyId=key) == "AlreadyExistsException"
    assert error_code(kms.create_alias, AliasName="alias/aws/mine", TargetKeyId=key) == "InvalidAliasNameException"
    assert error_code(kms.create_alias, AliasName="payments", TargetKeyId=key) == "InvalidAliasNameException"
    assert kms.describe_key(KeyId="alias/payments")["KeyMetadata"]["KeyId"] == key
    alias_arn = f"arn:aws:kms:{REGION}:000000000000:alias/payments"
    assert kms.describe_key(KeyId=alias_arn)["KeyMetadata"]["KeyId"] == key
    blob = kms.encrypt(KeyId="alias/payments", Plaintext=b"x")["CiphertextBlob"]
    second = new_key(kms)
    kms.update_alias(AliasName="alias/payments", TargetKeyId=second)
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"x"  # the blob names its key
    listed = kms.list_aliases(KeyId=second)["Aliases"]
    assert [a["AliasName"] for a in listed] == ["alias/payments"] and listed[0]["AliasArn"] == alias_arn
    kms.delete_alias(AliasName="alias/payments")
    assert error_code(kms.describe_key, KeyId="alias/payments") == "NotFoundException"
    assert error_code(kms.delete_alias, AliasName="alias/payments") == "NotFoundException"


def test_aws_managed_keys(kms):
    meta = kms.describe_key(KeyId="alias/aws/rds")["KeyMetadata"]
    assert meta["KeyManager"] == "AWS"
    assert kms.get_key_rotation_status(KeyId=meta["KeyId"])["KeyRotationEnabled"] is True
    assert error_code(kms.disable_key, KeyId=meta["KeyId"]) == "UnsupportedOperationException"
    assert "alias/aws/rds" in [a["AliasName"] for a in kms.list_aliases()["Aliases"]]


def test_data_keys_envelope(kms):
    key = new_key(kms)
    data_key = kms.generate_data_key(KeyId=key, KeySpec="AES_256", EncryptionContext={"table": "t"})
    assert len(data_key["Plaintext"]) == 32
    assert kms.decrypt(CiphertextBlob=data_key["CiphertextBlob"],
                       EncryptionContext={"table": "t"})["Plaintext"] == data_key["Plaintext"]
    assert len(kms.generate_data_key(KeyId=key, NumberOfBytes=64)["Plaintext"]) == 64
    without = kms.generate_data_key_without_plaintext(KeyId=key, KeySpec="AES_128")
    assert "Plaintext" not in without
    assert len(kms.decrypt(CiphertextBlob=without["CiphertextBlob"])["Plaintext"]) == 16
    assert error_code(kms.generate_data_key, KeyId=key) == "ValidationException"
    assert len(kms.generate_random(NumberOfBytes=17)["Plaintext"]) == 17


def test_re_encrypt_moves_a_ciphertext_to_another_key(kms):
    first, second = new_key(kms), new_key(kms)
    blob = kms.encrypt(KeyId=first, Plaintext=b"moving", EncryptionContext={"a": "1"})["CiphertextBlob"]
    out = kms.re_encrypt(CiphertextBlob=blob, SourceEncryptionContext={"a": "1"}, DestinationKeyId=second,
                         DestinationEncryptionContext={"b": "2"})
    assert out["SourceKeyId"].endswith(first) and out["KeyId"].endswith(second)
    kms.disable_key(KeyId=first)
    decrypted = kms.decrypt(CiphertextBlob=out["CiphertextBlob"], EncryptionContext={"b": "2"})
    assert decrypted["Plaintext"] == b"moving"


def test_key_states(kms):
    key = new_key(kms)
    blob = kms.encrypt(KeyId=key, Plaintext=b"s")["CiphertextBlob"]
    kms.disable_key(KeyId=key)
    assert kms.describe_key(KeyId=key)["KeyMetadata"]["KeyState"] == "Disabled"
    assert error_code(kms.encrypt, KeyId=key, Plaintext=b"s") == "DisabledException"
    assert error_code(kms.decrypt, CiphertextBlob=blob) == "DisabledException"
    kms.enable_key(KeyId=key)
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"s"
    scheduled = kms.schedule_key_deletion(KeyId=key, PendingWindowInDays=7)
    assert scheduled["KeyState"] == "PendingDeletion" and scheduled["PendingWindowInDays"] == 7
    meta = kms.describe_key(KeyId=key)["KeyMetadata"]
    assert meta["KeyState"] == "PendingDeletion" and "DeletionDate" in meta
    assert error_code(kms.decrypt, CiphertextBlob=blob) == "KMSInvalidStateException"
    assert error_code(kms.enable_key, KeyId=key) == "KMSInvalidStateException"
    assert error_code(kms.schedule_key_deletion, KeyId=key, PendingWindowInDays=6) == "ValidationException"
    kms.cancel_key_deletion(KeyId=key)
    assert kms.describe_key(KeyId=key)["KeyMetadata"]["KeyState"] == "Disabled"
    kms.enable_key(KeyId=key)
    kms.enable_key_rotation(KeyId=key)
    assert kms.get_key_rotation_status(KeyId=key)["KeyRotationEnabled"] is True
    kms.disable_key_rotation(KeyId=key)
    assert kms.get_key_rotation_status(KeyId=key)["KeyRotationEnabled"] is False
    kms.update_key_description(KeyId=key, Description="renamed")
    assert kms.describe_key(KeyId=key)["KeyMetadata"]["Description"] == "renamed"
    missing = "11111111-2222-3333-4444-555555555555"
    assert error_code(kms.describe_key, KeyId=missing) == "NotFoundException"
    assert error_code(kms.encrypt, KeyId=missing, Plaintext=b"s") == "NotFoundException"


def test_tags_and_paging(kms):
    key = new_key(kms, Tags=[{"TagKey": "team", "TagValue": "db"}])
    kms.tag_resource(KeyId=key, Tags=[{"TagKey": "env", "TagValue": "ci"}])
    tags = kms.list_resource_tags(KeyId=key)["Tags"]
    assert tags == [{"TagKey": "env", "TagValue": "ci"}, {"TagKey": "team", "TagValue": "db"}]
    kms.untag_resource(KeyId=key, TagKeys=["team"])
    assert kms.list_resource_tags(KeyId=key)["Tags"] == [{"TagKey": "env", "TagValue": "ci"}]
    for _ in range(3):
        new_key(kms)
    seen, marker = [], None
    for _ in range(100):
        page = kms.list_keys(Limit=2, **({"Marker": marker} if marker else {}))
        seen += [k["KeyId"] for k in page["Keys"]]
        if not page["Truncated"]:
            break
        marker = page["NextMarker"]
    assert key in seen and len(seen) == len(set(seen)) >= 4


def test_cli_encrypts_and_decrypts(kura, tmp_path):
    key = kura.aws("kms", "create-key", "--description", "cli")["KeyMetadata"]["KeyId"]
    (tmp_path / "plain").write_bytes(b"from the cli")
    blob = kura.aws("kms", "encrypt", "--key-id", key, "--plaintext", f"fileb://{tmp_path / 'plain'}")["CiphertextBlob"]
    (tmp_path / "blob").write_bytes(base64.b64decode(blob))
    out = kura.aws("kms", "decrypt", "--ciphertext-blob", f"fileb://{tmp_path / 'blob'}")
    assert base64.b64decode(out["Plaintext"]) == b"from the cli"


def test_keys_survive_sigkill_and_stay_sealed_on_disk(kura_factory):
    root_key = base64.b64encode(os.urandom(32)).decode()
    server = kura_factory(env={"KURA_KMS_ROOT_KEY": root_key})
    kms = server.client("kms")
    key = new_key(kms)
    data_key = kms.generate_data_key(KeyId=key, KeySpec="AES_256")
    server.restart(sigkill=True)
    kms = server.client("kms")
    assert kms.decrypt(CiphertextBlob=data_key["CiphertextBlob"])["Plaintext"] == data_key["Plaintext"]
    # Neither the data key nor any sign of the root key sits in the files.
    found = subprocess.run(["grep", "-rl", "--binary-files=text", "-F", root_key, server.data_dir],
                           capture_output=True)
    assert found.returncode == 1
    for folder, _, files in os.walk(server.data_dir):
        for name in files:
            with open(os.path.join(folder, name), "rb") as f:
                assert data_key["Plaintext"] not in f.read()
    assert root_key not in server.read_log()
    # Another root key cannot open the material: the server answers an
    # internal error instead of a wrong plaintext.
    server.stop()
    server.env["KURA_KMS_ROOT_KEY"] = base64.b64encode(os.urandom(32)).decode()
    server.start()
    kms = server.client("kms")
    assert error_code(kms.decrypt, CiphertextBlob=data_key["CiphertextBlob"]) == "InternalFailure"
