"""The boto3 (and botocore) of the machine image, newer than Debian's, drives
every service Kura serves: main calls, a waiter and a paginator per service,
each read back (tests/compat/boto3_scenario.py). Its CloudWatch speaks Smithy
RPC v2 CBOR. Skipped, with the reason, where there is no such boto3."""
import os

import pytest

from compat_clients import COMPAT, newer_python, run_json

SERVICES = ["cloudwatch", "dynamodb", "kms", "secretsmanager", "logs", "iam_sts", "ec2", "elasticache",
            "cloudtrail", "rds", "autoscaling"]


@pytest.fixture(scope="module")
def report(kura):
    python, version = newer_python()
    if python is None:
        pytest.skip(version)
    return run_json([python, os.path.join(COMPAT, "boto3_scenario.py"), kura.endpoint, "ap-northeast-1",
                     "compat-boto3"])


@pytest.mark.parametrize("service", SERVICES)
def test_service(report, service):
    assert report[service]["ok"], report[service]["error"]


def test_cloudwatch_spoke_cbor_where_its_model_lists_it(report):
    """A botocore whose CloudWatch model lists CBOR speaks it (and so the
    CloudWatch calls above went over CBOR)."""
    if "smithy-rpc-v2-cbor" not in report["cloudwatch"]["protocols"]:
        pytest.skip(f"botocore {report['botocore']}'s CloudWatch does not speak CBOR")
    assert report["cloudwatch"]["protocol"] == "smithy-rpc-v2-cbor"
