"""A tenant's dblink reaches a PostgreSQL server as any client does. The
options of Kura's own sessions (session_replication_role=replica among
them, a superuser's to set) were in the server's environment, since Kura
started the server with them: every connection a backend opened sent them,
and the server refused the tenant's "permission denied to set parameter"."""
from rds_support import PASSWORD, create_instance, endpoint, psql


def test_a_tenants_dblink_connects_without_kuras_session_options(kura_factory):
    rds = kura_factory().client("rds")
    create_instance(rds, "linked", BackupRetentionPeriod=0)
    host, port = endpoint(rds, "linked")
    psql(rds, "linked", "CREATE EXTENSION dblink; CREATE TABLE marks (label text); INSERT INTO marks VALUES ('A')")
    answer = psql(rds, "linked", "SELECT label FROM dblink("
                                 f"'host={host} port={port} user=admin password={PASSWORD} dbname=postgres', "
                                 "'SELECT label FROM marks') AS t(label text)")
    assert answer == "A"
