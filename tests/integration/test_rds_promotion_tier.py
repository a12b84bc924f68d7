"""PromotionTier as Aurora applies it: a failover with no target promotes,
among the readers that have every acknowledged commit, the one of the best
tier (0 first, before the order of names); modify-db-instance
--promotion-tier changes it at once; a tier outside 0-15 is refused."""
import time

import botocore.exceptions
import pytest

from rds_support import PASSWORD, cluster, wait_cluster, wait_instances, writer_of

ENGINE = "aurora-postgresql"


def error_code(call, **params):
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call(**params)
    return info.value.response["Error"]["Code"]


def failover_to(rds, identifier, expected, timeout=120):
    rds.failover_db_cluster(DBClusterIdentifier=identifier)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        described = cluster(rds, identifier)
        if described["Status"] == "available" and writer_of(rds, identifier) == expected:
            return
        time.sleep(0.5)
    raise AssertionError(f"the writer is {writer_of(rds, identifier)}, not {expected}")


def test_a_failover_promotes_the_reader_of_the_best_tier(kura_factory):
    server = kura_factory()
    rds = server.client("rds")
    rds.create_db_cluster(DBClusterIdentifier="pt", Engine=ENGINE, MasterUsername="admin",
                          MasterUserPassword=PASSWORD)
    wait_cluster(rds, "pt")
    rds.create_db_instance(DBInstanceIdentifier="pt-1", DBClusterIdentifier="pt", Engine=ENGINE,
                           DBInstanceClass="db.r6g.large")
    wait_instances(rds, ["pt-1"])
    assert error_code(rds.create_db_instance, DBInstanceIdentifier="pt-9", DBClusterIdentifier="pt", Engine=ENGINE,
                      DBInstanceClass="db.r6g.large", PromotionTier=16) == "InvalidParameterValue"
    # By name pt-2 would come first: its tier puts it last.
    rds.create_db_instance(DBInstanceIdentifier="pt-2", DBClusterIdentifier="pt", Engine=ENGINE,
                           DBInstanceClass="db.r6g.large", PromotionTier=15)
    rds.create_db_instance(DBInstanceIdentifier="pt-3", DBClusterIdentifier="pt", Engine=ENGINE,
                           DBInstanceClass="db.r6g.large", PromotionTier=0)
    wait_instances(rds, ["pt-2", "pt-3"])
    assert writer_of(rds, "pt") == "pt-1"
    tiers = {m["DBInstanceIdentifier"]: m["PromotionTier"] for m in cluster(rds, "pt")["DBClusterMembers"]}
    assert tiers == {"pt-1": 1, "pt-2": 15, "pt-3": 0}

    failover_to(rds, "pt", "pt-3")

    # Changed at once, as RDS applies it.
    assert error_code(rds.modify_db_instance, DBInstanceIdentifier="pt-2", PromotionTier=-1) == \
        "InvalidParameterValue"
    out = rds.modify_db_instance(DBInstanceIdentifier="pt-2", PromotionTier=0)["DBInstance"]
    assert out["PromotionTier"] == 0
    tiers = {m["DBInstanceIdentifier"]: m["PromotionTier"] for m in cluster(rds, "pt")["DBClusterMembers"]}
    assert tiers == {"pt-1": 1, "pt-2": 0, "pt-3": 0}
    described = rds.describe_db_instances(DBInstanceIdentifier="pt-2")["DBInstances"][0]
    assert described["PromotionTier"] == 0
