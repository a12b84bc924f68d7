"""DB parameter groups on real PostgreSQL: the installed server's settings,
values PostgreSQL itself checks, dynamic ones applied at once, static ones
after a reboot (pending-reboot until then), all read back with SHOW."""
import time

import botocore.exceptions
import pytest

from rds_support import create_instance, psql, wait_status


def error_code(call, *args, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call(*args, **kwargs)
    return info.value.response["Error"]["Code"], info.value.response["Error"]["Message"]


def apply_status(rds, identifier):
    instance = rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]
    return instance["DBParameterGroups"][0]


def wait_apply_status(rds, identifier, wanted, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if apply_status(rds, identifier)["ParameterApplyStatus"] == wanted:
            return
        time.sleep(0.2)
    raise AssertionError(f"{identifier}: {apply_status(rds, identifier)}")


def wait_show(rds, identifier, setting, wanted, timeout=30):
    deadline = time.monotonic() + timeout
    value = None
    while time.monotonic() < deadline:
        value = psql(rds, identifier, f"SHOW {setting}")
        if value == wanted:
            return
        time.sleep(0.2)
    raise AssertionError(f"{setting} is {value}, not {wanted}")


def test_parameter_group_lifecycle_and_effect(kura_factory):
    server = kura_factory()
    rds = server.client("rds")
    family = rds.describe_db_engine_versions(Engine="postgres")["DBEngineVersions"][0]["DBParameterGroupFamily"]
    defaults = rds.describe_engine_default_parameters(DBParameterGroupFamily=family)["EngineDefaults"]
    names = {p["ParameterName"]: p for p in defaults["Parameters"]}
    assert "Marker" in defaults  # pages of at most 100
    rds.create_db_parameter_group(DBParameterGroupName="app-params", DBParameterGroupFamily=family,
                                  Description="app")
    assert error_code(rds.create_db_parameter_group, DBParameterGroupName="app-params",
                      DBParameterGroupFamily=family, Description="again")[0] == "DBParameterGroupAlreadyExists"
    groups = [g["DBParameterGroupName"] for g in rds.describe_db_parameter_groups()["DBParameterGroups"]]
    assert "app-params" in groups and f"default.{family}" in groups

    # Values PostgreSQL refuses are refused, in its words; nothing is stored.
    code, message = error_code(rds.modify_db_parameter_group, DBParameterGroupName="app-params",
                               Parameters=[{"ParameterName": "log_statement", "ParameterValue": "bogus",
                                            "ApplyMethod": "immediate"}])
    assert code == "InvalidParameterValue" and "none, ddl, mod, all" in message
    assert error_code(rds.modify_db_parameter_group, DBParameterGroupName="app-params",
                      Parameters=[{"ParameterName": "max_connections", "ParameterValue": "50",
                                   "ApplyMethod": "immediate"}])[0] == "InvalidParameterCombination"
    assert error_code(rds.modify_db_parameter_group, DBParameterGroupName="app-params",
                      Parameters=[{"ParameterName": "port", "ParameterValue": "1",
                                   "ApplyMethod": "pending-reboot"}])[0] == "InvalidParameterValue"
    assert error_code(rds.modify_db_parameter_group, DBParameterGroupName=f"default.{family}",
                      Parameters=[{"ParameterName": "timezone", "ParameterValue": "Asia/Tokyo",
                                   "ApplyMethod": "immediate"}])[0] == "InvalidDBParameterGroupState"
    every = [p for page in rds.get_paginator("describe_db_parameters").paginate(DBParameterGroupName="app-params")
             for p in page["Parameters"]]
    names = {p["ParameterName"]: p for p in every}
    assert len(names) == len(every) > 200
    assert names["max_connections"]["ApplyType"] == "static" and names["timezone"]["ApplyType"] == "dynamic"
    assert names["port"]["IsModifiable"] is False

    rds.modify_db_parameter_group(DBParameterGroupName="app-params", Parameters=[
        {"ParameterName": "timezone", "ParameterValue": "Asia/Tokyo", "ApplyMethod": "immediate"}])
    user = rds.describe_db_parameters(DBParameterGroupName="app-params", Source="user")["Parameters"]
    assert [(p["ParameterName"], p["ParameterValue"]) for p in user] == [("timezone", "Asia/Tokyo")]

    create_instance(rds, "tuned", BackupRetentionPeriod=0, DBParameterGroupName="app-params")
    assert apply_status(rds, "tuned") == {"DBParameterGroupName": "app-params", "ParameterApplyStatus": "in-sync"}
    assert psql(rds, "tuned", "SHOW timezone") == "Asia/Tokyo"
    assert error_code(rds.delete_db_parameter_group, DBParameterGroupName="app-params")[0] == \
        "InvalidDBParameterGroupState"

    # Dynamic: at once.
    rds.modify_db_parameter_group(DBParameterGroupName="app-params", Parameters=[
        {"ParameterName": "log_statement", "ParameterValue": "ddl", "ApplyMethod": "immediate"}])
    wait_show(rds, "tuned", "log_statement", "ddl")
    wait_apply_status(rds, "tuned", "in-sync")

    # Static: pending-reboot until the reboot, then in effect.
    before = psql(rds, "tuned", "SHOW max_connections")
    rds.modify_db_parameter_group(DBParameterGroupName="app-params", Parameters=[
        {"ParameterName": "max_connections", "ParameterValue": "42", "ApplyMethod": "pending-reboot"}])
    wait_apply_status(rds, "tuned", "pending-reboot")
    assert psql(rds, "tuned", "SHOW max_connections") == before
    rds.reboot_db_instance(DBInstanceIdentifier="tuned")
    wait_status(rds, "tuned", "available")
    assert psql(rds, "tuned", "SHOW max_connections") == "42"
    assert apply_status(rds, "tuned")["ParameterApplyStatus"] == "in-sync"

    # Reset brings the engine default back (static: after a reboot).
    rds.reset_db_parameter_group(DBParameterGroupName="app-params", ResetAllParameters=True)
    assert rds.describe_db_parameters(DBParameterGroupName="app-params", Source="user")["Parameters"] == []
    wait_show(rds, "tuned", "log_statement", "none")
    wait_apply_status(rds, "tuned", "pending-reboot")

    rds.delete_db_instance(DBInstanceIdentifier="tuned", SkipFinalSnapshot=True)
    wait_gone = time.monotonic() + 60
    while time.monotonic() < wait_gone:
        try:
            rds.delete_db_parameter_group(DBParameterGroupName="app-params")
            break
        except botocore.exceptions.ClientError:
            time.sleep(0.3)
    assert error_code(rds.describe_db_parameters, DBParameterGroupName="app-params")[0] == "DBParameterGroupNotFound"


def test_a_copied_parameter_group_carries_its_values_to_an_instance(kura_factory):
    server = kura_factory()
    rds = server.client("rds")
    family = rds.describe_db_engine_versions(Engine="postgres")["DBEngineVersions"][0]["DBParameterGroupFamily"]
    rds.create_db_parameter_group(DBParameterGroupName="base", DBParameterGroupFamily=family, Description="base")
    rds.modify_db_parameter_group(DBParameterGroupName="base", Parameters=[
        {"ParameterName": "log_min_duration_statement", "ParameterValue": "250", "ApplyMethod": "immediate"}])
    arn = rds.describe_db_parameter_groups(DBParameterGroupName="base")["DBParameterGroups"][0]["DBParameterGroupArn"]
    copied = rds.copy_db_parameter_group(SourceDBParameterGroupIdentifier=arn, TargetDBParameterGroupIdentifier="Copy",
                                         TargetDBParameterGroupDescription="a copy",
                                         Tags=[{"Key": "team", "Value": "db"}])["DBParameterGroup"]
    assert (copied["DBParameterGroupName"], copied["DBParameterGroupFamily"], copied["Description"]) == (
        "copy", family, "a copy")
    assert rds.list_tags_for_resource(ResourceName=copied["DBParameterGroupArn"])["TagList"] == [
        {"Key": "team", "Value": "db"}]
    mine = rds.describe_db_parameters(DBParameterGroupName="copy", Source="user")["Parameters"]
    assert [(p["ParameterName"], p["ParameterValue"]) for p in mine] == [("log_min_duration_statement", "250")]
    # A default group copies too (no values of its own); the source is unchanged by the copy's changes.
    rds.copy_db_parameter_group(SourceDBParameterGroupIdentifier=f"default.{family}",
                                TargetDBParameterGroupIdentifier="from-default", TargetDBParameterGroupDescription="d")
    assert rds.describe_db_parameters(DBParameterGroupName="from-default", Source="user")["Parameters"] == []
    rds.modify_db_parameter_group(DBParameterGroupName="copy", Parameters=[
        {"ParameterName": "log_min_duration_statement", "ParameterValue": "500", "ApplyMethod": "immediate"}])
    base = rds.describe_db_parameters(DBParameterGroupName="base", Source="user")["Parameters"]
    assert [p["ParameterValue"] for p in base] == ["250"]
    for source, target, code in (("nope", "x", "DBParameterGroupNotFound"),
                                 ("arn:aws:rds:us-east-1:000000000000:pg:nope", "x", "DBParameterGroupNotFound"),
                                 ("base", "copy", "DBParameterGroupAlreadyExists"),
                                 ("base", "default.mine", "InvalidParameterValue")):
        assert error_code(rds.copy_db_parameter_group, SourceDBParameterGroupIdentifier=source,
                          TargetDBParameterGroupIdentifier=target,
                          TargetDBParameterGroupDescription="d")[0] == code, (source, target)

    create_instance(rds, "copied", DBParameterGroupName="copy", BackupRetentionPeriod=0)
    wait_show(rds, "copied", "log_min_duration_statement", "500ms")

    cluster_family = f"aurora-postgresql{family.removeprefix('postgres')}"
    rds.create_db_cluster_parameter_group(DBClusterParameterGroupName="cbase", DBParameterGroupFamily=cluster_family,
                                          Description="c")
    rds.modify_db_cluster_parameter_group(DBClusterParameterGroupName="cbase", Parameters=[
        {"ParameterName": "log_min_duration_statement", "ParameterValue": "750", "ApplyMethod": "immediate"}])
    copied = rds.copy_db_cluster_parameter_group(SourceDBClusterParameterGroupIdentifier="cbase",
                                                 TargetDBClusterParameterGroupIdentifier="ccopy",
                                                 TargetDBClusterParameterGroupDescription="c copy")
    assert copied["DBClusterParameterGroup"]["DBParameterGroupFamily"] == cluster_family
    values = rds.describe_db_cluster_parameters(DBClusterParameterGroupName="ccopy", Source="user")["Parameters"]
    assert [(p["ParameterName"], p["ParameterValue"]) for p in values] == [("log_min_duration_statement", "750")]
