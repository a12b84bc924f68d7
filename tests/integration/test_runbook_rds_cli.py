"""The seed runbook's RDS commands, verbatim with --endpoint-url, doing for
real what they say."""
from rds_support import PASSWORD, psql, wait_status


def test_runbook_snapshot_and_restore_with_the_cli(kura_factory):
    server = kura_factory()
    server.aws("rds", "create-db-instance", "--db-instance-identifier", "prod-aurora-1", "--engine", "postgres",
               "--master-username", "admin", "--master-user-password", PASSWORD,
               "--db-instance-class", "db.t3.micro", "--allocated-storage", "20",
               "--backup-retention-period", "7", "--preferred-backup-window", "02:00-03:00")
    server.aws("rds", "wait", "db-instance-available", "--db-instance-identifier", "prod-aurora-1")
    rds = server.client("rds")
    psql(rds, "prod-aurora-1", "CREATE TABLE orders (id int); INSERT INTO orders VALUES (1), (2), (3)")
    # 1.3: バックアップ取得コマンド例
    server.aws("rds", "create-db-snapshot", "--db-instance-identifier", "prod-aurora-1",
               "--db-snapshot-identifier", "prod-aurora-snap-20250630")
    server.aws("rds", "wait", "db-snapshot-available", "--db-snapshot-identifier", "prod-aurora-snap-20250630")
    # 1.3: リストア手順
    server.aws("rds", "restore-db-instance-from-db-snapshot", "--db-instance-identifier", "prod-aurora-restore",
               "--db-snapshot-identifier", "prod-aurora-snap-20250630")
    server.aws("rds", "wait", "db-instance-available", "--db-instance-identifier", "prod-aurora-restore")
    assert psql(rds, "prod-aurora-restore", "SELECT count(*) FROM orders") == "3"
    wait_status(rds, "prod-aurora-restore", "available")
