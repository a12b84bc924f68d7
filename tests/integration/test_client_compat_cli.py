"""Debian's AWS CLI v2 and the machine image's newer AWS CLI v1 (whose
CloudWatch speaks Smithy RPC v2 CBOR) drive every service Kura serves:
main calls, a waiter and a paginator per service, each read back
(tests/compat/cli_scenario.py). The v1 is skipped, with the reason, where
there is none."""
import os
import sys

import pytest

from compat_clients import COMPAT, newer_cli_v1

sys.path.insert(0, COMPAT)
import cli_scenario  # noqa: E402

SERVICES = list(cli_scenario.STEPS) + ["cloudtrail"]


def debian_cli():
    if not os.path.exists("/usr/bin/aws"):
        pytest.skip("Debian's AWS CLI (/usr/bin/aws, package awscli) is not installed")
    return "/usr/bin/aws"


def newer_cli():
    aws, why = newer_cli_v1()
    if aws is None:
        pytest.skip(why)
    return aws


@pytest.fixture(scope="module", params=["debian-v2", "newer-v1"])
def report(request, kura):
    aws = debian_cli() if request.param == "debian-v2" else newer_cli()
    return cli_scenario.run(aws, kura.endpoint, "compat-cli-" + request.param)


@pytest.mark.parametrize("service", SERVICES)
def test_service(report, service):
    assert report[service] is None, report[service]
