"""What the RDS benchmarks share: the --engine option, the RDS client, and
an instance made the same way for every engine."""
import sys

import boto3

PASSWORD = "S3cret-pass"
ENGINES = ("postgres", "mysql", "mariadb")


def engine_option(default="postgres"):
    """Takes `--engine NAME` out of sys.argv (the positional arguments stay
    where they were) and returns NAME."""
    engine = default
    if "--engine" in sys.argv:
        at = sys.argv.index("--engine")
        engine = sys.argv[at + 1] if at + 1 < len(sys.argv) else ""
        del sys.argv[at:at + 2]
    if engine not in ENGINES:
        raise SystemExit(f"--engine: one of {', '.join(ENGINES)}")
    return engine


def is_mysql(engine):
    """Whether the engine is served by MariaDB (mysql and mariadb)."""
    return engine in ("mysql", "mariadb")


def rds_client(endpoint):
    return boto3.client("rds", endpoint_url=endpoint, region_name="ap-northeast-1",
                        aws_access_key_id="test", aws_secret_access_key="test")


def create_instance(rds, name, engine, retention, **extra):
    """A db.t3.micro with the master user admin; the MySQL engines get the
    database `bench` (their clients name one to work in)."""
    params = dict(DBInstanceIdentifier=name, Engine=engine, DBInstanceClass="db.t3.micro",
                  MasterUsername="admin", MasterUserPassword=PASSWORD, AllocatedStorage=20,
                  BackupRetentionPeriod=retention)
    if is_mysql(engine):
        params["DBName"] = "bench"
    params.update(extra)
    return rds.create_db_instance(**params)["DBInstance"]
