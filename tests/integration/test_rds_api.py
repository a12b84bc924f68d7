"""RDS API behaviour that needs no engine: empty lists, validation, AWS's
error codes, and nothing recorded on error."""
import botocore.exceptions
import pytest


def error_of(call, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call(**kwargs)
    return info.value.response["Error"]["Code"], info.value.response["Error"]["Message"]


BASE = dict(DBInstanceClass="db.t3.micro", Engine="postgres", MasterUsername="admin",
            MasterUserPassword="S3cret-pass", AllocatedStorage=20)


def test_describe_db_instances_empty_via_cli(kura_factory):
    server = kura_factory()
    assert server.aws("rds", "describe-db-instances") == {"DBInstances": []}
    assert server.aws("elasticache", "describe-cache-clusters") == {"CacheClusters": []}


@pytest.mark.parametrize("overrides,code", [
    (dict(DBInstanceIdentifier="1bad"), "InvalidParameterValue"),
    (dict(DBInstanceIdentifier="bad--name"), "InvalidParameterValue"),
    (dict(DBInstanceIdentifier="ok", MasterUserPassword="short"), "InvalidParameterValue"),
    (dict(DBInstanceIdentifier="ok", MasterUserPassword="has/slash-inside"), "InvalidParameterValue"),
    (dict(DBInstanceIdentifier="ok", Engine="oracle-ee"), "InvalidParameterValue"),
    (dict(DBInstanceIdentifier="ok", EngineVersion="9.6"), "InvalidParameterCombination"),
    (dict(DBInstanceIdentifier="ok", BackupRetentionPeriod=36), "InvalidParameterValue"),
    (dict(DBInstanceIdentifier="ok", PreferredBackupWindow="02:00-02:10"), "InvalidParameterValue"),
    (dict(DBInstanceIdentifier="ok", PreferredBackupWindow="2am-3am"), "InvalidParameterValue"),
    (dict(DBInstanceIdentifier="ok", AllocatedStorage=5), "InvalidParameterValue"),
])
def test_create_rejects_bad_input_and_records_nothing(kura, overrides, code):
    rds = kura.client("rds")
    params = dict(BASE, **overrides)
    assert error_of(rds.create_db_instance, **params)[0] == code
    listed = rds.describe_db_instances()["DBInstances"]
    assert params["DBInstanceIdentifier"] not in [i["DBInstanceIdentifier"] for i in listed]


def test_missing_required_parameter(kura):
    code, message = error_of(kura.client("rds").delete_db_instance, DBInstanceIdentifier="")
    assert code in ("InvalidParameterValue", "DBInstanceNotFound", "MissingParameter")


def test_not_found_errors(kura):
    rds = kura.client("rds")
    code, message = error_of(rds.describe_db_instances, DBInstanceIdentifier="nope")
    assert code == "DBInstanceNotFound" and message == "DBInstance nope not found."
    assert error_of(rds.delete_db_instance, DBInstanceIdentifier="nope", SkipFinalSnapshot=True)[0] == \
        "DBInstanceNotFound"
    assert error_of(rds.describe_db_snapshots, DBSnapshotIdentifier="nope")[0] == "DBSnapshotNotFound"
    assert error_of(rds.restore_db_instance_from_db_snapshot, DBInstanceIdentifier="r",
                    DBSnapshotIdentifier="nope")[0] == "DBSnapshotNotFound"
    assert error_of(rds.create_db_snapshot, DBInstanceIdentifier="nope", DBSnapshotIdentifier="s")[0] == \
        "DBInstanceNotFound"


def test_describe_validates_paging_and_filters(kura):
    rds = kura.client("rds")
    assert error_of(rds.describe_db_instances, MaxRecords=5)[0] == "InvalidParameterValue"
    assert error_of(rds.describe_db_instances, Marker="garbage!")[0] == "InvalidParameterValue"
    assert error_of(rds.describe_db_instances, Filters=[{"Name": "colour", "Values": ["red"]}])[0] == \
        "InvalidParameterValue"


def test_describe_events_needs_source_type_with_identifier(kura):
    assert error_of(kura.client("rds").describe_events, SourceIdentifier="x")[0] == "InvalidParameterCombination"


def test_engine_versions_are_what_is_installed(kura):
    versions = kura.client("rds").describe_db_engine_versions(Engine="postgres")["DBEngineVersions"]
    assert len(versions) == 1
    assert versions[0]["DBParameterGroupFamily"].startswith("postgres")
    assert kura.client("rds").describe_db_engine_versions(Engine="postgres", EngineVersion="9.6")[
        "DBEngineVersions"] == []
