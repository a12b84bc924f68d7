"""KMS key rotation as a current SDK drives it: RotateKeyOnDemand,
ListKeyRotations and the newer GetKeyRotationStatus members (Debian's
botocore predates them, so the client here loads Kura's newer KMS model from
tools/models/aws). Every ciphertext stays readable across rotations and a
SIGKILL; new ones use the newest material."""
import os

import boto3
import botocore.config
import botocore.exceptions
import botocore.session
import pytest

from conftest import REGION, ROOT

MODELS = os.path.join(ROOT, "tools", "models", "aws")


def kms_client(server):
    session = botocore.session.get_session()
    session.get_component("data_loader").search_paths.insert(0, MODELS)
    config = botocore.config.Config(retries={"max_attempts": 1, "mode": "standard"}, read_timeout=60)
    return boto3.Session(botocore_session=session).client(
        "kms", endpoint_url=server.endpoint, region_name=REGION, aws_access_key_id="test",
        aws_secret_access_key="test", config=config)


def error_of(call, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call(**kwargs)
    return info.value.response["Error"]["Code"], info.value.response["Error"]["Message"]


def test_on_demand_rotation_keeps_old_ciphertexts_and_schedule(kura_factory):
    server = kura_factory()
    kms = kms_client(server)
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    first = kms.encrypt(KeyId=key, Plaintext=b"before")["CiphertextBlob"]
    assert kms.list_key_rotations(KeyId=key)["Rotations"] == []

    kms.enable_key_rotation(KeyId=key, RotationPeriodInDays=90)
    status = kms.get_key_rotation_status(KeyId=key)
    assert status["KeyRotationEnabled"] is True and status["RotationPeriodInDays"] == 90
    assert status["KeyId"].endswith(":key/" + key)
    scheduled = status["NextRotationDate"]

    assert kms.rotate_key_on_demand(KeyId=key)["KeyId"] == key
    second = kms.encrypt(KeyId=key, Plaintext=b"after")["CiphertextBlob"]
    assert first != second
    rotations = kms.list_key_rotations(KeyId=key)["Rotations"]
    assert len(rotations) == 1
    assert rotations[0]["RotationType"] == "ON_DEMAND" and rotations[0]["KeyId"] == key
    assert rotations[0]["KeyMaterialState"] == "CURRENT" and "RotationDate" in rotations[0]
    # An on-demand rotation leaves the automatic schedule as it was.
    assert kms.get_key_rotation_status(KeyId=key)["NextRotationDate"] == scheduled
    every = kms.list_key_rotations(KeyId=key, IncludeKeyMaterial="ALL_KEY_MATERIAL")["Rotations"]
    assert [r["KeyMaterialState"] for r in every] == ["NON_CURRENT", "CURRENT"]
    assert "RotationType" not in every[0]
    assert len({r["KeyMaterialId"] for r in every}) == 2

    # Both generations decrypt, before and after a SIGKILL.
    for _ in range(2):
        assert kms.decrypt(CiphertextBlob=first)["Plaintext"] == b"before"
        assert kms.decrypt(CiphertextBlob=second)["Plaintext"] == b"after"
        server.restart(sigkill=True)
        kms = kms_client(server)
    assert len(kms.list_key_rotations(KeyId=key)["Rotations"]) == 1


def test_on_demand_rotation_limits_and_refusals(kura):
    kms = kms_client(kura)
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    blobs = []
    for n in range(25):
        blobs.append(kms.encrypt(KeyId=key, Plaintext=str(n).encode())["CiphertextBlob"])
        kms.rotate_key_on_demand(KeyId=key)
    code, message = error_of(kms.rotate_key_on_demand, KeyId=key)
    assert code == "LimitExceededException" and "25" in message
    for n, blob in enumerate(blobs):
        assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == str(n).encode()

    page = kms.list_key_rotations(KeyId=key, Limit=10)
    assert len(page["Rotations"]) == 10 and page["Truncated"] is True
    seen = page["Rotations"]
    while page.get("Truncated"):
        page = kms.list_key_rotations(KeyId=key, Limit=10, Marker=page["NextMarker"])
        seen += page["Rotations"]
    assert len(seen) == 25 and all(r["RotationType"] == "ON_DEMAND" for r in seen)
    assert [r["KeyMaterialState"] for r in seen].count("CURRENT") == 1

    other = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.disable_key(KeyId=other)
    assert error_of(kms.rotate_key_on_demand, KeyId=other)[0] == "DisabledException"
    kms.schedule_key_deletion(KeyId=other, PendingWindowInDays=7)
    assert error_of(kms.rotate_key_on_demand, KeyId=other)[0] == "KMSInvalidStateException"
    assert error_of(kms.list_key_rotations, KeyId=other)[0] == "KMSInvalidStateException"
    assert error_of(kms.rotate_key_on_demand,
                    KeyId="11111111-2222-3333-4444-555555555555")[0] == "NotFoundException"
    managed = kms.describe_key(KeyId="alias/aws/rds")["KeyMetadata"]["KeyId"]
    assert error_of(kms.rotate_key_on_demand, KeyId=managed)[0] == "UnsupportedOperationException"


def test_concurrent_on_demand_rotations_each_make_one_generation(kura):
    import concurrent.futures
    kms = kms_client(kura)
    key = kms.create_key()["KeyMetadata"]["KeyId"]
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: kms_client(kura).rotate_key_on_demand(KeyId=key), range(8)))
    assert all(r["KeyId"] == key for r in results)
    rotations = kms.list_key_rotations(KeyId=key)["Rotations"]
    assert len(rotations) == 8 and len({r["KeyMaterialId"] for r in rotations}) == 8
    blob = kms.encrypt(KeyId=key, Plaintext=b"x")["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"x"
