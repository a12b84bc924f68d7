"""DescribeOrderableDBInstanceOptions lists what CreateDBInstance takes here:
every class of AWS's table for each engine Kura serves (db.serverless for
Aurora only), in pages a paginator walks whole; a listed class is created,
one not listed is refused."""
import botocore.exceptions
import pytest

from rds_support import PASSWORD, wait_status


def all_options(rds, **params):
    pages = rds.get_paginator("describe_orderable_db_instance_options").paginate(**params)
    return [option for page in pages for option in page["OrderableDBInstanceOptions"]]


def test_orderable_options_are_what_create_takes(kura_factory):
    server = kura_factory()
    rds = server.client("rds")
    version = rds.describe_db_engine_versions(Engine="postgres")["DBEngineVersions"][0]["EngineVersion"]
    options = all_options(rds, Engine="postgres", PaginationConfig={"PageSize": 100})
    keys = [(o["EngineVersion"], o["DBInstanceClass"], o["StorageType"]) for o in options]
    assert len(keys) == len(set(keys)) and keys == sorted(keys)
    classes = {o["DBInstanceClass"] for o in options}
    assert {"db.t3.micro", "db.m5.large", "db.r6g.large"} <= classes and "db.serverless" not in classes
    assert {o["EngineVersion"] for o in options} == {version}
    micro = [o for o in options if o["DBInstanceClass"] == "db.t3.micro" and o["StorageType"] == "gp2"]
    assert micro[0]["MultiAZCapable"] is True and micro[0]["LicenseModel"] == "postgresql-license"
    assert micro[0]["MinStorageSize"] == 20

    aurora = all_options(rds, Engine="aurora-postgresql")
    assert "db.serverless" in {o["DBInstanceClass"] for o in aurora}
    assert {o["StorageType"] for o in aurora} == {"aurora"} and len(aurora) == len(classes) + 1
    one = rds.describe_orderable_db_instance_options(Engine="postgres", DBInstanceClass="db.t4g.micro",
                                                     MaxRecords=20)["OrderableDBInstanceOptions"]
    assert {o["DBInstanceClass"] for o in one} == {"db.t4g.micro"}
    assert rds.describe_orderable_db_instance_options(Engine="oracle-ee")["OrderableDBInstanceOptions"] == []
    with pytest.raises(botocore.exceptions.ClientError) as info:
        rds.describe_orderable_db_instance_options(Engine="postgres", MaxRecords=10)
    assert info.value.response["Error"]["Code"] == "InvalidParameterValue"

    # What the list says is what CreateDBInstance does.
    rds.create_db_instance(DBInstanceIdentifier="listed", Engine="postgres", DBInstanceClass=one[0]["DBInstanceClass"],
                           MasterUsername="admin", MasterUserPassword=PASSWORD, AllocatedStorage=20)
    wait_status(rds, "listed", "available")
    with pytest.raises(botocore.exceptions.ClientError) as info:
        rds.create_db_instance(DBInstanceIdentifier="unlisted", Engine="postgres", DBInstanceClass="db.serverless",
                               MasterUsername="admin", MasterUserPassword=PASSWORD, AllocatedStorage=20)
    assert info.value.response["Error"]["Code"] == "InvalidParameterCombination"
