"""EC2's network part through boto3 and the AWS CLI: the default VPC, VPCs,
subnets, security groups and their rules, tags, filters, EC2's errors in its
own XML shape, and persistence across a restart."""
import botocore.exceptions
import pytest

import raw_http

REGION = "ap-northeast-1"


@pytest.fixture(scope="module")
def server(kura_factory):
    return kura_factory()


@pytest.fixture(scope="module")
def ec2(server):
    return server.client("ec2")


def error_of(call, *args, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call(*args, **kwargs)
    return info.value.response["Error"]


def default_vpc(ec2):
    vpcs = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]
    assert len(vpcs) == 1
    return vpcs[0]


def group_named(ec2, vpc_id, name):
    groups = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc_id]},
                                                   {"Name": "group-name", "Values": [name]}])["SecurityGroups"]
    assert len(groups) == 1
    return groups[0]


def tcp(port, to_port=None, cidrs=(), ipv6=(), groups=()):
    return {"IpProtocol": "tcp", "FromPort": port, "ToPort": to_port or port,
            "IpRanges": [{"CidrIp": cidr} for cidr in cidrs],
            "Ipv6Ranges": [{"CidrIpv6": cidr} for cidr in ipv6],
            "UserIdGroupPairs": [{"GroupId": group} for group in groups]}


def test_default_vpc_subnets_and_group(ec2, server):
    vpc = default_vpc(ec2)
    assert vpc["CidrBlock"] == "172.31.0.0/16"
    assert vpc["IsDefault"] is True and vpc["State"] == "available"
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]},
                                            {"Name": "default-for-az", "Values": ["true"]}])["Subnets"]
    assert sorted(s["AvailabilityZone"] for s in subnets) == [REGION + "a", REGION + "b", REGION + "c"]
    assert sorted(s["CidrBlock"] for s in subnets) == ["172.31.0.0/20", "172.31.16.0/20", "172.31.32.0/20"]
    assert all(s["AvailableIpAddressCount"] == 4091 and s["MapPublicIpOnLaunch"] for s in subnets)
    zones = ec2.describe_availability_zones()["AvailabilityZones"]
    assert [z["ZoneName"] for z in zones] == [REGION + "a", REGION + "b", REGION + "c"]
    group = group_named(ec2, vpc["VpcId"], "default")
    assert group["IpPermissionsEgress"] == [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                                             "Ipv6Ranges": [], "PrefixListIds": [], "UserIdGroupPairs": []}]
    assert group["IpPermissions"][0]["UserIdGroupPairs"][0]["GroupId"] == group["GroupId"]
    # The AWS CLI sees the same default VPC, made once.
    cli = server.aws("ec2", "describe-vpcs", "--filters", "Name=isDefault,Values=true")
    assert [v["VpcId"] for v in cli["Vpcs"]] == [vpc["VpcId"]]
    cli = server.aws("ec2", "describe-subnets", "--filters", f"Name=availability-zone,Values={REGION}b")
    assert [s["CidrBlock"] for s in cli["Subnets"]] == ["172.31.16.0/20"]


def test_each_region_and_account_has_its_own_default_vpc(server):
    here = default_vpc(server.client("ec2"))
    there = default_vpc(server.client("ec2", region="us-east-1"))
    assert here["VpcId"] != there["VpcId"]
    subnets = server.client("ec2", region="us-east-1").describe_subnets()["Subnets"]
    assert sorted(s["AvailabilityZoneId"] for s in subnets) == ["use1-az1", "use1-az2", "use1-az3"]


def test_vpc_subnet_and_group_with_tags_and_filters(ec2, server):
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16", TagSpecifications=[
        {"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": "tagged-app"}, {"Key": "team", "Value": "db"}]}])["Vpc"]
    vpc_id = vpc["VpcId"]
    assert vpc["IsDefault"] is False and {"Key": "Name", "Value": "tagged-app"} in vpc["Tags"]
    found = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["tagged-*"]}])["Vpcs"]
    assert [v["VpcId"] for v in found] == [vpc_id]
    assert ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0]["CidrBlock"] == "10.20.0.0/16"
    # Every VPC gets its default group.
    assert group_named(ec2, vpc_id, "default")["VpcId"] == vpc_id

    subnet = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.20.1.0/24", AvailabilityZone=REGION + "c",
                               TagSpecifications=[{"ResourceType": "subnet",
                                                   "Tags": [{"Key": "tier", "Value": "data"}]}])["Subnet"]
    assert subnet["AvailableIpAddressCount"] == 251 and subnet["DefaultForAz"] is False
    by_zone = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]},
                                            {"Name": "availability-zone", "Values": [REGION + "c"]}])["Subnets"]
    assert [s["SubnetId"] for s in by_zone] == [subnet["SubnetId"]]
    assert ec2.describe_subnets(Filters=[{"Name": "tag:tier", "Values": ["data"]}])["Subnets"][0]["SubnetId"] == \
        subnet["SubnetId"]

    group_id = ec2.create_security_group(GroupName="db", Description="databases", VpcId=vpc_id)["GroupId"]
    ec2.create_tags(Resources=[group_id, subnet["SubnetId"]], Tags=[{"Key": "env", "Value": "test"}])
    tags = ec2.describe_tags(Filters=[{"Name": "key", "Values": ["env"]}])["Tags"]
    assert sorted((t["ResourceId"], t["ResourceType"]) for t in tags) == sorted(
        [(group_id, "security-group"), (subnet["SubnetId"], "subnet")])
    by_name = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": ["db"]},
                                                    {"Name": "vpc-id", "Values": [vpc_id]}])["SecurityGroups"]
    assert [g["GroupId"] for g in by_name] == [group_id]
    assert by_name[0]["Tags"] == [{"Key": "env", "Value": "test"}]
    ec2.delete_tags(Resources=[group_id], Tags=[{"Key": "env", "Value": "other"}])  # another value: kept
    assert ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]["Tags"]
    ec2.delete_tags(Resources=[group_id], Tags=[{"Key": "env"}])
    assert "Tags" not in ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]

    # Deleting in order: the group, the subnet, then the VPC (with its default group).
    ec2.delete_security_group(GroupId=group_id)
    ec2.delete_subnet(SubnetId=subnet["SubnetId"])
    ec2.delete_vpc(VpcId=vpc_id)
    assert error_of(ec2.describe_vpcs, VpcIds=[vpc_id])["Code"] == "InvalidVpcID.NotFound"
    assert not ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["SecurityGroups"]


def test_rules_are_authorized_read_back_and_revoked(ec2):
    vpc_id = ec2.create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]
    app = ec2.create_security_group(GroupName="app", Description="app", VpcId=vpc_id)["GroupId"]
    db = ec2.create_security_group(GroupName="db", Description="db", VpcId=vpc_id,
                                   TagSpecifications=[{"ResourceType": "security-group",
                                                       "Tags": [{"Key": "Name", "Value": "db"}]}])["GroupId"]
    added = ec2.authorize_security_group_ingress(GroupId=db, IpPermissions=[
        tcp(5432, cidrs=["10.30.0.0/16"], ipv6=["2001:db8::/32"], groups=[app]),
        tcp(3306, 3310, cidrs=["192.168.0.0/24"])])
    assert added["Return"] is True and len(added["SecurityGroupRules"]) == 4
    group = ec2.describe_security_groups(GroupIds=[db])["SecurityGroups"][0]
    by_port = {(p["FromPort"], p["ToPort"]): p for p in group["IpPermissions"]}
    assert by_port[(5432, 5432)]["IpRanges"] == [{"CidrIp": "10.30.0.0/16"}]
    assert by_port[(5432, 5432)]["Ipv6Ranges"] == [{"CidrIpv6": "2001:db8::/32"}]
    assert by_port[(5432, 5432)]["UserIdGroupPairs"][0]["GroupId"] == app
    assert by_port[(3306, 3310)]["IpRanges"] == [{"CidrIp": "192.168.0.0/24"}]
    rules = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [db]}])["SecurityGroupRules"]
    assert len([r for r in rules if not r["IsEgress"]]) == 4
    assert [r for r in rules if r["IsEgress"]][0]["CidrIpv4"] == "0.0.0.0/0"
    referenced = [r for r in rules if "ReferencedGroupInfo" in r]
    assert referenced[0]["ReferencedGroupInfo"]["GroupId"] == app
    found = ec2.describe_security_groups(Filters=[{"Name": "ip-permission.group-id", "Values": [app]}])
    assert [g["GroupId"] for g in found["SecurityGroups"]] == [db]

    error = error_of(ec2.authorize_security_group_ingress, GroupId=db, IpPermissions=[tcp(5432, cidrs=["10.30.0.0/16"])])
    assert error["Code"] == "InvalidPermission.Duplicate"
    # A group another group's rule names cannot go.
    assert error_of(ec2.delete_security_group, GroupId=app)["Code"] == "DependencyViolation"

    # Egress: replace "everything" with one port.
    ec2.revoke_security_group_egress(GroupId=db, IpPermissions=[
        {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    ec2.authorize_security_group_egress(GroupId=db, IpPermissions=[tcp(443, cidrs=["0.0.0.0/0"])])
    group = ec2.describe_security_groups(GroupIds=[db])["SecurityGroups"][0]
    assert [(p["IpProtocol"], p["FromPort"]) for p in group["IpPermissionsEgress"]] == [("tcp", 443)]

    # Revoke by properties, then by rule id.
    ec2.revoke_security_group_ingress(GroupId=db, IpPermissions=[tcp(5432, groups=[app])])
    missing = error_of(ec2.revoke_security_group_ingress, GroupId=db, IpPermissions=[tcp(5432, groups=[app])])
    assert missing["Code"] == "InvalidPermission.NotFound"
    rule_ids = [r["SecurityGroupRuleId"] for r in ec2.describe_security_group_rules(
        Filters=[{"Name": "group-id", "Values": [db]}])["SecurityGroupRules"] if not r["IsEgress"]]
    ec2.revoke_security_group_ingress(GroupId=db, SecurityGroupRuleIds=rule_ids)
    assert ec2.describe_security_groups(GroupIds=[db])["SecurityGroups"][0]["IpPermissions"] == []
    ec2.delete_security_group(GroupId=app)
    ec2.delete_security_group(GroupId=db)
    ec2.delete_vpc(VpcId=vpc_id)


def test_default_vpc_revoke_of_unknown_rules_lists_them(ec2):
    group_id = ec2.create_security_group(GroupName="lenient", Description="in the default VPC")["GroupId"]
    assert ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]["VpcId"] == \
        default_vpc(ec2)["VpcId"]
    answer = ec2.revoke_security_group_ingress(GroupId=group_id, IpPermissions=[tcp(22, cidrs=["10.0.0.0/8"])])
    assert answer["UnknownIpPermissions"][0]["IpRanges"] == [{"CidrIp": "10.0.0.0/8"}]
    ec2.delete_security_group(GroupName="lenient")


def test_cli_authorize_and_revoke(server):
    vpc_id = server.aws("ec2", "describe-vpcs", "--filters", "Name=is-default,Values=true")["Vpcs"][0]["VpcId"]
    group_id = server.aws("ec2", "create-security-group", "--group-name", "cli-db", "--description", "from the CLI",
                          "--vpc-id", vpc_id)["GroupId"]
    server.aws("ec2", "authorize-security-group-ingress", "--group-id", group_id, "--protocol", "tcp",
               "--port", "5432", "--cidr", "203.0.113.0/24")
    server.aws("ec2", "authorize-security-group-ingress", "--group-id", group_id, "--ip-permissions",
               "IpProtocol=tcp,FromPort=6379,ToPort=6379,Ipv6Ranges=[{CidrIpv6=::/0}]")
    group = server.aws("ec2", "describe-security-groups", "--group-ids", group_id)["SecurityGroups"][0]
    assert {(p["FromPort"], tuple(r["CidrIp"] for r in p["IpRanges"]), tuple(r["CidrIpv6"] for r in p["Ipv6Ranges"]))
            for p in group["IpPermissions"]} == {(5432, ("203.0.113.0/24",), ()), (6379, (), ("::/0",))}
    duplicate = server.aws("ec2", "authorize-security-group-ingress", "--group-id", group_id, "--protocol", "tcp",
                           "--port", "5432", "--cidr", "203.0.113.0/24", check=False)
    assert duplicate.returncode != 0 and "InvalidPermission.Duplicate" in duplicate.stderr
    server.aws("ec2", "revoke-security-group-ingress", "--group-id", group_id, "--protocol", "tcp",
               "--port", "5432", "--cidr", "203.0.113.0/24")
    server.aws("ec2", "delete-security-group", "--group-id", group_id)


@pytest.mark.parametrize("kwargs, code", [
    ({"CidrBlock": "10.0.0.0/33"}, "InvalidParameterValue"),
    ({"CidrBlock": "not-a-cidr"}, "InvalidParameterValue"),
    ({"CidrBlock": "10.0.0.0/016"}, "InvalidParameterValue"),
    ({"CidrBlock": "10.0.0.0/"}, "InvalidParameterValue"),
    ({"CidrBlock": "010.0.0.0/16"}, "InvalidParameterValue"),
    ({"CidrBlock": "10.0.0.0/99999999999999999999"}, "InvalidParameterValue"),
    ({"CidrBlock": "10.0.0.0/8"}, "InvalidVpc.Range"),
    ({"CidrBlock": "10.0.0.1/16"}, "InvalidVpc.Range"),
])
def test_bad_vpc_cidrs(ec2, kwargs, code):
    assert error_of(ec2.create_vpc, **kwargs)["Code"] == code


def test_filters_are_bounded(ec2):
    at_most = [{"Name": "vpc-id", "Values": ["vpc-%017x" % n]} for n in range(50)]
    assert ec2.describe_vpcs(Filters=at_most)["Vpcs"] == []
    too_many = at_most + [{"Name": "vpc-id", "Values": ["x"]}]
    assert error_of(ec2.describe_vpcs, Filters=too_many)["Code"] == "FilterLimitExceeded"
    values = ["vpc-%017x" % n for n in range(200)]
    assert ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": values}])["Subnets"] == []
    assert error_of(ec2.describe_subnets,
                    Filters=[{"Name": "vpc-id", "Values": values + ["x"]}])["Code"] == "FilterLimitExceeded"


def test_rules_of_one_call_are_bounded_before_peers_are_looked_up(ec2):
    vpc_id = ec2.create_vpc(CidrBlock="10.42.0.0/16")["Vpc"]["VpcId"]
    group = ec2.create_security_group(GroupName="bounded", Description="x", VpcId=vpc_id)["GroupId"]
    cidrs = ["10.%d.%d.0/24" % (n // 256, n % 256) for n in range(60)]
    missing = "sg-0123456789abcdef0"
    assert error_of(ec2.authorize_security_group_ingress, GroupId=group,
                    IpPermissions=[tcp(22, cidrs=cidrs[:59], groups=[missing])])["Code"] == "InvalidGroup.NotFound"
    assert error_of(ec2.authorize_security_group_ingress, GroupId=group,
                    IpPermissions=[tcp(22, cidrs=cidrs, groups=[missing])])["Code"] == \
        "RulesPerSecurityGroupLimitExceeded"
    ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[tcp(22, cidrs=cidrs)])
    ec2.delete_security_group(GroupId=group)
    ec2.delete_vpc(VpcId=vpc_id)


def test_tag_calls_name_at_most_a_thousand_resources(ec2):
    vpc_id = default_vpc(ec2)["VpcId"]
    tags = [{"Key": "bound", "Value": "x"}]
    error = error_of(ec2.create_tags, Resources=[vpc_id] * 1001, Tags=tags)
    assert error["Code"] == "InvalidParameterValue" and "1000" in error["Message"]
    assert error_of(ec2.delete_tags, Resources=[vpc_id] * 1001, Tags=tags)["Code"] == "InvalidParameterValue"
    assert not ec2.describe_tags(Filters=[{"Name": "key", "Values": ["bound"]}])["Tags"]
    ec2.create_tags(Resources=[vpc_id] * 1000, Tags=tags)
    assert len(ec2.describe_tags(Filters=[{"Name": "key", "Values": ["bound"]}])["Tags"]) == 1
    ec2.delete_tags(Resources=[vpc_id], Tags=tags)


def test_ipv6_ranges_are_one_block_however_spelt(ec2):
    vpc_id = ec2.create_vpc(CidrBlock="10.43.0.0/16")["Vpc"]["VpcId"]
    group = ec2.create_security_group(GroupName="spelt", Description="x", VpcId=vpc_id)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[tcp(443, ipv6=["2001:0DB8:0:0::/32"])])
    permissions = ec2.describe_security_groups(GroupIds=[group])["SecurityGroups"][0]["IpPermissions"]
    assert permissions[0]["Ipv6Ranges"] == [{"CidrIpv6": "2001:db8::/32"}]
    assert error_of(ec2.authorize_security_group_ingress, GroupId=group,
                    IpPermissions=[tcp(443, ipv6=["2001:db8::/32"])])["Code"] == "InvalidPermission.Duplicate"
    ec2.revoke_security_group_ingress(GroupId=group, IpPermissions=[tcp(443, ipv6=["2001:db8:0::/32"])])
    assert ec2.describe_security_groups(GroupIds=[group])["SecurityGroups"][0]["IpPermissions"] == []
    ec2.delete_security_group(GroupId=group)
    ec2.delete_vpc(VpcId=vpc_id)


def test_errors(ec2):
    vpc_id = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.40.0.0/24")["Subnet"]["SubnetId"]
    cases = [
        (ec2.create_subnet, {"VpcId": vpc_id, "CidrBlock": "10.41.0.0/24"}, "InvalidSubnet.Range"),
        (ec2.create_subnet, {"VpcId": vpc_id, "CidrBlock": "10.40.0.128/25"}, "InvalidSubnet.Conflict"),
        (ec2.create_subnet, {"VpcId": vpc_id, "CidrBlock": "10.40.9.0/24", "AvailabilityZone": REGION + "z"},
         "InvalidParameterValue"),
        (ec2.create_subnet, {"VpcId": "vpc-00000000000000000", "CidrBlock": "10.40.9.0/24"}, "InvalidVpcID.NotFound"),
        (ec2.describe_vpcs, {"VpcIds": ["vpc-0123456789abcdef0"]}, "InvalidVpcID.NotFound"),
        (ec2.describe_subnets, {"SubnetIds": ["subnet-0123456789abcdef0"]}, "InvalidSubnetID.NotFound"),
        (ec2.describe_security_groups, {"GroupIds": ["sg-0123456789abcdef0"]}, "InvalidGroup.NotFound"),
        (ec2.describe_security_groups, {"GroupIds": ["nonsense"]}, "InvalidGroupId.Malformed"),
        (ec2.describe_vpcs, {"Filters": [{"Name": "no-such-filter", "Values": ["x"]}]}, "InvalidParameterValue"),
        (ec2.delete_vpc, {"VpcId": vpc_id}, "DependencyViolation"),
        (ec2.create_security_group, {"GroupName": "default", "Description": "x", "VpcId": vpc_id},
         "InvalidGroup.Reserved"),
        (ec2.create_tags, {"Resources": ["i-0123456789abcdef0"], "Tags": [{"Key": "a", "Value": "b"}]}, "InvalidID"),
        (ec2.create_vpc, {"CidrBlock": "10.50.0.0/16", "DryRun": True}, "DryRunOperation"),
    ]
    for call, kwargs, code in cases:
        assert error_of(call, **kwargs)["Code"] == code, (call, kwargs)
    ec2.create_security_group(GroupName="twice", Description="x", VpcId=vpc_id)
    assert error_of(ec2.create_security_group, GroupName="twice", Description="x",
                    VpcId=vpc_id)["Code"] == "InvalidGroup.Duplicate"
    default_group = group_named(ec2, vpc_id, "default")["GroupId"]
    assert error_of(ec2.delete_security_group, GroupId=default_group)["Code"] == "CannotDelete"
    error = error_of(ec2.authorize_security_group_ingress, GroupId=default_group,
                     IpPermissions=[{"IpProtocol": "tcp", "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}])
    assert error["Code"] == "InvalidParameterValue"
    ec2.delete_security_group(GroupId=group_named(ec2, vpc_id, "twice")["GroupId"])
    ec2.delete_subnet(SubnetId=subnet_id)
    ec2.delete_vpc(VpcId=vpc_id)


def test_errors_and_unimplemented_actions_in_ec2s_xml(server):
    status, _, body = raw_http.send_signed(server.endpoint, "ec2", headers=raw_http.FORM_HEADERS,
                                           body=b"Action=DescribeVpcs&Version=2016-11-15&VpcId.1=vpc-00000000000000001")
    assert status == 400
    assert b"<Response><Errors><Error><Code>InvalidVpcID.NotFound</Code>" in body and b"<RequestID>" in body
    status, _, body = raw_http.send_signed(server.endpoint, "ec2", headers=raw_http.FORM_HEADERS,
                                           body=b"Action=DescribeVpcs&Version=2016-11-15")
    assert status == 200
    assert b'<DescribeVpcsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>' in body
    error = error_of(server.client("ec2").run_instances, ImageId="ami-12345678", MinCount=1, MaxCount=1)
    assert error["Code"] == "InvalidAction" and "not implemented" in error["Message"]
    status, _, body = raw_http.send_signed(server.endpoint, "ec2", headers=raw_http.FORM_HEADERS,
                                           body=b"Action=LaunchRockets&Version=2016-11-15")
    assert status == 400 and b"<Code>InvalidAction</Code>" in body
    # Unsigned: routed by its Version, refused in EC2's shape.
    status, _, body = raw_http.send(server.endpoint, headers=raw_http.FORM_HEADERS,
                                    body=b"Action=DescribeVpcs&Version=2016-11-15")
    assert status == 403 and b"<Response><Errors>" in body


def test_everything_survives_a_restart(kura_factory):
    server = kura_factory()
    ec2 = server.client("ec2")
    default_id = default_vpc(ec2)["VpcId"]
    vpc_id = ec2.create_vpc(CidrBlock="10.60.0.0/16", TagSpecifications=[
        {"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": "kept"}]}])["Vpc"]["VpcId"]
    subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.60.2.0/24", AvailabilityZone=REGION + "b")["Subnet"][
        "SubnetId"]
    group_id = ec2.create_security_group(GroupName="db", Description="db", VpcId=vpc_id)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=group_id, IpPermissions=[tcp(5432, cidrs=["10.60.0.0/16"])])
    before = ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"]

    server.restart(sigkill=True)
    ec2 = server.client("ec2")
    assert default_vpc(ec2)["VpcId"] == default_id  # not made again
    assert ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0]["Tags"] == [{"Key": "Name", "Value": "kept"}]
    assert ec2.describe_subnets(SubnetIds=[subnet_id])["Subnets"][0]["AvailabilityZone"] == REGION + "b"
    assert ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"] == before
    assert len(ec2.describe_subnets()["Subnets"]) == 4


def test_signature_errors_in_ec2s_words(server):
    error = error_of(server.client("ec2", key="AKIANOTKNOWN0000000", secret="x").describe_vpcs)
    assert error["Code"] == "AuthFailure"
    error = error_of(server.client("ec2", secret="wrong").describe_vpcs)
    assert error["Code"] == "SignatureDoesNotMatch"


def test_trail_records_ec2_calls(server):
    group_id = server.client("ec2").create_security_group(GroupName="audited", Description="x")["GroupId"]
    events = server.client("cloudtrail").lookup_events(LookupAttributes=[
        {"AttributeKey": "EventName", "AttributeValue": "CreateSecurityGroup"}])["Events"]
    assert any(e["EventSource"] == "ec2.amazonaws.com" for e in events)
    server.client("ec2").delete_security_group(GroupId=group_id)
