"""Signature Version 4a (AWS4-ECDSA-P256-SHA256) through botocore's own
signer (the AWS Common Runtime's): the calls of a JSON and a query
service are verified, do what they say, and are refused with a wrong
secret. The suite's every case is in tests/unit/auth/sigv4a_vectors_test.cpp."""
import botocore.config
import botocore.exceptions
import boto3
import pytest

pytest.importorskip("awscrt")

from conftest import REGION  # noqa: E402


def v4a_client(server, service, secret="test"):
    config = botocore.config.Config(signature_version="v4a", retries={"max_attempts": 1, "mode": "standard"})
    client = boto3.client(service, endpoint_url=server.endpoint, region_name=REGION, aws_access_key_id="test",
                          aws_secret_access_key=secret, config=config,
                          **({"verify": server.ca_bundle} if server.tls else {}))
    algorithms = set()

    def note_algorithm(request, **_):
        header = request.headers["Authorization"]
        algorithms.add((header.decode() if isinstance(header, bytes) else header).split(" ")[0])

    client.meta.events.register("before-send", note_algorithm)
    return client, algorithms


def test_dynamodb_calls_signed_with_sigv4a_do_what_they_say(kura):
    ddb, algorithms = v4a_client(kura, "dynamodb")
    ddb.create_table(TableName="v4a-items", AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}], BillingMode="PAY_PER_REQUEST")
    ddb.put_item(TableName="v4a-items", Item={"k": {"S": "one"}, "v": {"N": "7"}})
    assert ddb.get_item(TableName="v4a-items", Key={"k": {"S": "one"}})["Item"] == {"k": {"S": "one"},
                                                                                    "v": {"N": "7"}}
    # The table is in the region the set names, as a SigV4 call sees it.
    assert "v4a-items" in kura.client("dynamodb").list_tables()["TableNames"]
    assert algorithms == {"AWS4-ECDSA-P256-SHA256"}
    ddb.delete_table(TableName="v4a-items")


def test_query_service_calls_signed_with_sigv4a_are_verified(kura):
    rds, algorithms = v4a_client(kura, "rds")
    rds.create_db_parameter_group(DBParameterGroupName="v4a-params", DBParameterGroupFamily="postgres15",
                                  Description="signed with SigV4a")
    groups = kura.client("rds").describe_db_parameter_groups(DBParameterGroupName="v4a-params")["DBParameterGroups"]
    assert groups[0]["Description"] == "signed with SigV4a"
    rds.delete_db_parameter_group(DBParameterGroupName="v4a-params")
    assert algorithms == {"AWS4-ECDSA-P256-SHA256"}


def test_a_sigv4a_call_with_the_wrong_secret_is_refused(kura):
    ddb, _ = v4a_client(kura, "dynamodb", secret="not-the-secret")
    with pytest.raises(botocore.exceptions.ClientError) as info:
        ddb.list_tables()
    assert info.value.response["Error"]["Code"] == "InvalidSignatureException"
    rds, _ = v4a_client(kura, "rds", secret="not-the-secret")
    with pytest.raises(botocore.exceptions.ClientError) as info:
        rds.describe_db_instances()
    assert info.value.response["Error"]["Code"] == "SignatureDoesNotMatch"
