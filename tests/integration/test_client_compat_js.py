"""The AWS SDK for JavaScript v3 (the versions tests/compat/package.json
pins, installed with npm into a cache folder outside the repository) drives
every service Kura serves: main calls, a waiter and a paginator per service,
each read back (tests/compat/sdk_v3_scenario.mjs). Its CloudWatch speaks
awsJson 1.0. Skipped, with the reason, without Node.js and npm, or when the
packages can neither be found in the cache nor installed."""
import os

import pytest

from compat_clients import COMPAT, installed_npm_packages, run_json

SERVICES = ["cloudwatch", "dynamodb", "kms", "secretsmanager", "logs", "iam_sts", "ec2", "elasticache", "rds",
            "cloudtrail", "autoscaling"]


def installed_sdk():
    """(node, folder): the pinned clients, installed there when they are not."""
    return installed_npm_packages(os.path.join(COMPAT, "package.json"), "sdk-v3", "the AWS SDK for JavaScript v3")


@pytest.fixture(scope="module")
def report(kura):
    node, folder = installed_sdk()
    env = dict(os.environ, NODE_NO_WARNINGS="1")
    return run_json([node, os.path.join(COMPAT, "sdk_v3_scenario.mjs"), folder, kura.endpoint, "ap-northeast-1",
                     "compat-js"], env=env)


@pytest.mark.parametrize("service", SERVICES)
def test_service(report, service):
    assert report[service]["ok"], report[service]["error"]
