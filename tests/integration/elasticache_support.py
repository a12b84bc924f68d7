"""What the ElastiCache modules that need a server of their own share."""
import time

import botocore.exceptions
import pytest


@pytest.fixture(scope="module")
def kura(kura_factory):
    """A server of the importing module's own: the shared server's engine
    ports are mostly taken by the modules run before (a cluster-mode group
    takes nine)."""
    return kura_factory()


def wait_gone(ec, cluster=None, group=None, timeout=60):
    """Until the deletion is done and the ports are free again (a server's
    port range is small)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if cluster:
                ec.describe_cache_clusters(CacheClusterId=cluster)
            else:
                ec.describe_replication_groups(ReplicationGroupId=group)
        except botocore.exceptions.ClientError as error:
            if error.response["Error"]["Code"] in ("CacheClusterNotFound", "ReplicationGroupNotFoundFault"):
                return
            raise
        time.sleep(0.5)
    raise AssertionError(f"{cluster or group} is not gone after {timeout} s")
