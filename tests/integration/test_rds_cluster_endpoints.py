"""Custom endpoints of Aurora clusters (CreateDBClusterEndpoint and the
rest), as Aurora has them: a READER endpoint over a chosen reader, an ANY
endpoint over every instance but an excluded one, each on an address of
its own at the cluster's port; psql through each lands on the instances
it names (told apart by the engine's own port, inet_server_port()), and
nowhere else. Modified, an endpoint moves; deleted, it stops listening;
Kura killed and started again, it serves again; its last member deleted,
it serves nothing; the cluster's deletion takes its endpoints with it."""
import time

from rds_support import cluster, writer_of
from test_rds_aurora import error_code, eventually, make_cluster, sql_at


def endpoints(rds, **params):
    return rds.describe_db_cluster_endpoints(**params)["DBClusterEndpoints"]


def custom(rds, name):
    found = endpoints(rds, DBClusterEndpointIdentifier=name)
    return found[0] if found else None


def wait_endpoint(rds, name, status="available", timeout=30):
    eventually(lambda: (custom(rds, name) or {}).get("Status") == status, f"endpoint {name} {status}", timeout)
    return custom(rds, name)


def engine_port(host, port):
    return int(sql_at(host, port, "SELECT inet_server_port()"))


def engines_behind(rds, name, port, connections=6):
    address = custom(rds, name)["Endpoint"]
    return {engine_port(address, port) for _ in range(connections)}


def test_custom_endpoints_route_to_the_instances_they_name(kura_factory):
    server = kura_factory()
    rds = server.client("rds")
    make_cluster(rds, "ce", readers=2)
    port = cluster(rds, "ce")["Port"]
    instances = {i["DBInstanceIdentifier"]: i for i in rds.describe_db_instances()["DBInstances"]}
    engine_of = {name: engine_port(i["Endpoint"]["Address"], i["Endpoint"]["Port"]) for name, i in instances.items()}
    assert len(set(engine_of.values())) == 3

    # Bad input, each with the error Aurora gives.
    create = rds.create_db_cluster_endpoint
    assert error_code(create, DBClusterIdentifier="nope", DBClusterEndpointIdentifier="x",
                      EndpointType="READER") == "DBClusterNotFoundFault"
    assert error_code(create, DBClusterIdentifier="ce", DBClusterEndpointIdentifier="x",
                      EndpointType="WRITER") == "InvalidParameterValue"
    assert error_code(create, DBClusterIdentifier="ce", DBClusterEndpointIdentifier="x", EndpointType="ANY",
                      StaticMembers=["ce-2"], ExcludedMembers=["ce-3"]) == "InvalidParameterCombination"
    assert error_code(create, DBClusterIdentifier="ce", DBClusterEndpointIdentifier="x", EndpointType="ANY",
                      StaticMembers=["nowhere"]) == "DBInstanceNotFound"
    rds.create_db_instance(DBInstanceIdentifier="alone", Engine="postgres", DBInstanceClass="db.t3.micro",
                           MasterUsername="admin", MasterUserPassword="secret-password-1", AllocatedStorage=20)
    assert error_code(create, DBClusterIdentifier="ce", DBClusterEndpointIdentifier="x", EndpointType="ANY",
                      ExcludedMembers=["alone"]) == "InvalidParameterValue"  # not the cluster's

    made = create(DBClusterIdentifier="ce", DBClusterEndpointIdentifier="Analytics", EndpointType="reader",
                  StaticMembers=["ce-3"])
    assert (made["DBClusterEndpointIdentifier"], made["Status"], made["CustomEndpointType"]) == \
        ("analytics", "creating", "READER")
    assert made["DBClusterEndpointArn"].endswith(":cluster-endpoint:analytics")
    create(DBClusterIdentifier="ce", DBClusterEndpointIdentifier="all-but-one", EndpointType="ANY",
           ExcludedMembers=["ce-2"])
    assert error_code(create, DBClusterIdentifier="ce", DBClusterEndpointIdentifier="analytics",
                      EndpointType="ANY") == "DBClusterEndpointAlreadyExistsFault"
    analytics, others = wait_endpoint(rds, "analytics"), wait_endpoint(rds, "all-but-one")
    assert analytics["Endpoint"] != others["Endpoint"]
    assert analytics["Endpoint"] not in (cluster(rds, "ce")["Endpoint"], cluster(rds, "ce")["ReaderEndpoint"])
    assert sorted(cluster(rds, "ce")["CustomEndpoints"]) == sorted([analytics["Endpoint"], others["Endpoint"]])
    assert sorted(rds.describe_db_clusters()["DBClusters"][0]["CustomEndpoints"]) == \
        sorted([analytics["Endpoint"], others["Endpoint"]])

    # The listing: the cluster's own endpoints first, then its custom ones.
    listed = endpoints(rds, DBClusterIdentifier="ce")
    assert [e["EndpointType"] for e in listed] == ["WRITER", "READER", "CUSTOM", "CUSTOM"]
    assert [e.get("DBClusterEndpointIdentifier") for e in listed[2:]] == ["all-but-one", "analytics"]
    assert listed[0]["Endpoint"] == cluster(rds, "ce")["Endpoint"]
    only_readers = endpoints(rds, Filters=[{"Name": "db-cluster-endpoint-custom-type", "Values": ["reader"]}])
    assert [e["DBClusterEndpointIdentifier"] for e in only_readers] == ["analytics"]
    assert len(endpoints(rds, Filters=[{"Name": "db-cluster-endpoint-type", "Values": ["custom"]}])) == 2
    assert error_code(rds.describe_db_cluster_endpoints, DBClusterIdentifier="nope") == "DBClusterNotFoundFault"
    assert [e["DBClusterEndpointIdentifier"] for e in endpoints(
        rds, Filters=[{"Name": "db-cluster-endpoint-status", "Values": ["available"]},
                      {"Name": "db-cluster-endpoint-type", "Values": ["custom"]}])] == ["all-but-one", "analytics"]

    # Aurora's quota: five a cluster.
    for n in range(3):
        create(DBClusterIdentifier="ce", DBClusterEndpointIdentifier=f"extra-{n}", EndpointType="ANY")
    assert error_code(create, DBClusterIdentifier="ce", DBClusterEndpointIdentifier="sixth",
                      EndpointType="ANY") == "DBClusterEndpointQuotaExceededFault"
    for n in range(3):
        wait_endpoint(rds, f"extra-{n}")
        rds.delete_db_cluster_endpoint(DBClusterEndpointIdentifier=f"extra-{n}")
    for n in range(3):
        eventually(lambda: custom(rds, f"extra-{n}") is None, f"extra-{n} deleted")

    # Pages of 20 (RDS's least MaxRecords) over every cluster's endpoints:
    # ten clusters without instances add twenty.
    for n in range(10):
        rds.create_db_cluster(DBClusterIdentifier=f"pg-{n}", Engine="aurora-postgresql", MasterUsername="admin",
                              MasterUserPassword="secret-password-1")
    first = rds.describe_db_cluster_endpoints(MaxRecords=20)
    second = rds.describe_db_cluster_endpoints(MaxRecords=20, Marker=first["Marker"])
    assert len(first["DBClusterEndpoints"]) == 20 and "Marker" not in second
    paged = [(e["DBClusterIdentifier"], e["EndpointType"], e.get("DBClusterEndpointIdentifier"))
             for e in first["DBClusterEndpoints"] + second["DBClusterEndpoints"]]
    assert len(paged) == len(set(paged)) == 24
    assert paged == [(e["DBClusterIdentifier"], e["EndpointType"], e.get("DBClusterEndpointIdentifier"))
                     for e in endpoints(rds)]
    for n in range(10):
        rds.delete_db_cluster(DBClusterIdentifier=f"pg-{n}", SkipFinalSnapshot=True)

    # Through each, only the instances it names: the reader, read-only; the
    # writer and ce-3, not the excluded ce-2.
    assert engines_behind(rds, "analytics", port) == {engine_of["ce-3"]}
    refused = sql_at(analytics["Endpoint"], port, "CREATE TABLE nope (n int)", check=False)
    assert "read-only" in refused.stderr
    assert engines_behind(rds, "all-but-one", port) == {engine_of["ce-1"], engine_of["ce-3"]}

    # Modified: the endpoint moves to the new member.
    changed = rds.modify_db_cluster_endpoint(DBClusterEndpointIdentifier="analytics", StaticMembers=["ce-2"])
    assert changed["Status"] == "modifying"
    wait_endpoint(rds, "analytics")
    eventually(lambda: engines_behind(rds, "analytics", port) == {engine_of["ce-2"]}, "analytics moved")
    assert custom(rds, "analytics")["StaticMembers"] == ["ce-2"]

    # Kura killed and started again: the endpoints serve again.
    server.restart(sigkill=True)
    rds = server.client("rds")
    eventually(lambda: sql_at(analytics["Endpoint"], port, "SELECT 1", check=False) == "1", "served after restart",
               timeout=60)
    assert engines_behind(rds, "analytics", port) == {engine_of["ce-2"]}

    # A failover to its one member: a READER endpoint never sends to the
    # writer, so it serves nothing; made ANY, it serves the writer.
    rds.failover_db_cluster(DBClusterIdentifier="ce", TargetDBInstanceIdentifier="ce-2")
    eventually(lambda: writer_of(rds, "ce") == "ce-2", "failed over to ce-2", timeout=120)
    eventually(lambda: sql_at(analytics["Endpoint"], port, "SELECT 1", check=False) != "1", "no reader behind it")
    rds.modify_db_cluster_endpoint(DBClusterEndpointIdentifier="analytics", EndpointType="ANY")
    wait_endpoint(rds, "analytics")
    eventually(lambda: sql_at(analytics["Endpoint"], port, "SELECT 1", check=False) == "1", "the writer behind it")
    assert engines_behind(rds, "analytics", port) == {engine_of["ce-2"]}
    assert sql_at(analytics["Endpoint"], port, "CREATE TABLE t (n int)") == ""  # the writer takes writes

    # Deleted: it stops listening and is no longer listed.
    gone = rds.delete_db_cluster_endpoint(DBClusterEndpointIdentifier="all-but-one")
    assert gone["Status"] == "deleting"
    eventually(lambda: custom(rds, "all-but-one") is None, "endpoint deleted")
    eventually(lambda: sql_at(others["Endpoint"], port, "SELECT 1", check=False) != "1", "stopped listening")
    assert error_code(rds.delete_db_cluster_endpoint,
                      DBClusterEndpointIdentifier="all-but-one") == "DBClusterEndpointNotFoundFault"
    assert error_code(rds.modify_db_cluster_endpoint, DBClusterEndpointIdentifier="all-but-one",
                      EndpointType="ANY") == "DBClusterEndpointNotFoundFault"

    # Its one member (the writer) deleted, the cluster fails over first; the
    # endpoint then lists none and serves nothing
    # (it does not turn into one over every instance).
    rds.delete_db_instance(DBInstanceIdentifier="ce-2", SkipFinalSnapshot=True)
    eventually(lambda: custom(rds, "analytics")["StaticMembers"] == [], "deleted member dropped", timeout=120)
    eventually(lambda: sql_at(analytics["Endpoint"], port, "SELECT 1", check=False) != "1", "nothing behind it")

    # The cluster's deletion takes the rest with it.
    for name in ("ce-3", "ce-1", "alone"):
        rds.delete_db_instance(DBInstanceIdentifier=name, SkipFinalSnapshot=True)
    eventually(lambda: not rds.describe_db_instances()["DBInstances"], "instances deleted", timeout=120)
    rds.delete_db_cluster(DBClusterIdentifier="ce", SkipFinalSnapshot=True)
    eventually(lambda: custom(rds, "analytics") is None, "endpoint deleted with its cluster", timeout=120)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and sql_at(analytics["Endpoint"], port, "SELECT 1", check=False) == "1":
        time.sleep(0.2)
    assert sql_at(analytics["Endpoint"], port, "SELECT 1", check=False) != "1"
