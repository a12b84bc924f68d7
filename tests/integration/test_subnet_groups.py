"""DB and cache subnet groups and the security groups of RDS and
ElastiCache resources, through boto3 and the AWS CLI: the groups' lifecycle
and errors, the default group (the default VPC's subnets), the zones a
group allows, security groups checked against the group's VPC, stored and
shown, changed at once, and kept from deletion while in use."""
import time

import botocore.exceptions
import pytest

from rds_support import PASSWORD, wait_cluster, wait_gone, wait_instances, wait_status

REGION = "ap-northeast-1"
ZONE_A, ZONE_B, ZONE_C = REGION + "a", REGION + "b", REGION + "c"


@pytest.fixture(scope="module")
def server(kura_factory):
    return kura_factory()


@pytest.fixture(scope="module")
def ec2(server):
    return server.client("ec2")


@pytest.fixture(scope="module")
def rds(server):
    return server.client("rds")


@pytest.fixture(scope="module")
def elasticache(server):
    return server.client("elasticache")


def error_of(call, *args, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call(*args, **kwargs)
    return info.value.response["Error"]


def code_of(call, *args, **kwargs):
    return error_of(call, *args, **kwargs)["Code"]


class Network:
    """A VPC with a subnet in each zone and a security group, and the
    default VPC with its default group."""

    def __init__(self, ec2, cidr_second_octet):
        base = f"10.{cidr_second_octet}"
        self.vpc = ec2.create_vpc(CidrBlock=f"{base}.0.0/16")["Vpc"]["VpcId"]
        self.subnets = {}
        for index, zone in enumerate((ZONE_A, ZONE_B, ZONE_C)):
            subnet = ec2.create_subnet(VpcId=self.vpc, CidrBlock=f"{base}.{index * 16}.0/20", AvailabilityZone=zone)
            self.subnets[zone] = subnet["Subnet"]["SubnetId"]
        self.group = ec2.create_security_group(GroupName="db", Description="databases", VpcId=self.vpc)["GroupId"]
        self.default_group = ec2.describe_security_groups(
            Filters=[{"Name": "vpc-id", "Values": [self.vpc]},
                     {"Name": "group-name", "Values": ["default"]}])["SecurityGroups"][0]["GroupId"]


@pytest.fixture(scope="module")
def network(ec2):
    return Network(ec2, 20)


@pytest.fixture(scope="module")
def other_network(ec2):
    return Network(ec2, 30)


@pytest.fixture(scope="module")
def default_network(ec2):
    vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]
    group = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc]},
                                                  {"Name": "group-name", "Values": ["default"]}])["SecurityGroups"]
    return {"vpc": vpc, "subnets": sorted(s["SubnetId"] for s in subnets), "group": group[0]["GroupId"]}


def subnet_zones(group):
    return sorted(s["SubnetAvailabilityZone"]["Name"] for s in group["Subnets"])


# --- DB subnet groups ---------------------------------------------------------


def test_db_subnet_group_lifecycle(rds, network):
    made = rds.create_db_subnet_group(DBSubnetGroupName="App-DB", DBSubnetGroupDescription="app databases",
                                      SubnetIds=[network.subnets[ZONE_A], network.subnets[ZONE_C]],
                                      Tags=[{"Key": "team", "Value": "db"}])["DBSubnetGroup"]
    # RDS stores the name lower-cased.
    assert made["DBSubnetGroupName"] == "app-db"
    assert made["VpcId"] == network.vpc and made["SubnetGroupStatus"] == "Complete"
    assert made["DBSubnetGroupArn"] == f"arn:aws:rds:{REGION}:000000000000:subgrp:app-db"
    assert subnet_zones(made) == [ZONE_A, ZONE_C]
    assert all(s["SubnetStatus"] == "Active" for s in made["Subnets"])
    described = rds.describe_db_subnet_groups(DBSubnetGroupName="APP-db")["DBSubnetGroups"]
    assert [g["DBSubnetGroupName"] for g in described] == ["app-db"]
    assert described[0]["DBSubnetGroupDescription"] == "app databases"
    gone = made["DBSubnetGroupArn"].replace("app-db", "gone-db")
    assert code_of(rds.list_tags_for_resource, ResourceName=gone) == "DBSubnetGroupNotFoundFault"
    tags = rds.list_tags_for_resource(ResourceName=made["DBSubnetGroupArn"])["TagList"]
    assert tags == [{"Key": "team", "Value": "db"}]
    rds.add_tags_to_resource(ResourceName=made["DBSubnetGroupArn"], Tags=[{"Key": "env", "Value": "test"}])
    assert len(rds.list_tags_for_resource(ResourceName=made["DBSubnetGroupArn"])["TagList"]) == 2

    changed = rds.modify_db_subnet_group(DBSubnetGroupName="app-db", DBSubnetGroupDescription="all zones",
                                         SubnetIds=list(network.subnets.values()))["DBSubnetGroup"]
    assert subnet_zones(changed) == [ZONE_A, ZONE_B, ZONE_C] and changed["DBSubnetGroupDescription"] == "all zones"
    rds.modify_db_subnet_group(DBSubnetGroupName="app-db", SubnetIds=[network.subnets[ZONE_A],
                                                                      network.subnets[ZONE_C]])
    described = rds.describe_db_subnet_groups(DBSubnetGroupName="app-db")["DBSubnetGroups"][0]
    assert subnet_zones(described) == [ZONE_A, ZONE_C] and described["DBSubnetGroupDescription"] == "all zones"


def test_default_db_subnet_group_is_the_default_vpc(rds, default_network):
    group = rds.describe_db_subnet_groups(DBSubnetGroupName="default")["DBSubnetGroups"][0]
    assert group["VpcId"] == default_network["vpc"]
    assert sorted(s["SubnetIdentifier"] for s in group["Subnets"]) == default_network["subnets"]
    assert subnet_zones(group) == [ZONE_A, ZONE_B, ZONE_C]
    names = [g["DBSubnetGroupName"] for g in rds.describe_db_subnet_groups()["DBSubnetGroups"]]
    assert "default" in names
    assert code_of(rds.delete_db_subnet_group, DBSubnetGroupName="default") == "InvalidParameterValue"
    assert code_of(rds.modify_db_subnet_group, DBSubnetGroupName="default",
                   SubnetIds=default_network["subnets"]) == "InvalidParameterValue"


def test_db_subnet_group_errors(rds, network, other_network):
    two_zones = [network.subnets[ZONE_A], network.subnets[ZONE_B]]
    rds.create_db_subnet_group(DBSubnetGroupName="errs", DBSubnetGroupDescription="d", SubnetIds=two_zones)
    assert code_of(rds.create_db_subnet_group, DBSubnetGroupName="ERRS", DBSubnetGroupDescription="d",
                   SubnetIds=two_zones) == "DBSubnetGroupAlreadyExists"
    assert code_of(rds.create_db_subnet_group, DBSubnetGroupName="default", DBSubnetGroupDescription="d",
                   SubnetIds=two_zones) == "InvalidParameterValue"
    assert code_of(rds.create_db_subnet_group, DBSubnetGroupName="1abc", DBSubnetGroupDescription="d",
                   SubnetIds=two_zones) == "InvalidParameterValue"
    assert code_of(rds.create_db_subnet_group, DBSubnetGroupName="bad/name", DBSubnetGroupDescription="d",
                   SubnetIds=two_zones) == "InvalidParameterValue"
    # Subnets: missing, unknown, of one zone only, of two VPCs.
    assert code_of(rds.create_db_subnet_group, DBSubnetGroupName="none", DBSubnetGroupDescription="d",
                   SubnetIds=[]) in ("InvalidParameterValue", "MissingParameter")
    error = error_of(rds.create_db_subnet_group, DBSubnetGroupName="unknown", DBSubnetGroupDescription="d",
                     SubnetIds=[network.subnets[ZONE_A], "subnet-0123456789abcdef0"])
    assert error["Code"] == "InvalidSubnet" and "subnet-0123456789abcdef0" in error["Message"]
    error = error_of(rds.create_db_subnet_group, DBSubnetGroupName="one-zone", DBSubnetGroupDescription="d",
                     SubnetIds=[network.subnets[ZONE_A]])
    assert error["Code"] == "DBSubnetGroupDoesNotCoverEnoughAZs" and "Current coverage: 1" in error["Message"]
    assert code_of(rds.create_db_subnet_group, DBSubnetGroupName="two-vpcs", DBSubnetGroupDescription="d",
                   SubnetIds=[network.subnets[ZONE_A], other_network.subnets[ZONE_B]]) == "InvalidSubnet"
    # Unknown groups.
    for call, extra in ((rds.describe_db_subnet_groups, {}), (rds.delete_db_subnet_group, {}),
                        (rds.modify_db_subnet_group, {"SubnetIds": two_zones})):
        error = error_of(call, DBSubnetGroupName="nope", **extra)
        assert error["Code"] == "DBSubnetGroupNotFoundFault"
    assert code_of(rds.modify_db_subnet_group, DBSubnetGroupName="errs",
                   SubnetIds=[network.subnets[ZONE_A]]) == "DBSubnetGroupDoesNotCoverEnoughAZs"
    assert code_of(rds.modify_db_subnet_group, DBSubnetGroupName="errs",
                   SubnetIds=["subnet-0123456789abcdef0", network.subnets[ZONE_A]]) == "InvalidSubnet"
    assert code_of(rds.describe_db_subnet_groups,
                   Filters=[{"Name": "vpc-id", "Values": [network.vpc]}]) == "InvalidParameterValue"
    rds.delete_db_subnet_group(DBSubnetGroupName="errs")
    assert code_of(rds.describe_db_subnet_groups, DBSubnetGroupName="errs") == "DBSubnetGroupNotFoundFault"


def test_db_subnet_groups_page_with_marker(rds, network):
    subnets = [network.subnets[ZONE_B], network.subnets[ZONE_C]]
    for index in range(22):
        rds.create_db_subnet_group(DBSubnetGroupName=f"page-{index:02d}", DBSubnetGroupDescription="p",
                                   SubnetIds=subnets)
    seen, marker = [], None
    while True:
        page = rds.describe_db_subnet_groups(MaxRecords=20, **({"Marker": marker} if marker else {}))
        assert len(page["DBSubnetGroups"]) <= 20
        seen += [g["DBSubnetGroupName"] for g in page["DBSubnetGroups"]]
        marker = page.get("Marker")
        if not marker:
            break
    assert [name for name in seen if name.startswith("page-")] == [f"page-{index:02d}" for index in range(22)]
    assert len(seen) == len(set(seen))
    assert code_of(rds.describe_db_subnet_groups, MaxRecords=5) == "InvalidParameterValue"
    for index in range(22):
        rds.delete_db_subnet_group(DBSubnetGroupName=f"page-{index:02d}")


def test_db_subnet_groups_through_the_cli(server, network):
    made = server.aws("rds", "create-db-subnet-group", "--db-subnet-group-name", "cli-db",
                      "--db-subnet-group-description", "from the CLI",
                      "--subnet-ids", network.subnets[ZONE_A], network.subnets[ZONE_B])["DBSubnetGroup"]
    assert made["VpcId"] == network.vpc and subnet_zones(made) == [ZONE_A, ZONE_B]
    listed = server.aws("rds", "describe-db-subnet-groups", "--db-subnet-group-name", "cli-db")
    assert listed["DBSubnetGroups"][0]["DBSubnetGroupArn"].endswith(":subgrp:cli-db")
    changed = server.aws("rds", "modify-db-subnet-group", "--db-subnet-group-name", "cli-db",
                         "--subnet-ids", *network.subnets.values())["DBSubnetGroup"]
    assert subnet_zones(changed) == [ZONE_A, ZONE_B, ZONE_C]
    failed = server.aws("rds", "create-db-subnet-group", "--db-subnet-group-name", "cli-one",
                        "--db-subnet-group-description", "d", "--subnet-ids", network.subnets[ZONE_A], check=False)
    assert failed.returncode != 0 and "DBSubnetGroupDoesNotCoverEnoughAZs" in failed.stderr
    server.aws("rds", "delete-db-subnet-group", "--db-subnet-group-name", "cli-db")
    missing = server.aws("rds", "describe-db-subnet-groups", "--db-subnet-group-name", "cli-db", check=False)
    assert missing.returncode != 0 and "DBSubnetGroupNotFoundFault" in missing.stderr


# --- RDS instances and clusters -------------------------------------------------


def instance_params(identifier, **extra):
    params = dict(DBInstanceIdentifier=identifier, Engine="postgres", DBInstanceClass="db.t3.micro",
                  MasterUsername="admin", MasterUserPassword=PASSWORD, AllocatedStorage=20, BackupRetentionPeriod=0)
    params.update(extra)
    return params


def test_instances_refuse_what_their_network_does_not_allow(rds, network, other_network):
    rds.create_db_subnet_group(DBSubnetGroupName="ac-only", DBSubnetGroupDescription="a and c",
                               SubnetIds=[network.subnets[ZONE_A], network.subnets[ZONE_C]])
    create = rds.create_db_instance
    assert code_of(create, **instance_params("x1", DBSubnetGroupName="nope")) == "DBSubnetGroupNotFoundFault"
    error = error_of(create, **instance_params("x1", DBSubnetGroupName="ac-only", AvailabilityZone=ZONE_B))
    assert error["Code"] == "InvalidParameterCombination" and ZONE_B in error["Message"]
    assert code_of(create, **instance_params("x1", DBSubnetGroupName="ac-only", AvailabilityZone=ZONE_A,
                                             MultiAZ=True)) == "InvalidParameterCombination"
    error = error_of(create, **instance_params("x1", DBSubnetGroupName="ac-only",
                                               VpcSecurityGroupIds=["sg-0123456789abcdef0"]))
    assert error["Code"] == "InvalidParameterValue" and "sg-0123456789abcdef0" in error["Message"]
    error = error_of(create, **instance_params("x1", DBSubnetGroupName="ac-only",
                                               VpcSecurityGroupIds=[network.group, other_network.group]))
    assert error["Code"] == "InvalidParameterCombination" and "different VPCs" in error["Message"]
    # Without a subnet group: the default VPC's, where the other VPCs' groups are not.
    assert code_of(create, **instance_params("x1", VpcSecurityGroupIds=[network.group])) == \
        "InvalidParameterCombination"
    # Nothing was recorded.
    assert code_of(rds.describe_db_instances, DBInstanceIdentifier="x1") == "DBInstanceNotFound"
    # Read replicas and restores check the same way.
    assert code_of(rds.create_db_instance_read_replica, DBInstanceIdentifier="x2",
                   SourceDBInstanceIdentifier="nope", DBSubnetGroupName="ac-only") == "DBInstanceNotFound"


def test_clusters_take_their_subnet_group_and_security_groups(rds, network, other_network, default_network):
    rds.create_db_subnet_group(DBSubnetGroupName="cluster-net", DBSubnetGroupDescription="c",
                               SubnetIds=[network.subnets[ZONE_A], network.subnets[ZONE_B]])
    base = dict(Engine="aurora-postgresql", MasterUsername="admin", MasterUserPassword=PASSWORD)
    assert code_of(rds.create_db_cluster, DBClusterIdentifier="c0", DBSubnetGroupName="nope", **base) == \
        "DBSubnetGroupNotFoundFault"
    assert code_of(rds.create_db_cluster, DBClusterIdentifier="c0", DBSubnetGroupName="cluster-net",
                   VpcSecurityGroupIds=[other_network.group], **base) == "InvalidParameterCombination"
    assert code_of(rds.create_db_cluster, DBClusterIdentifier="c0", DBSubnetGroupName="cluster-net",
                   VpcSecurityGroupIds=["sg-0123456789abcdef0"], **base) == "InvalidParameterValue"
    assert code_of(rds.create_db_cluster, DBClusterIdentifier="c0", DBSubnetGroupName="cluster-net",
                   AvailabilityZones=[ZONE_C], **base) == "InvalidVPCNetworkStateFault"

    made = rds.create_db_cluster(DBClusterIdentifier="c1", DBSubnetGroupName="cluster-net",
                                 VpcSecurityGroupIds=[network.group], **base)["DBCluster"]
    assert made["DBSubnetGroup"] == "cluster-net"
    assert made["VpcSecurityGroups"] == [{"VpcSecurityGroupId": network.group, "Status": "active"}]
    assert sorted(made["AvailabilityZones"]) == [ZONE_A, ZONE_B]
    # Without groups: the VPC's default group, as RDS does.
    plain = rds.create_db_cluster(DBClusterIdentifier="c2", **base)["DBCluster"]
    assert plain["DBSubnetGroup"] == "default"
    assert plain["VpcSecurityGroups"] == [{"VpcSecurityGroupId": default_network["group"], "Status": "active"}]

    # Security groups change at once, without ApplyImmediately.
    changed = rds.modify_db_cluster(DBClusterIdentifier="c1",
                                    VpcSecurityGroupIds=[network.group, network.default_group])["DBCluster"]
    assert [g["VpcSecurityGroupId"] for g in changed["VpcSecurityGroups"]] == [network.group, network.default_group]
    assert code_of(rds.modify_db_cluster, DBClusterIdentifier="c1",
                   VpcSecurityGroupIds=[other_network.group]) == "InvalidParameterCombination"
    described = rds.describe_db_clusters(DBClusterIdentifier="c1")["DBClusters"][0]
    assert len(described["VpcSecurityGroups"]) == 2
    # A cluster's instances live in its subnet group behind its groups: they name neither.
    member = dict(DBInstanceIdentifier="c1-1", DBClusterIdentifier="c1", Engine="aurora-postgresql",
                  DBInstanceClass="db.r6g.large")
    assert code_of(rds.create_db_instance, VpcSecurityGroupIds=[network.group], **member) == \
        "InvalidParameterCombination"
    assert code_of(rds.create_db_instance, DBSubnetGroupName="default", **member) == "InvalidParameterCombination"
    assert code_of(rds.create_db_instance, AvailabilityZone=ZONE_C, **member) == "InvalidParameterCombination"

    # In use: neither the subnet group nor the security group can go.
    error = error_of(rds.delete_db_subnet_group, DBSubnetGroupName="cluster-net")
    assert error["Code"] == "InvalidDBSubnetGroupStateFault" and "c1" in error["Message"]
    for identifier in ("c1", "c2"):
        rds.delete_db_cluster(DBClusterIdentifier=identifier, SkipFinalSnapshot=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            rds.delete_db_subnet_group(DBSubnetGroupName="cluster-net")
            break
        except rds.exceptions.InvalidDBSubnetGroupStateFault:
            time.sleep(0.3)
    assert code_of(rds.describe_db_subnet_groups, DBSubnetGroupName="cluster-net") == "DBSubnetGroupNotFoundFault"


def test_an_instance_lives_in_its_subnet_group_behind_its_groups(server, rds, ec2, network, other_network):
    """One real PostgreSQL instance, Multi-AZ, in a group of zones a and c."""
    rds.create_db_subnet_group(DBSubnetGroupName="pg-net", DBSubnetGroupDescription="pg",
                               SubnetIds=[network.subnets[ZONE_A], network.subnets[ZONE_C]])
    made = rds.create_db_instance(**instance_params("pg-net-1", DBSubnetGroupName="PG-NET", MultiAZ=True,
                                                    BackupRetentionPeriod=1,
                                                    VpcSecurityGroupIds=[network.group]))["DBInstance"]
    assert made["DBSubnetGroup"]["DBSubnetGroupName"] == "pg-net"
    # Both nodes in the group's zones, never the region's third.
    assert (made["AvailabilityZone"], made["SecondaryAvailabilityZone"]) == (ZONE_A, ZONE_C)
    wait_status(rds, "pg-net-1", "available")
    instance = rds.describe_db_instances(DBInstanceIdentifier="pg-net-1")["DBInstances"][0]
    assert instance["DBSubnetGroup"]["VpcId"] == network.vpc
    assert subnet_zones(instance["DBSubnetGroup"]) == [ZONE_A, ZONE_C]
    assert {instance["AvailabilityZone"], instance["SecondaryAvailabilityZone"]} == {ZONE_A, ZONE_C}
    assert instance["VpcSecurityGroups"] == [{"VpcSecurityGroupId": network.group, "Status": "active"}]

    # Modify applies at once, whatever ApplyImmediately says; the CLI too.
    changed = rds.modify_db_instance(DBInstanceIdentifier="pg-net-1", ApplyImmediately=False,
                                     VpcSecurityGroupIds=[network.default_group])["DBInstance"]
    assert changed["VpcSecurityGroups"] == [{"VpcSecurityGroupId": network.default_group, "Status": "active"}]
    assert "VpcSecurityGroupIds" not in changed["PendingModifiedValues"]
    wait_status(rds, "pg-net-1", "available")
    cli = server.aws("rds", "modify-db-instance", "--db-instance-identifier", "pg-net-1",
                     "--vpc-security-group-ids", network.group, network.default_group)["DBInstance"]
    assert [g["VpcSecurityGroupId"] for g in cli["VpcSecurityGroups"]] == [network.group, network.default_group]
    wait_status(rds, "pg-net-1", "available")
    described = server.aws("rds", "describe-db-instances", "--db-instance-identifier", "pg-net-1")
    assert len(described["DBInstances"][0]["VpcSecurityGroups"]) == 2
    for wrong, code in (([other_network.group], "InvalidParameterCombination"),
                        (["sg-0123456789abcdef0"], "InvalidParameterValue")):
        assert code_of(rds.modify_db_instance, DBInstanceIdentifier="pg-net-1", VpcSecurityGroupIds=wrong) == code

    # What it uses stays: its zones in the group, the group, its security group.
    assert code_of(rds.modify_db_subnet_group, DBSubnetGroupName="pg-net",
                   SubnetIds=[network.subnets[ZONE_A], network.subnets[ZONE_B]]) == "SubnetAlreadyInUse"
    assert code_of(rds.modify_db_subnet_group, DBSubnetGroupName="pg-net",
                   SubnetIds=[other_network.subnets[ZONE_A], other_network.subnets[ZONE_C]]) == "InvalidSubnet"
    assert code_of(rds.delete_db_subnet_group, DBSubnetGroupName="pg-net") == "InvalidDBSubnetGroupStateFault"
    assert code_of(ec2.delete_security_group, GroupId=network.group) == "DependencyViolation"
    assert code_of(ec2.delete_subnet, SubnetId=network.subnets[ZONE_C]) == "DependencyViolation"  # its standby's
    # Read replicas and restores check their network the same way (and record nothing when refused).
    replica = dict(DBInstanceIdentifier="pg-net-r", SourceDBInstanceIdentifier="pg-net-1")
    assert code_of(rds.create_db_instance_read_replica, VpcSecurityGroupIds=[other_network.group], **replica) == \
        "InvalidParameterCombination"
    assert code_of(rds.create_db_instance_read_replica, AvailabilityZone=ZONE_B, **replica) == \
        "InvalidParameterCombination"
    assert code_of(rds.create_db_instance_read_replica, DBSubnetGroupName="nope", **replica) == \
        "DBSubnetGroupNotFoundFault"
    rds.create_db_snapshot(DBInstanceIdentifier="pg-net-1", DBSnapshotIdentifier="pg-net-snap")
    wait_status(rds, "pg-net-snap", "available", snapshot=True)
    restore = dict(DBInstanceIdentifier="pg-net-restored", DBSnapshotIdentifier="pg-net-snap")
    assert code_of(rds.restore_db_instance_from_db_snapshot, DBSubnetGroupName="pg-net",
                   VpcSecurityGroupIds=[other_network.group], **restore) == "InvalidParameterCombination"
    assert code_of(rds.restore_db_instance_from_db_snapshot, DBSubnetGroupName="pg-net",
                   AvailabilityZone=ZONE_B, **restore) == "InvalidParameterCombination"
    assert code_of(rds.restore_db_instance_from_db_snapshot, DBSubnetGroupName="nope", **restore) == \
        "DBSubnetGroupNotFoundFault"
    pitr = dict(SourceDBInstanceIdentifier="pg-net-1", TargetDBInstanceIdentifier="pg-net-pitr",
                UseLatestRestorableTime=True)
    assert code_of(rds.restore_db_instance_to_point_in_time, VpcSecurityGroupIds=["sg-0123456789abcdef0"],
                   **pitr) in ("InvalidParameterValue", "InvalidRestoreFault")
    for identifier in ("pg-net-r", "pg-net-restored", "pg-net-pitr"):
        assert code_of(rds.describe_db_instances, DBInstanceIdentifier=identifier) == "DBInstanceNotFound"

    rds.delete_db_instance(DBInstanceIdentifier="pg-net-1", SkipFinalSnapshot=True)
    wait_gone(rds, ["pg-net-1"])
    rds.delete_db_snapshot(DBSnapshotIdentifier="pg-net-snap")
    rds.delete_db_subnet_group(DBSubnetGroupName="pg-net")
    # No longer in use.
    spare = ec2.create_security_group(GroupName="spare", Description="s", VpcId=network.vpc)["GroupId"]
    ec2.delete_security_group(GroupId=spare)


def test_an_aurora_instance_shows_its_clusters_network(rds, network):
    """One real Aurora PostgreSQL writer: it is in its cluster's subnet group
    and behind its cluster's security groups, which change with the cluster's."""
    rds.create_db_subnet_group(DBSubnetGroupName="aurora-net", DBSubnetGroupDescription="aurora",
                               SubnetIds=[network.subnets[ZONE_B], network.subnets[ZONE_C]])
    rds.create_db_cluster(DBClusterIdentifier="aur-net", Engine="aurora-postgresql", MasterUsername="admin",
                          MasterUserPassword=PASSWORD, DBSubnetGroupName="aurora-net",
                          VpcSecurityGroupIds=[network.group])
    wait_cluster(rds, "aur-net")
    rds.create_db_instance(DBInstanceIdentifier="aur-net-1", DBClusterIdentifier="aur-net",
                           Engine="aurora-postgresql", DBInstanceClass="db.r6g.large", AvailabilityZone=ZONE_C)
    wait_instances(rds, ["aur-net-1"])
    writer = rds.describe_db_instances(DBInstanceIdentifier="aur-net-1")["DBInstances"][0]
    assert writer["AvailabilityZone"] == ZONE_C
    assert writer["DBSubnetGroup"]["DBSubnetGroupName"] == "aurora-net"
    assert writer["DBSubnetGroup"]["VpcId"] == network.vpc
    assert writer["VpcSecurityGroups"] == [{"VpcSecurityGroupId": network.group, "Status": "active"}]
    # Its groups are the cluster's: changed through the cluster only.
    assert code_of(rds.modify_db_instance, DBInstanceIdentifier="aur-net-1",
                   VpcSecurityGroupIds=[network.default_group]) == "InvalidParameterCombination"
    rds.modify_db_cluster(DBClusterIdentifier="aur-net", VpcSecurityGroupIds=[network.default_group])
    writer = rds.describe_db_instances(DBInstanceIdentifier="aur-net-1")["DBInstances"][0]
    assert writer["VpcSecurityGroups"] == [{"VpcSecurityGroupId": network.default_group, "Status": "active"}]
    rds.delete_db_instance(DBInstanceIdentifier="aur-net-1")
    wait_gone(rds, ["aur-net-1"])
    rds.delete_db_cluster(DBClusterIdentifier="aur-net", SkipFinalSnapshot=True)


# --- Cache subnet groups and ElastiCache resources ----------------------------


def wait_cache(read, wanted="available", timeout=90):
    deadline, status = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        status = read()
        if status == wanted:
            return
        assert status not in ("failed", "restore-failed"), status
        time.sleep(0.2)
    raise AssertionError(f"still {status}, not {wanted}")


def test_cache_subnet_group_lifecycle_and_errors(elasticache, network, other_network):
    ec = elasticache
    made = ec.create_cache_subnet_group(CacheSubnetGroupName="Cache-Net", CacheSubnetGroupDescription="caches",
                                        SubnetIds=[network.subnets[ZONE_B], network.subnets[ZONE_C]],
                                        Tags=[{"Key": "team", "Value": "cache"}])["CacheSubnetGroup"]
    assert made["CacheSubnetGroupName"] == "cache-net" and made["VpcId"] == network.vpc
    assert made["ARN"] == f"arn:aws:elasticache:{REGION}:000000000000:subnetgroup:cache-net"
    assert subnet_zones(made) == [ZONE_B, ZONE_C]
    listed = ec.describe_cache_subnet_groups(CacheSubnetGroupName="cache-net")["CacheSubnetGroups"]
    assert [g["CacheSubnetGroupName"] for g in listed] == ["cache-net"]
    names = [g["CacheSubnetGroupName"] for g in ec.describe_cache_subnet_groups()["CacheSubnetGroups"]]
    assert "default" in names and "cache-net" in names
    changed = ec.modify_cache_subnet_group(CacheSubnetGroupName="cache-net", CacheSubnetGroupDescription="all",
                                           SubnetIds=list(network.subnets.values()))["CacheSubnetGroup"]
    assert subnet_zones(changed) == [ZONE_A, ZONE_B, ZONE_C] and changed["CacheSubnetGroupDescription"] == "all"
    # One zone is enough for a cache subnet group.
    ec.create_cache_subnet_group(CacheSubnetGroupName="one-zone", CacheSubnetGroupDescription="d",
                                 SubnetIds=[network.subnets[ZONE_A]])

    assert code_of(ec.create_cache_subnet_group, CacheSubnetGroupName="cache-net", CacheSubnetGroupDescription="d",
                   SubnetIds=[network.subnets[ZONE_A]]) == "CacheSubnetGroupAlreadyExists"
    assert code_of(ec.create_cache_subnet_group, CacheSubnetGroupName="x", CacheSubnetGroupDescription="d",
                   SubnetIds=["subnet-0123456789abcdef0"]) == "InvalidSubnet"
    assert code_of(ec.create_cache_subnet_group, CacheSubnetGroupName="x", CacheSubnetGroupDescription="d",
                   SubnetIds=[network.subnets[ZONE_A], other_network.subnets[ZONE_A]]) == "InvalidSubnet"
    assert code_of(ec.create_cache_subnet_group, CacheSubnetGroupName="x", CacheSubnetGroupDescription="d",
                   SubnetIds=[]) in ("InvalidParameterValue", "MissingParameter")
    assert code_of(ec.create_cache_subnet_group, CacheSubnetGroupName="bad_name", CacheSubnetGroupDescription="d",
                   SubnetIds=[network.subnets[ZONE_A]]) == "InvalidParameterValue"
    for call, extra in ((ec.describe_cache_subnet_groups, {}), (ec.delete_cache_subnet_group, {}),
                        (ec.modify_cache_subnet_group, {"SubnetIds": [network.subnets[ZONE_A]]})):
        assert code_of(call, CacheSubnetGroupName="nope", **extra) == "CacheSubnetGroupNotFoundFault"
    assert code_of(ec.modify_cache_subnet_group, CacheSubnetGroupName="cache-net",
                   SubnetIds=["subnet-0123456789abcdef0"]) == "InvalidSubnet"
    ec.delete_cache_subnet_group(CacheSubnetGroupName="one-zone")
    assert code_of(ec.describe_cache_subnet_groups, CacheSubnetGroupName="one-zone") == \
        "CacheSubnetGroupNotFoundFault"


def test_default_cache_subnet_group_is_the_default_vpc(elasticache, default_network):
    group = elasticache.describe_cache_subnet_groups(CacheSubnetGroupName="default")["CacheSubnetGroups"][0]
    assert group["VpcId"] == default_network["vpc"]
    assert sorted(s["SubnetIdentifier"] for s in group["Subnets"]) == default_network["subnets"]


def test_cache_subnet_groups_through_the_cli(server, network):
    made = server.aws("elasticache", "create-cache-subnet-group", "--cache-subnet-group-name", "cli-cache",
                      "--cache-subnet-group-description", "from the CLI",
                      "--subnet-ids", network.subnets[ZONE_A])["CacheSubnetGroup"]
    assert made["VpcId"] == network.vpc and subnet_zones(made) == [ZONE_A]
    changed = server.aws("elasticache", "modify-cache-subnet-group", "--cache-subnet-group-name", "cli-cache",
                         "--subnet-ids", network.subnets[ZONE_A], network.subnets[ZONE_B])["CacheSubnetGroup"]
    assert subnet_zones(changed) == [ZONE_A, ZONE_B]
    listed = server.aws("elasticache", "describe-cache-subnet-groups", "--cache-subnet-group-name", "cli-cache")
    assert listed["CacheSubnetGroups"][0]["CacheSubnetGroupDescription"] == "from the CLI"
    server.aws("elasticache", "delete-cache-subnet-group", "--cache-subnet-group-name", "cli-cache")
    missing = server.aws("elasticache", "describe-cache-subnet-groups", "--cache-subnet-group-name", "cli-cache",
                         check=False)
    assert missing.returncode != 0 and "CacheSubnetGroupNotFoundFault" in missing.stderr


def test_cache_resources_refuse_what_their_network_does_not_allow(elasticache, network, other_network):
    ec = elasticache
    ec.create_cache_subnet_group(CacheSubnetGroupName="ab-cache", CacheSubnetGroupDescription="a and b",
                                 SubnetIds=[network.subnets[ZONE_A], network.subnets[ZONE_B]])
    group = dict(ReplicationGroupId="bad-rg", ReplicationGroupDescription="d", Engine="redis",
                 CacheNodeType="cache.t3.micro", NumCacheClusters=2)
    cluster = dict(CacheClusterId="bad-cc", Engine="redis", CacheNodeType="cache.t3.micro", NumCacheNodes=1)
    memcached = dict(CacheClusterId="bad-mc", Engine="memcached", CacheNodeType="cache.t3.micro", NumCacheNodes=2)
    for create, params in ((ec.create_replication_group, group), (ec.create_cache_cluster, cluster),
                           (ec.create_cache_cluster, memcached)):
        assert code_of(create, CacheSubnetGroupName="nope", **params) == "CacheSubnetGroupNotFoundFault"
        assert code_of(create, CacheSubnetGroupName="ab-cache", SecurityGroupIds=["sg-0123456789abcdef0"],
                       **params) == "InvalidParameterValue"
        error = error_of(create, CacheSubnetGroupName="ab-cache", SecurityGroupIds=[other_network.group], **params)
        assert error["Code"] == "InvalidParameterCombination" and other_network.vpc in error["Message"]
        # Without a subnet group: the default VPC's, where this VPC's groups are not.
        assert code_of(create, SecurityGroupIds=[network.group], **params) == "InvalidParameterCombination"
    assert code_of(ec.create_replication_group, CacheSubnetGroupName="ab-cache",
                   PreferredCacheClusterAZs=[ZONE_A, ZONE_C], **group) == "InvalidVPCNetworkStateFault"
    assert code_of(ec.create_cache_cluster, CacheSubnetGroupName="ab-cache", PreferredAvailabilityZone=ZONE_C,
                   **cluster) == "InvalidVPCNetworkStateFault"
    assert code_of(ec.create_cache_cluster, CacheSubnetGroupName="ab-cache",
                   PreferredAvailabilityZones=[ZONE_A, ZONE_C], **memcached) == "InvalidVPCNetworkStateFault"
    # Nothing was recorded.
    assert code_of(ec.describe_replication_groups, ReplicationGroupId="bad-rg") == "ReplicationGroupNotFoundFault"
    assert code_of(ec.describe_cache_clusters, CacheClusterId="bad-cc") == "CacheClusterNotFound"


def test_a_replication_group_lives_in_its_subnet_group_behind_its_groups(server, elasticache, ec2, network,
                                                                        other_network):
    """One real Redis replication group of two nodes in a group of zones b and c."""
    ec = elasticache
    ec.create_cache_subnet_group(CacheSubnetGroupName="rg-net", CacheSubnetGroupDescription="rg",
                                 SubnetIds=[network.subnets[ZONE_B], network.subnets[ZONE_C]])
    ec.create_replication_group(ReplicationGroupId="net-rg", ReplicationGroupDescription="in rg-net",
                                Engine="redis", CacheNodeType="cache.t3.micro", NumCacheClusters=2,
                                CacheSubnetGroupName="RG-NET", SecurityGroupIds=[network.group])
    read = lambda: ec.describe_replication_groups(ReplicationGroupId="net-rg")["ReplicationGroups"][0]["Status"]
    wait_cache(read)
    group = ec.describe_replication_groups(ReplicationGroupId="net-rg")["ReplicationGroups"][0]
    zones = sorted(m["PreferredAvailabilityZone"] for m in group["NodeGroups"][0]["NodeGroupMembers"])
    assert zones == [ZONE_B, ZONE_C]  # never the region's first zone, which the group lacks
    members = [c for c in ec.describe_cache_clusters()["CacheClusters"] if c.get("ReplicationGroupId") == "net-rg"]
    assert len(members) == 2
    for member in members:
        assert member["CacheSubnetGroupName"] == "rg-net"
        assert member["SecurityGroups"] == [{"SecurityGroupId": network.group, "Status": "active"}]

    # Security groups change at once; the CLI too.
    ec.modify_replication_group(ReplicationGroupId="net-rg", SecurityGroupIds=[network.default_group])
    member = ec.describe_cache_clusters(CacheClusterId="net-rg-001")["CacheClusters"][0]
    assert member["SecurityGroups"] == [{"SecurityGroupId": network.default_group, "Status": "active"}]
    wait_cache(read)
    server.aws("elasticache", "modify-replication-group", "--replication-group-id", "net-rg",
               "--security-group-ids", network.group, network.default_group, "--apply-immediately")
    member = server.aws("elasticache", "describe-cache-clusters", "--cache-cluster-id", "net-rg-002")
    assert [g["SecurityGroupId"] for g in member["CacheClusters"][0]["SecurityGroups"]] == \
        [network.group, network.default_group]
    wait_cache(read)
    for wrong, code in (([other_network.group], "InvalidParameterCombination"),
                        (["sg-0123456789abcdef0"], "InvalidParameterValue")):
        assert code_of(ec.modify_replication_group, ReplicationGroupId="net-rg", SecurityGroupIds=wrong) == code

    # Its snapshots say where it was.
    ec.create_snapshot(ReplicationGroupId="net-rg", SnapshotName="net-rg-snap")
    snapshot = ec.describe_snapshots(SnapshotName="net-rg-snap")["Snapshots"][0]
    assert snapshot["CacheSubnetGroupName"] == "rg-net"
    wait_cache(lambda: ec.describe_snapshots(SnapshotName="net-rg-snap")["Snapshots"][0]["SnapshotStatus"])
    wait_cache(read)

    # What it uses stays.
    assert code_of(ec.delete_cache_subnet_group, CacheSubnetGroupName="rg-net") == "CacheSubnetGroupInUse"
    assert code_of(ec.modify_cache_subnet_group, CacheSubnetGroupName="rg-net",
                   SubnetIds=[network.subnets[ZONE_B]]) == "SubnetInUse"
    assert code_of(ec2.delete_security_group, GroupId=network.group) == "DependencyViolation"
    assert code_of(ec2.delete_subnet, SubnetId=network.subnets[ZONE_B]) == "DependencyViolation"

    ec.delete_replication_group(ReplicationGroupId="net-rg")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            ec.delete_cache_subnet_group(CacheSubnetGroupName="rg-net")
            break
        except ec.exceptions.CacheSubnetGroupInUse:
            time.sleep(0.3)
    assert code_of(ec.describe_cache_subnet_groups, CacheSubnetGroupName="rg-net") == "CacheSubnetGroupNotFoundFault"
    ec.delete_snapshot(SnapshotName="net-rg-snap")


def test_a_memcached_cluster_takes_its_groups_zone_and_security_groups(elasticache, network, default_network):
    ec = elasticache
    ec.create_cache_subnet_group(CacheSubnetGroupName="mc-net", CacheSubnetGroupDescription="mc",
                                 SubnetIds=[network.subnets[ZONE_C]])
    made = ec.create_cache_cluster(CacheClusterId="net-mc", Engine="memcached", CacheNodeType="cache.t3.micro",
                                   NumCacheNodes=1, CacheSubnetGroupName="mc-net")["CacheCluster"]
    assert made["PreferredAvailabilityZone"] == ZONE_C and made["CacheSubnetGroupName"] == "mc-net"
    # No groups named: the VPC's default group.
    assert made["SecurityGroups"] == [{"SecurityGroupId": network.default_group, "Status": "active"}]
    read = lambda: ec.describe_cache_clusters(CacheClusterId="net-mc")["CacheClusters"][0]["CacheClusterStatus"]
    wait_cache(read)
    changed = ec.modify_cache_cluster(CacheClusterId="net-mc", SecurityGroupIds=[network.group])["CacheCluster"]
    assert changed["SecurityGroups"] == [{"SecurityGroupId": network.group, "Status": "active"}]
    ec.delete_cache_cluster(CacheClusterId="net-mc")


def test_cache_subnet_groups_page_with_marker(elasticache, network):
    for index in range(21):
        elasticache.create_cache_subnet_group(CacheSubnetGroupName=f"cpage-{index:02d}",
                                              CacheSubnetGroupDescription="p", SubnetIds=[network.subnets[ZONE_A]])
    seen, marker = [], None
    while True:
        page = elasticache.describe_cache_subnet_groups(MaxRecords=20, **({"Marker": marker} if marker else {}))
        assert len(page["CacheSubnetGroups"]) <= 20
        seen += [g["CacheSubnetGroupName"] for g in page["CacheSubnetGroups"]]
        marker = page.get("Marker")
        if not marker:
            break
    assert [name for name in seen if name.startswith("cpage-")] == [f"cpage-{index:02d}" for index in range(21)]
    assert len(seen) == len(set(seen)) and "default" in seen
    assert code_of(elasticache.describe_cache_subnet_groups, MaxRecords=5) == "InvalidParameterValue"
    for index in range(21):
        elasticache.delete_cache_subnet_group(CacheSubnetGroupName=f"cpage-{index:02d}")
