"""Security groups enforced where the bytes arrive: every engine endpoint
Kura exposes admits a connection only when its source address passes an
ingress rule of the resource's groups. The whole of 127.0.0.0/8 is local on
Linux, so each test connects from several loopback sources; a client is made
a member of a group by a network interface that names its address."""
import socket
import time

import pytest

from rds_support import (PASSWORD, cluster, create_instance, endpoint, psql, wait_cluster, wait_gone, wait_instances,
                         wait_status)

pymysql = pytest.importorskip("pymysql")

SSL_REQUEST = b"\x00\x00\x00\x08\x04\xd2\x16\x2f"  # PostgreSQL's: answered with one byte, S or N


def reaches(host, port, source, hello=SSL_REQUEST, timeout=5):
    """Whether a connection from `source` gets an answer from the engine
    behind the endpoint; a connection the groups refuse is reset at once."""
    try:
        with socket.create_connection((host, port), timeout=timeout, source_address=(source, 0)) as s:
            if hello:
                s.sendall(hello)
            return len(s.recv(64)) > 0
    except (ConnectionResetError, ConnectionRefusedError, BrokenPipeError, socket.timeout):
        return False


def eventually(predicate, timeout=10):
    """Rules apply to the next connection; what waits here is the engine
    behind a freshly routed endpoint, never the rule."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return predicate()


@pytest.fixture(scope="module")
def ec2(kura):
    return kura.client("ec2")


@pytest.fixture(scope="module")
def rds(kura):
    return kura.client("rds")


@pytest.fixture(scope="module")
def default_vpc(ec2):
    return ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]


@pytest.fixture(scope="module")
def default_group(ec2, default_vpc):
    groups = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [default_vpc]},
                                                   {"Name": "group-name", "Values": ["default"]}])
    return groups["SecurityGroups"][0]["GroupId"]


@pytest.fixture(scope="module")
def pg(rds):
    create_instance(rds, "sg-pg", BackupRetentionPeriod=0)
    psql(rds, "sg-pg", "CREATE TABLE t (v int); INSERT INTO t VALUES (42)")
    return endpoint(rds, "sg-pg")


def new_group(ec2, vpc, name):
    return ec2.create_security_group(GroupName=name, Description=name, VpcId=vpc)["GroupId"]


def allow_cidr(ec2, group, cidr, port=None):
    permission = {"IpProtocol": "-1", "IpRanges": [{"CidrIp": cidr}]} if port is None else \
        {"IpProtocol": "tcp", "FromPort": port, "ToPort": port, "IpRanges": [{"CidrIp": cidr}]}
    ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[permission])
    return permission


def shown_groups(rds, identifier):
    instance = rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]
    return [g["VpcSecurityGroupId"] for g in instance["VpcSecurityGroups"]]


def test_the_default_group_admits_every_client_no_interface_names(rds, pg, default_group):
    host, port = pg
    assert shown_groups(rds, "sg-pg") == [default_group]
    for source in ("127.0.0.1", "127.0.0.2", "127.9.8.7"):
        assert reaches(host, port, source), source
    assert psql(rds, "sg-pg", "SELECT v FROM t") == "42"


def test_rules_decide_the_next_connection_and_leave_open_ones(ec2, rds, kura, pg, default_vpc, default_group):
    host, port = pg
    group = new_group(ec2, default_vpc, "db-rules")
    rds.modify_db_instance(DBInstanceIdentifier="sg-pg", VpcSecurityGroupIds=[group], ApplyImmediately=True)
    assert shown_groups(rds, "sg-pg") == [group]
    # No rule: nobody, not even the host's own address.
    for source in ("127.0.0.1", "127.0.0.2"):
        assert not reaches(host, port, source), source
    assert psql(rds, "sg-pg", "SELECT 1", check=False).returncode != 0

    allow_cidr(ec2, group, "127.0.0.2/32", port)
    assert reaches(host, port, "127.0.0.2")
    assert not reaches(host, port, "127.0.0.3")
    # Through the AWS CLI, as the runbook's operator would.
    kura.aws("ec2", "authorize-security-group-ingress", "--group-id", group, "--protocol", "tcp",
             "--port", str(port), "--cidr", "127.0.0.3/32")
    assert reaches(host, port, "127.0.0.3")
    # A rule for another port admits nothing here.
    allow_cidr(ec2, group, "127.0.0.4/32", port + 1 if port < 65535 else port - 1)
    assert not reaches(host, port, "127.0.0.4")

    # A connection opened while allowed stays open when its rule goes (the
    # groups are stateful, as EC2's are); new ones are refused at once.
    held = socket.create_connection((host, port), timeout=5, source_address=("127.0.0.2", 0))
    try:
        time.sleep(0.2)  # accepted and admitted before the rule goes
        ec2.revoke_security_group_ingress(GroupId=group, IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": port, "ToPort": port, "IpRanges": [{"CidrIp": "127.0.0.2/32"}]}])
        assert not reaches(host, port, "127.0.0.2")
        held.sendall(SSL_REQUEST)
        assert held.recv(1) in (b"S", b"N")  # the engine still answers it
    finally:
        held.close()
    assert reaches(host, port, "127.0.0.3")

    # Back to the default group: every unnamed client again.
    rds.modify_db_instance(DBInstanceIdentifier="sg-pg", VpcSecurityGroupIds=[default_group], ApplyImmediately=True)
    assert reaches(host, port, "127.0.0.2")
    assert psql(rds, "sg-pg", "SELECT v FROM t") == "42"


def test_members_of_a_group_are_the_addresses_its_interfaces_name(ec2, rds, pg, default_vpc, default_group):
    host, port = pg
    app = new_group(ec2, default_vpc, "app")
    db = new_group(ec2, default_vpc, "db-members")
    subnet = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [default_vpc]}])["Subnets"][0]["SubnetId"]
    eni = ec2.create_network_interface(SubnetId=subnet, Groups=[app], PrivateIpAddress="127.0.0.5")
    eni = eni["NetworkInterface"]["NetworkInterfaceId"]
    # The runbook's rule: app -> DB, on the DB's port only.
    ec2.authorize_security_group_ingress(GroupId=db, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": port, "ToPort": port, "UserIdGroupPairs": [{"GroupId": app}]}])
    rds.modify_db_instance(DBInstanceIdentifier="sg-pg", VpcSecurityGroupIds=[db], ApplyImmediately=True)
    try:
        assert reaches(host, port, "127.0.0.5")
        assert not reaches(host, port, "127.0.0.6")  # in no group but the default one
        assert not reaches(host, port, "127.0.0.1")

        # The interface leaves the app group: its address is no member now.
        ec2.modify_network_interface_attribute(NetworkInterfaceId=eni, Groups=[default_group])
        assert not reaches(host, port, "127.0.0.5")

        # A rule from the default group admits its members: the interface's
        # address and every address no interface names.
        ec2.authorize_security_group_ingress(GroupId=db, IpPermissions=[
            {"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": default_group}]}])
        for source in ("127.0.0.5", "127.0.0.6"):
            assert reaches(host, port, source), source
    finally:
        rds.modify_db_instance(DBInstanceIdentifier="sg-pg", VpcSecurityGroupIds=[default_group],
                               ApplyImmediately=True)
        ec2.delete_network_interface(NetworkInterfaceId=eni)


def test_a_multi_az_endpoint_keeps_its_groups_across_a_failover(ec2, rds, default_vpc):
    group = new_group(ec2, default_vpc, "db-multi-az")
    allow_cidr(ec2, group, "127.0.0.2/32")
    create_instance(rds, "sg-maz", MultiAZ=True, VpcSecurityGroupIds=[group], BackupRetentionPeriod=0)
    host, port = endpoint(rds, "sg-maz")
    assert reaches(host, port, "127.0.0.2")
    assert not reaches(host, port, "127.0.0.3")
    rds.reboot_db_instance(DBInstanceIdentifier="sg-maz", ForceFailover=True)
    wait_status(rds, "sg-maz", "available")
    assert eventually(lambda: reaches(host, port, "127.0.0.2"))
    assert not reaches(host, port, "127.0.0.3")
    rds.delete_db_instance(DBInstanceIdentifier="sg-maz", SkipFinalSnapshot=True)


def mysql_from(source, host, port):
    return pymysql.connect(host=host, port=port, user="admin", password=PASSWORD, bind_address=source,
                           connect_timeout=5, autocommit=True)


def test_aurora_cluster_endpoints_admit_only_their_groups(ec2, rds, default_vpc):
    group = new_group(ec2, default_vpc, "aurora")
    allow_cidr(ec2, group, "127.0.0.2/32")
    rds.create_db_cluster(DBClusterIdentifier="sg-aurora", Engine="aurora-mysql",
                          EngineVersion="8.0.mysql_aurora.3.04.1", MasterUsername="admin",
                          MasterUserPassword=PASSWORD, VpcSecurityGroupIds=[group])
    rds.create_db_instance(DBInstanceIdentifier="sg-aurora-1", DBClusterIdentifier="sg-aurora",
                           Engine="aurora-mysql", DBInstanceClass="db.r6g.large")
    wait_cluster(rds, "sg-aurora")
    wait_instances(rds, ["sg-aurora-1"])
    described = cluster(rds, "sg-aurora")
    assert [g["VpcSecurityGroupId"] for g in described["VpcSecurityGroups"]] == [group]
    writer = (described["Endpoint"], described["Port"])
    reader = (described["ReaderEndpoint"], described["Port"])
    instance = endpoint(rds, "sg-aurora-1")

    with mysql_from("127.0.0.2", *writer) as conn, conn.cursor() as cur:
        cur.execute("CREATE DATABASE app")
        cur.execute("CREATE TABLE app.t (v INT)")
        cur.execute("INSERT INTO app.t VALUES (7)")
    for where in (writer, reader, instance):
        assert eventually(lambda: reaches(where[0], where[1], "127.0.0.2", hello=None)), where
        with pytest.raises(pymysql.MySQLError):
            mysql_from("127.0.0.3", *where)
    with mysql_from("127.0.0.2", *instance) as conn, conn.cursor() as cur:
        cur.execute("SELECT v FROM app.t")
        assert cur.fetchall() == ((7,),)

    rds.delete_db_instance(DBInstanceIdentifier="sg-aurora-1", SkipFinalSnapshot=True)
    wait_gone(rds, ["sg-aurora-1"])
    rds.delete_db_cluster(DBClusterIdentifier="sg-aurora", SkipFinalSnapshot=True)


def test_a_replication_group_admits_only_its_groups(kura, ec2, default_vpc):
    elasticache = kura.client("elasticache")
    group = new_group(ec2, default_vpc, "cache")
    allow_cidr(ec2, group, "127.0.0.2/32")
    elasticache.create_replication_group(ReplicationGroupId="sg-redis", ReplicationGroupDescription="sg",
                                         Engine="redis", CacheNodeType="cache.t3.micro", NumCacheClusters=2,
                                         SecurityGroupIds=[group])
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        described = elasticache.describe_replication_groups(ReplicationGroupId="sg-redis")["ReplicationGroups"][0]
        if described["Status"] == "available":
            break
        time.sleep(1)
    assert described["Status"] == "available"
    group_node = described["NodeGroups"][0]
    members = [member["ReadEndpoint"] for member in group_node["NodeGroupMembers"]]
    for where in [group_node["PrimaryEndpoint"], group_node["ReaderEndpoint"]] + members:
        assert eventually(lambda: reaches(where["Address"], where["Port"], "127.0.0.2", hello=b"PING\r\n")), where
        assert not reaches(where["Address"], where["Port"], "127.0.0.3", hello=b"PING\r\n"), where
    elasticache.delete_replication_group(ReplicationGroupId="sg-redis")


def wait_cache_cluster(elasticache, identifier, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        described = elasticache.describe_cache_clusters(CacheClusterId=identifier,
                                                        ShowCacheNodeInfo=True)["CacheClusters"][0]
        if described["CacheClusterStatus"] == "available":
            return described
        time.sleep(1)
    raise AssertionError(f"{identifier} is not available")


@pytest.mark.parametrize("engine,nodes,hello", [("redis", 1, b"PING\r\n"), ("memcached", 2, b"version\r\n")])
def test_cache_cluster_nodes_admit_only_their_groups(kura, ec2, default_vpc, engine, nodes, hello):
    elasticache = kura.client("elasticache")
    group = new_group(ec2, default_vpc, f"{engine}-nodes")
    allow_cidr(ec2, group, "127.0.0.2/32")
    identifier = f"sg-{engine}-nodes"
    elasticache.create_cache_cluster(CacheClusterId=identifier, Engine=engine, CacheNodeType="cache.t3.micro",
                                     NumCacheNodes=nodes, SecurityGroupIds=[group])
    described = wait_cache_cluster(elasticache, identifier)
    assert [g["SecurityGroupId"] for g in described["SecurityGroups"]] == [group]
    assert len(described["CacheNodes"]) == nodes
    for node in described["CacheNodes"]:
        where = node["Endpoint"]
        assert eventually(lambda: reaches(where["Address"], where["Port"], "127.0.0.2", hello=hello)), where
        assert not reaches(where["Address"], where["Port"], "127.0.0.3", hello=hello), where
    # Every client the default group holds, once the cluster is in it.
    default = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [default_vpc]},
                                                    {"Name": "group-name", "Values": ["default"]}])
    default = default["SecurityGroups"][0]["GroupId"]
    elasticache.modify_cache_cluster(CacheClusterId=identifier, SecurityGroupIds=[default], ApplyImmediately=True)
    where = described["CacheNodes"][0]["Endpoint"]
    assert eventually(lambda: reaches(where["Address"], where["Port"], "127.0.0.3", hello=hello))
    elasticache.delete_cache_cluster(CacheClusterId=identifier)
