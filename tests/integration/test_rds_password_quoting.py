"""A new master password reaches the engine as a string, whatever the
tenant made of how its server reads strings. Kura sets it in SQL as its own
all-powerful account: a password that ended the string early ran the rest
of it with Kura's rights.

- PostgreSQL: the master user owns the database Kura's sessions use and may
  turn standard_conforming_strings off for it; '...' then takes \\' as a
  quote.
- MariaDB: a parameter group may set sql_mode to NO_BACKSLASH_ESCAPES; \\'
  then no longer escapes a quote."""
import os
import subprocess
import time

import pytest

from rds_support import PASSWORD, create_instance, endpoint, psql, wait_status


def wait_modified(rds, identifier):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        instance = rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]
        if instance["DBInstanceStatus"] == "available" and not instance.get("PendingModifiedValues"):
            return
        time.sleep(0.3)
    raise AssertionError(f"{identifier} still has modifications pending")


def test_postgres_password_is_a_string_with_standard_conforming_strings_off(kura_factory):
    rds = kura_factory().client("rds")
    create_instance(rds, "quoting", BackupRetentionPeriod=0)
    # What the password would run, were it to escape its string: a function
    # that makes the master user a superuser when a superuser calls it.
    psql(rds, "quoting", "CREATE FUNCTION public.escalate() RETURNS int LANGUAGE plpgsql AS "
                         "$$BEGIN EXECUTE 'ALTER ROLE admin SUPERUSER'; RETURN 1; END$$; "
                         "ALTER DATABASE postgres SET standard_conforming_strings = off")
    password = "x\\';SELECT(public.escalate());--"
    rds.modify_db_instance(DBInstanceIdentifier="quoting", MasterUserPassword=password, ApplyImmediately=True)
    wait_modified(rds, "quoting")
    deadline = time.monotonic() + 60
    while psql(rds, "quoting", "SELECT 1", password=password, check=False) != "1":
        assert time.monotonic() < deadline, "the new password does not log in"
        time.sleep(0.3)
    assert psql(rds, "quoting", "SELECT rolsuper FROM pg_roles WHERE rolname = 'admin'", password=password) == "f"
    assert psql(rds, "quoting", "SELECT 1", check=False) != "1"  # the old password no longer


@pytest.mark.skipif(not os.path.exists("/usr/sbin/mariadbd"), reason="no MariaDB server installed")
def test_mariadb_password_is_a_string_with_no_backslash_escapes(kura_factory):
    rds = kura_factory().client("rds")
    rds.create_db_parameter_group(DBParameterGroupName="nbe", DBParameterGroupFamily="mariadb10.11",
                                  Description="backslashes are characters")
    rds.modify_db_parameter_group(DBParameterGroupName="nbe", Parameters=[
        {"ParameterName": "sql_mode", "ParameterValue": "NO_BACKSLASH_ESCAPES", "ApplyMethod": "immediate"}])
    rds.create_db_instance(DBInstanceIdentifier="nbe", Engine="mariadb", DBInstanceClass="db.t3.micro",
                           MasterUsername="admin", MasterUserPassword=PASSWORD, AllocatedStorage=20,
                           BackupRetentionPeriod=0, DBParameterGroupName="nbe")
    wait_status(rds, "nbe", "available")
    host, port = endpoint(rds, "nbe")

    def mariadb(sql, password):
        return subprocess.run(["mariadb", "--no-defaults", "-h", host, "-P", str(port), "-u", "admin",
                               f"-p{password}", "-N", "-B", "-e", sql], capture_output=True, text=True, timeout=60)

    assert mariadb("SELECT @@GLOBAL.sql_mode", PASSWORD).stdout.strip() == "NO_BACKSLASH_ESCAPES"
    password = "x\\';CREATE`DATABASE`escaped;#"
    rds.modify_db_instance(DBInstanceIdentifier="nbe", MasterUserPassword=password, ApplyImmediately=True)
    wait_modified(rds, "nbe")
    deadline = time.monotonic() + 60
    while mariadb("SELECT 1", password).returncode != 0:
        assert time.monotonic() < deadline, "the new password does not log in"
        time.sleep(0.3)
    databases = mariadb("SHOW DATABASES", password).stdout.split()
    assert "escaped" not in databases, "the password ran as Kura's account"
    assert mariadb("SELECT 1", PASSWORD).returncode != 0  # the old password no longer
