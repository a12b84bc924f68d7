"""EC2 network interfaces through boto3 and the AWS CLI: in Kura an interface
names the address a client connects from (an address of its subnet, or a
loopback address) and the security groups that address belongs to. Create,
describe, filter, modify and delete; the address rule; EC2's errors; the
dependencies an interface makes."""
import botocore.exceptions
import pytest

REGION = "ap-northeast-1"


@pytest.fixture(scope="module")
def server(kura_factory):
    return kura_factory()


@pytest.fixture(scope="module")
def ec2(server):
    return server.client("ec2")


@pytest.fixture(scope="module")
def network(ec2):
    """A VPC of its own with one /28 subnet (eleven usable addresses) and two groups."""
    vpc = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.40.1.0/28", AvailabilityZone=REGION + "b")["Subnet"]
    app = ec2.create_security_group(GroupName="eni-app", Description="app", VpcId=vpc)["GroupId"]
    db = ec2.create_security_group(GroupName="eni-db", Description="db", VpcId=vpc)["GroupId"]
    default = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc]},
                                                    {"Name": "group-name", "Values": ["default"]}])
    return {"vpc": vpc, "subnet": subnet["SubnetId"], "app": app, "db": db,
            "default": default["SecurityGroups"][0]["GroupId"]}


def error_of(call, *args, **kwargs):
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call(*args, **kwargs)
    return info.value.response["Error"]


def interfaces(ec2, *filters):
    found = ec2.describe_network_interfaces(
        Filters=[{"Name": name, "Values": list(values)} for name, values in filters])["NetworkInterfaces"]
    return sorted(i["NetworkInterfaceId"] for i in found)


def test_create_describe_and_delete(ec2, network):
    created = ec2.create_network_interface(
        SubnetId=network["subnet"], Groups=[network["app"]], PrivateIpAddress="10.40.1.9", Description="app server",
        TagSpecifications=[{"ResourceType": "network-interface", "Tags": [{"Key": "Name", "Value": "app-1"}]}])
    eni = created["NetworkInterface"]
    assert eni["NetworkInterfaceId"].startswith("eni-") and len(eni["NetworkInterfaceId"]) == 21
    assert eni["SubnetId"] == network["subnet"] and eni["VpcId"] == network["vpc"]
    assert eni["AvailabilityZone"] == REGION + "b"
    assert eni["Groups"] == [{"GroupId": network["app"], "GroupName": "eni-app"}]
    assert eni["PrivateIpAddress"] == "10.40.1.9"
    assert eni["PrivateIpAddresses"][0]["Primary"] is True
    assert eni["PrivateIpAddresses"][0]["PrivateIpAddress"] == "10.40.1.9"
    assert eni["Status"] == "available" and eni["InterfaceType"] == "interface"
    assert eni["RequesterManaged"] is False and eni["SourceDestCheck"] is True
    assert eni["OwnerId"] == "000000000000" and eni["Description"] == "app server"
    assert eni["TagSet"] == [{"Key": "Name", "Value": "app-1"}]
    assert len(eni["MacAddress"].split(":")) == 6
    described = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni["NetworkInterfaceId"]])["NetworkInterfaces"]
    assert described == [eni]  # the MAC address and everything else stay as they were made
    ec2.delete_network_interface(NetworkInterfaceId=eni["NetworkInterfaceId"])
    error = error_of(ec2.describe_network_interfaces, NetworkInterfaceIds=[eni["NetworkInterfaceId"]])
    assert error["Code"] == "InvalidNetworkInterfaceID.NotFound"
    assert error["Message"] == f"The networkInterface ID '{eni['NetworkInterfaceId']}' does not exist"


def test_without_groups_an_interface_is_in_its_vpcs_default_group(ec2, network):
    eni = ec2.create_network_interface(SubnetId=network["subnet"])["NetworkInterface"]
    assert [g["GroupId"] for g in eni["Groups"]] == [network["default"]]
    assert eni["Groups"][0]["GroupName"] == "default"
    ec2.delete_network_interface(NetworkInterfaceId=eni["NetworkInterfaceId"])


def test_addresses_are_assigned_in_the_subnet_past_the_reserved_ones(ec2, network):
    # 10.40.1.0/28: .0 to .3 and .15 are EC2's; .4 to .14 are handed out in order.
    made = []
    for _ in range(11):
        made.append(ec2.create_network_interface(SubnetId=network["subnet"])["NetworkInterface"])
    assert [eni["PrivateIpAddress"] for eni in made] == [f"10.40.1.{n}" for n in range(4, 15)]
    subnet = ec2.describe_subnets(SubnetIds=[network["subnet"]])["Subnets"][0]
    assert subnet["AvailableIpAddressCount"] == 0
    error = error_of(ec2.create_network_interface, SubnetId=network["subnet"])
    assert error["Code"] == "InsufficientFreeAddressesInSubnet"
    # A freed address is handed out again; a loopback address needs none of the subnet's.
    ec2.delete_network_interface(NetworkInterfaceId=made[3]["NetworkInterfaceId"])
    assert ec2.describe_subnets(SubnetIds=[network["subnet"]])["Subnets"][0]["AvailableIpAddressCount"] == 1
    again = ec2.create_network_interface(SubnetId=network["subnet"])["NetworkInterface"]
    assert again["PrivateIpAddress"] == "10.40.1.7"
    local = ec2.create_network_interface(SubnetId=network["subnet"], PrivateIpAddress="127.0.40.1")
    subnet = ec2.describe_subnets(SubnetIds=[network["subnet"]])["Subnets"][0]
    assert subnet["AvailableIpAddressCount"] == 0  # a loopback address is none of the subnet's
    made[3] = again
    for eni in made + [local["NetworkInterface"]]:
        ec2.delete_network_interface(NetworkInterfaceId=eni["NetworkInterfaceId"])


def test_loopback_addresses_whatever_the_subnet(ec2, server, network):
    first = ec2.create_network_interface(SubnetId=network["subnet"], Groups=[network["app"], network["db"]],
                                         PrivateIpAddress="127.0.0.5")["NetworkInterface"]
    assert first["PrivateIpAddress"] == "127.0.0.5"
    assert [g["GroupId"] for g in first["Groups"]] == [network["app"], network["db"]]
    six = ec2.create_network_interface(SubnetId=network["subnet"], PrivateIpAddress="::1")["NetworkInterface"]
    assert six["PrivateIpAddress"] == "::1"
    # An IPv4-mapped spelling of a loopback address is that address.
    error = error_of(ec2.create_network_interface, SubnetId=network["subnet"], PrivateIpAddress="::ffff:127.0.0.5")
    assert error["Code"] == "InvalidIPAddress.InUse"
    # A loopback address is one client of the account and region, whatever the VPC.
    default_subnet = ec2.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])["Subnets"][0]
    error = error_of(ec2.create_network_interface, SubnetId=default_subnet["SubnetId"], PrivateIpAddress="127.0.0.5")
    assert error == {"Code": "InvalidIPAddress.InUse", "Message": "The specified address is already in use."}
    # Another region is another namespace.
    elsewhere = server.client("ec2", region="us-east-1")
    subnet = elsewhere.describe_subnets()["Subnets"][0]["SubnetId"]
    there = elsewhere.create_network_interface(SubnetId=subnet, PrivateIpAddress="127.0.0.5")["NetworkInterface"]
    elsewhere.delete_network_interface(NetworkInterfaceId=there["NetworkInterfaceId"])
    for eni in (first, six):
        ec2.delete_network_interface(NetworkInterfaceId=eni["NetworkInterfaceId"])


@pytest.mark.parametrize("address,message", [
    ("10.40.2.9", "Address does not fall within the subnet's address range"),
    ("192.168.0.1", "Address does not fall within the subnet's address range"),
    ("2001:db8::1", "Address does not fall within the subnet's address range"),
    ("10.40.1.0", "Address is in subnet's reserved address range"),
    ("10.40.1.3", "Address is in subnet's reserved address range"),
    ("10.40.1.15", "Address is in subnet's reserved address range"),
])
def test_addresses_outside_the_subnet_are_refused(ec2, network, address, message):
    error = error_of(ec2.create_network_interface, SubnetId=network["subnet"], PrivateIpAddress=address)
    assert error == {"Code": "InvalidParameterValue", "Message": message}


def test_an_address_of_the_vpc_is_one_interfaces(ec2, network):
    first = ec2.create_network_interface(SubnetId=network["subnet"], PrivateIpAddress="10.40.1.12")["NetworkInterface"]
    error = error_of(ec2.create_network_interface, SubnetId=network["subnet"], PrivateIpAddress="10.40.1.12")
    assert error["Code"] == "InvalidIPAddress.InUse"
    # The same address in another VPC is another address.
    other_vpc = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    other_subnet = ec2.create_subnet(VpcId=other_vpc, CidrBlock="10.40.1.0/24")["Subnet"]["SubnetId"]
    second = ec2.create_network_interface(SubnetId=other_subnet, PrivateIpAddress="10.40.1.12")["NetworkInterface"]
    for eni in (first, second):
        ec2.delete_network_interface(NetworkInterfaceId=eni["NetworkInterfaceId"])
    ec2.delete_subnet(SubnetId=other_subnet)
    ec2.delete_vpc(VpcId=other_vpc)


def test_filters_and_pages(ec2, network):
    app = ec2.create_network_interface(
        SubnetId=network["subnet"], Groups=[network["app"]], PrivateIpAddress="127.0.1.1", Description="app one",
        TagSpecifications=[{"ResourceType": "network-interface", "Tags": [{"Key": "tier", "Value": "app"}]}])
    db = ec2.create_network_interface(SubnetId=network["subnet"], Groups=[network["db"]], PrivateIpAddress="10.40.1.5",
                                      Description="db one")
    app_id = app["NetworkInterface"]["NetworkInterfaceId"]
    db_id = db["NetworkInterface"]["NetworkInterfaceId"]
    both = sorted([app_id, db_id])
    assert interfaces(ec2, ("vpc-id", [network["vpc"]])) == both
    assert interfaces(ec2, ("subnet-id", [network["subnet"]])) == both
    assert interfaces(ec2, ("group-id", [network["app"]])) == [app_id]
    assert interfaces(ec2, ("group-name", ["eni-db"])) == [db_id]
    assert interfaces(ec2, ("private-ip-address", ["127.0.1.1"])) == [app_id]
    assert interfaces(ec2, ("addresses.private-ip-address", ["10.40.1.5"])) == [db_id]
    assert interfaces(ec2, ("availability-zone", [REGION + "b"]), ("vpc-id", [network["vpc"]])) == both
    assert interfaces(ec2, ("description", ["db *"])) == [db_id]
    assert interfaces(ec2, ("status", ["available"]), ("vpc-id", [network["vpc"]])) == both
    assert interfaces(ec2, ("network-interface-id", [app_id])) == [app_id]
    assert interfaces(ec2, ("tag:tier", ["app"])) == [app_id]
    assert interfaces(ec2, ("tag-key", ["tier"])) == [app_id]
    assert interfaces(ec2, ("status", ["in-use"])) == []
    error = error_of(ec2.describe_network_interfaces, Filters=[{"Name": "no-such-filter", "Values": ["x"]}])
    assert error["Code"] == "InvalidParameterValue"
    # Pages of MaxResults, as the other Describe calls give them.
    for n in range(4):
        ec2.create_network_interface(SubnetId=network["subnet"], PrivateIpAddress=f"127.0.2.{n + 1}")
    pages = ec2.get_paginator("describe_network_interfaces").paginate(
        Filters=[{"Name": "vpc-id", "Values": [network["vpc"]]}], PaginationConfig={"PageSize": 5})
    seen = [eni["NetworkInterfaceId"] for page in pages for eni in page["NetworkInterfaces"]]
    assert len(seen) == 6 and len(set(seen)) == 6
    first = ec2.describe_network_interfaces(MaxResults=5, Filters=[{"Name": "vpc-id", "Values": [network["vpc"]]}])
    assert len(first["NetworkInterfaces"]) == 5 and "NextToken" in first
    for eni_id in seen:
        ec2.delete_network_interface(NetworkInterfaceId=eni_id)


def test_tags_through_create_tags_and_describe_tags(ec2, network):
    eni_id = ec2.create_network_interface(SubnetId=network["subnet"])["NetworkInterface"]["NetworkInterfaceId"]
    ec2.create_tags(Resources=[eni_id], Tags=[{"Key": "owner", "Value": "ops"}])
    tags = ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [eni_id]}])["Tags"]
    assert tags == [{"ResourceId": eni_id, "ResourceType": "network-interface", "Key": "owner", "Value": "ops"}]
    assert ec2.describe_network_interfaces(NetworkInterfaceIds=[eni_id])["NetworkInterfaces"][0]["TagSet"] == [
        {"Key": "owner", "Value": "ops"}]
    ec2.delete_tags(Resources=[eni_id], Tags=[{"Key": "owner"}])
    assert ec2.describe_network_interfaces(NetworkInterfaceIds=[eni_id])["NetworkInterfaces"][0]["TagSet"] == []
    ec2.delete_network_interface(NetworkInterfaceId=eni_id)


def test_modify_and_describe_attributes(ec2, network):
    eni_id = ec2.create_network_interface(SubnetId=network["subnet"], Groups=[network["app"]],
                                          PrivateIpAddress="127.0.3.1")["NetworkInterface"]["NetworkInterfaceId"]
    ec2.modify_network_interface_attribute(NetworkInterfaceId=eni_id, Groups=[network["db"], network["app"]])
    groups = ec2.describe_network_interface_attribute(NetworkInterfaceId=eni_id, Attribute="groupSet")["Groups"]
    assert [g["GroupId"] for g in groups] == [network["db"], network["app"]]
    ec2.modify_network_interface_attribute(NetworkInterfaceId=eni_id, Description={"Value": "moved to db"})
    described = ec2.describe_network_interface_attribute(NetworkInterfaceId=eni_id, Attribute="description")
    assert described["Description"] == {"Value": "moved to db"}
    check = ec2.describe_network_interface_attribute(NetworkInterfaceId=eni_id, Attribute="sourceDestCheck")
    assert check["SourceDestCheck"] == {"Value": True}
    eni = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni_id])["NetworkInterfaces"][0]
    assert eni["Description"] == "moved to db" and eni["PrivateIpAddress"] == "127.0.3.1"
    # Groups of another VPC, or unknown ones, leave the interface as it was.
    defaults = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": ["default"]}])
    foreign = [g["GroupId"] for g in defaults["SecurityGroups"] if g["VpcId"] != network["vpc"]][0]
    error = error_of(ec2.modify_network_interface_attribute, NetworkInterfaceId=eni_id, Groups=[foreign])
    assert error["Code"] == "InvalidParameter" and "belong to different networks" in error["Message"]
    error = error_of(ec2.modify_network_interface_attribute, NetworkInterfaceId=eni_id, Groups=["sg-0123456789abcdef0"])
    assert error["Code"] == "InvalidGroup.NotFound"
    groups = ec2.describe_network_interface_attribute(NetworkInterfaceId=eni_id, Attribute="groupSet")["Groups"]
    assert [g["GroupId"] for g in groups] == [network["db"], network["app"]]
    ec2.delete_network_interface(NetworkInterfaceId=eni_id)


def test_errors(ec2, network):
    error = error_of(ec2.create_network_interface, SubnetId="subnet-0123456789abcdef0")
    assert error == {"Code": "InvalidSubnetID.NotFound", "Message": "The subnet ID 'subnet-0123456789abcdef0' does not exist"}
    error = error_of(ec2.create_network_interface, SubnetId=network["subnet"], Groups=["sg-0123456789abcdef0"])
    assert error == {"Code": "InvalidGroup.NotFound", "Message": "The security group 'sg-0123456789abcdef0' does not exist"}
    error = error_of(ec2.create_network_interface, SubnetId=network["subnet"], Groups=["nonsense"])
    assert error["Code"] == "InvalidGroupId.Malformed"
    default_subnet = ec2.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])["Subnets"][0]
    error = error_of(ec2.create_network_interface, SubnetId=default_subnet["SubnetId"], Groups=[network["app"]])
    assert error == {"Code": "InvalidParameter", "Message": f"Security group {network['app']} and subnet "
                                                            f"{default_subnet['SubnetId']} belong to different networks."}
    error = error_of(ec2.create_network_interface, SubnetId=network["subnet"], PrivateIpAddress="not-an-address")
    assert error["Code"] == "InvalidParameterValue"
    for call, kwargs in [(ec2.delete_network_interface, {}), (ec2.describe_network_interfaces, {}),
                         (ec2.modify_network_interface_attribute, {"Description": {"Value": "x"}})]:
        if call == ec2.describe_network_interfaces:
            error = error_of(call, NetworkInterfaceIds=["eni-0123456789abcdef0"])
        else:
            error = error_of(call, NetworkInterfaceId="eni-0123456789abcdef0", **kwargs)
        assert error == {"Code": "InvalidNetworkInterfaceID.NotFound",
                         "Message": "The networkInterface ID 'eni-0123456789abcdef0' does not exist"}
        if call == ec2.describe_network_interfaces:
            error = error_of(call, NetworkInterfaceIds=["eni-xyz"])
        else:
            error = error_of(call, NetworkInterfaceId="eni-xyz", **kwargs)
        assert error["Code"] == "InvalidNetworkInterfaceID.Malformed"
    error = error_of(ec2.create_network_interface, SubnetId=network["subnet"], SecondaryPrivateIpAddressCount=1)
    assert error["Code"] == "InvalidParameterValue"
    error = error_of(ec2.create_network_interface, SubnetId=network["subnet"], DryRun=True)
    assert error["Code"] == "DryRunOperation"
    assert interfaces(ec2, ("vpc-id", [network["vpc"]])) == []


def test_used_groups_subnets_and_vpcs_cannot_be_deleted(ec2):
    vpc = ec2.create_vpc(CidrBlock="10.41.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.41.0.0/24")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName="in-use", Description="used", VpcId=vpc)["GroupId"]
    eni_id = ec2.create_network_interface(SubnetId=subnet, Groups=[group])["NetworkInterface"]["NetworkInterfaceId"]
    error = error_of(ec2.delete_security_group, GroupId=group)
    assert error == {"Code": "DependencyViolation", "Message": f"resource {group} has a dependent object"}
    error = error_of(ec2.delete_subnet, SubnetId=subnet)
    assert error == {"Code": "DependencyViolation",
                     "Message": f"The subnet '{subnet}' has dependencies and cannot be deleted."}
    assert error_of(ec2.delete_vpc, VpcId=vpc)["Code"] == "DependencyViolation"
    # Out of the group, the group may go; without the interface, the subnet and the VPC.
    default = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc]},
                                                    {"Name": "group-name", "Values": ["default"]}])
    ec2.modify_network_interface_attribute(NetworkInterfaceId=eni_id,
                                           Groups=[default["SecurityGroups"][0]["GroupId"]])
    ec2.delete_security_group(GroupId=group)
    ec2.delete_network_interface(NetworkInterfaceId=eni_id)
    ec2.delete_subnet(SubnetId=subnet)
    ec2.delete_vpc(VpcId=vpc)


def test_cli_makes_a_local_client_a_member_of_a_group(server, network):
    """The way the docs tell it: a loopback address in the app group."""
    created = server.aws("ec2", "create-network-interface", "--subnet-id", network["subnet"],
                         "--groups", network["app"], "--private-ip-address", "127.0.0.77",
                         "--description", "local app client")
    eni = created["NetworkInterface"]
    assert eni["PrivateIpAddress"] == "127.0.0.77" and eni["Groups"][0]["GroupId"] == network["app"]
    listed = server.aws("ec2", "describe-network-interfaces", "--filters",
                        "Name=private-ip-address,Values=127.0.0.77")["NetworkInterfaces"]
    assert [i["NetworkInterfaceId"] for i in listed] == [eni["NetworkInterfaceId"]]
    server.aws("ec2", "modify-network-interface-attribute", "--network-interface-id", eni["NetworkInterfaceId"],
               "--groups", network["app"], network["db"])
    attribute = server.aws("ec2", "describe-network-interface-attribute", "--network-interface-id",
                           eni["NetworkInterfaceId"], "--attribute", "groupSet")
    assert [g["GroupId"] for g in attribute["Groups"]] == [network["app"], network["db"]]
    failed = server.aws("ec2", "create-network-interface", "--subnet-id", network["subnet"],
                        "--private-ip-address", "8.8.8.8", check=False)
    assert failed.returncode != 0 and "InvalidParameterValue" in failed.stderr
    assert "does not fall within the subnet's address range" in failed.stderr
    server.aws("ec2", "delete-network-interface", "--network-interface-id", eni["NetworkInterfaceId"])


def test_interfaces_survive_a_restart(kura_factory):
    server = kura_factory()
    ec2 = server.client("ec2")
    subnet = ec2.describe_subnets()["Subnets"][0]["SubnetId"]
    eni = ec2.create_network_interface(SubnetId=subnet, PrivateIpAddress="127.0.9.9")["NetworkInterface"]
    server.restart()
    again = server.client("ec2").describe_network_interfaces(NetworkInterfaceIds=[eni["NetworkInterfaceId"]])
    assert again["NetworkInterfaces"] == [eni]
