"""Inputs RDS takes that Kura cannot put into effect are refused in AWS's
error shape and change nothing, never accepted and ignored (Enhanced
Monitoring, Performance Insights, option groups, a directory domain, a
port changed by a modify, a Multi-AZ restore, a replica under another key,
log exports set by a restore, Serverless v1); a value that asks for what
Kura does anyway (MonitoringInterval 0, a default option group) passes."""
import botocore.exceptions
import pytest

from rds_support import PASSWORD, create_instance


def refused(call, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        call(**kwargs)
    return raised.value.response["Error"]["Code"], raised.value.response["Error"]["Message"]


def instance_names(rds):
    return [i["DBInstanceIdentifier"] for i in rds.describe_db_instances()["DBInstances"]]


def test_what_kura_cannot_do_is_refused_and_changes_nothing(kura):
    rds = kura.client("rds")
    base = dict(DBInstanceIdentifier="inputs-refused", Engine="postgres", DBInstanceClass="db.t3.micro",
                MasterUsername="admin", MasterUserPassword=PASSWORD, AllocatedStorage=20)
    for extra in ({"MonitoringInterval": 60}, {"EnablePerformanceInsights": True},
                  {"OptionGroupName": "my-options"}, {"Domain": "d-1234567890"}):
        code, message = refused(rds.create_db_instance, **base, **extra)
        (member,) = extra
        assert code == "InvalidParameterValue" and f"The parameter {member} is not supported by Kura" in message
    assert "inputs-refused" not in instance_names(rds)
    code, _ = refused(rds.create_db_cluster, DBClusterIdentifier="inputs-v1", Engine="aurora-postgresql",
                      MasterUsername="admin", MasterUserPassword=PASSWORD, EngineMode="serverless",
                      ScalingConfiguration={"MinCapacity": 2, "MaxCapacity": 4})
    assert code == "InvalidParameterValue"
    assert not [c for c in rds.describe_db_clusters()["DBClusters"] if c["DBClusterIdentifier"] == "inputs-v1"]

    # What Kura does anyway passes.
    create_instance(rds, "inputs", MonitoringInterval=0, OptionGroupName="default:postgres-15",
                    EnablePerformanceInsights=False, BackupRetentionPeriod=1)
    port = rds.describe_db_instances(DBInstanceIdentifier="inputs")["DBInstances"][0]["Endpoint"]["Port"]
    for extra in ({"DBPortNumber": port + 1}, {"MonitoringInterval": 5}, {"ReplicaMode": "mounted"}):
        code, message = refused(rds.modify_db_instance, DBInstanceIdentifier="inputs", ApplyImmediately=True, **extra)
        assert code == "InvalidParameterValue", message
    assert rds.describe_db_instances(DBInstanceIdentifier="inputs")["DBInstances"][0]["Endpoint"]["Port"] == port
    code, message = refused(rds.restore_db_instance_to_point_in_time, SourceDBInstanceIdentifier="inputs",
                            TargetDBInstanceIdentifier="inputs-pitr", UseLatestRestorableTime=True, MultiAZ=True)
    assert code == "InvalidParameterCombination" and "Single-AZ" in message
    key = kura.client("kms").create_key()["KeyMetadata"]["Arn"]
    code, _ = refused(rds.create_db_instance_read_replica, DBInstanceIdentifier="inputs-replica",
                      SourceDBInstanceIdentifier="inputs", KmsKeyId=key)
    assert code == "InvalidParameterValue"
    code, _ = refused(rds.restore_db_instance_to_point_in_time, SourceDBInstanceIdentifier="inputs",
                      TargetDBInstanceIdentifier="inputs-pitr", UseLatestRestorableTime=True,
                      EnableCloudwatchLogsExports=["postgresql"])
    assert code == "InvalidParameterValue"
    assert not {"inputs-pitr", "inputs-replica"} & set(instance_names(rds))
    rds.delete_db_instance(DBInstanceIdentifier="inputs", SkipFinalSnapshot=True)
