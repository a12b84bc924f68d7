#!/usr/bin/env bash
# Starts Kura on 127.0.0.1:4566 (data in ./kura-data) unless one already
# answers there, then walks through the seed runbook's commands with the AWS
# CLI, reading the data back. Kura keeps running afterwards; stop it with
#   kill "$(cat kura-data/kura.pid)"
# Over HTTPS: KURA_ENDPOINT=https://127.0.0.1:4566 (a server it starts then
# runs with --tls; the CLI and curl verify it with KURA_CA_BUNDLE, by
# default that server's CA bundle, kura-data/keys/rds-ca.pem).
set -euo pipefail
cd "$(dirname "$0")/.."
endpoint="${KURA_ENDPOINT:-http://127.0.0.1:4566}"
tls_args=() ca_args=()
if [[ $endpoint == https://* ]]; then
  tls_args=(--tls)
  ca_args=(--ca-bundle "${KURA_CA_BUNDLE:-$PWD/kura-data/keys/rds-ca.pem}")
fi
health() { curl -fsS ${ca_args[1]:+--cacert "${ca_args[1]}"} "$endpoint/_kura/health"; }
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=ap-northeast-1 AWS_PAGER=""
# Debian's AWS CLI (what install-deps.sh installs, and what the tour's output
# is written for) even where another comes first on PATH; newer CLIs work too
# (their CloudWatch speaks Smithy RPC v2 CBOR, which Kura answers).
aws_cli=aws
[ -x /usr/bin/aws ] && aws_cli=/usr/bin/aws
aws() { command "$aws_cli" --endpoint-url "$endpoint" "${ca_args[@]}" "$@"; }
step() { printf '\n== %s\n' "$*"; }

if ! health >/dev/null 2>&1; then
  mkdir -p kura-data
  nohup "${KURA_BIN:-./build/src/main/kura}" serve --host 127.0.0.1 --port 4566 --data-dir kura-data "${tls_args[@]}" \
    >kura-data/kura.log 2>&1 &
  echo $! >kura-data/kura.pid
  for _ in $(seq 1 100); do
    health >/dev/null 2>&1 && break
    sleep 0.1
  done
  health >/dev/null || { tail -n 20 kura-data/kura.log; exit 1; }
  echo "kura serve started (pid $(cat kura-data/kura.pid), log kura-data/kura.log)"
fi

step "Who am I"
aws sts get-caller-identity

step "RDS (runbook 1.1/1.3): a PostgreSQL instance with 7 days of automated backups"
suffix=$(date +%s)
db="prod-aurora-$suffix"
aws rds create-db-instance --db-instance-identifier "$db" --engine postgres \
  --master-username admin --master-user-password 'S3cret-pass' \
  --db-instance-class db.t3.micro --allocated-storage 20 \
  --backup-retention-period 7 --preferred-backup-window 02:00-03:00 \
  --query 'DBInstance.[DBInstanceIdentifier,DBInstanceStatus]' --output text
aws rds wait db-instance-available --db-instance-identifier "$db"
read -r host port < <(aws rds describe-db-instances --db-instance-identifier "$db" \
  --query 'DBInstances[0].Endpoint.[Address,Port]' --output text)
echo "endpoint: $host:$port"
export PGPASSWORD='S3cret-pass'
psql -X -q "host=$host port=$port user=admin dbname=postgres" \
  -c "CREATE TABLE orders (id int PRIMARY KEY, item text); INSERT INTO orders VALUES (1, 'book'), (2, 'pen');"

step "RDS (runbook 1.3): take a manual snapshot, then restore it as a new instance"
aws rds create-db-snapshot --db-instance-identifier "$db" --db-snapshot-identifier "$db-snap-20250630" \
  --query 'DBSnapshot.[DBSnapshotIdentifier,Status]' --output text
aws rds wait db-snapshot-available --db-snapshot-identifier "$db-snap-20250630"
aws rds restore-db-instance-from-db-snapshot --db-instance-identifier "$db-restore" \
  --db-snapshot-identifier "$db-snap-20250630" --query 'DBInstance.DBInstanceStatus' --output text
aws rds wait db-instance-available --db-instance-identifier "$db-restore"
read -r host port < <(aws rds describe-db-instances --db-instance-identifier "$db-restore" \
  --query 'DBInstances[0].Endpoint.[Address,Port]' --output text)
step "The restored instance holds the rows"
psql -X "host=$host port=$port user=admin dbname=postgres" -c "SELECT * FROM orders ORDER BY id;"

step "Incident (runbook 4.2): a CloudWatch alarm detects that the restored instance stops answering"
aws cloudwatch put-metric-alarm --alarm-name "$db-restore-down" --namespace AWS/RDS \
  --metric-name DatabaseConnections --dimensions "Name=DBInstanceIdentifier,Value=$db-restore" \
  --statistic SampleCount --period 10 --evaluation-periods 2 --datapoints-to-alarm 2 \
  --threshold 1 --comparison-operator LessThanThreshold --treat-missing-data breaching
aws rds stop-db-instance --db-instance-identifier "$db-restore" --query 'DBInstance.DBInstanceStatus' --output text
for _ in $(seq 1 60); do
  state=$(aws cloudwatch describe-alarms --alarm-names "$db-restore-down" --query 'MetricAlarms[0].StateValue' --output text)
  [ "$state" = ALARM ] && break
  sleep 1
done
aws cloudwatch describe-alarm-history --alarm-name "$db-restore-down" --history-item-type StateUpdate \
  --query 'AlarmHistoryItems[].[Timestamp,HistorySummary]' --output text

step "Aurora MySQL (runbook 1.1): the runbook's cluster, a writer and a reader, then a failover"
aurora="prod-aurora-cluster-$suffix"
aws rds create-db-cluster --db-cluster-identifier "$aurora" --engine aurora-mysql \
  --engine-version 8.0.mysql_aurora.3.04.1 --master-username admin --master-user-password 'S3cret-pass' \
  --backup-retention-period 7 --preferred-backup-window 02:00-03:00 --storage-encrypted \
  --query 'DBCluster.[DBClusterIdentifier,Engine,EngineVersion,Status]' --output text
aws rds wait db-cluster-available --db-cluster-identifier "$aurora"
aws rds create-db-instance --db-instance-identifier "$aurora-1" --db-cluster-identifier "$aurora" \
  --engine aurora-mysql --db-instance-class db.r6g.large --query 'DBInstance.DBInstanceStatus' --output text
aws rds wait db-instance-available --db-instance-identifier "$aurora-1"
aws rds create-db-instance --db-instance-identifier "$aurora-2" --db-cluster-identifier "$aurora" \
  --engine aurora-mysql --db-instance-class db.r6g.large --query 'DBInstance.DBInstanceStatus' --output text
aws rds wait db-instance-available --db-instance-identifier "$aurora-2"
read -r writer reader cport < <(aws rds describe-db-clusters --db-cluster-identifier "$aurora" \
  --query 'DBClusters[0].[Endpoint,ReaderEndpoint,Port]' --output text)
echo "cluster endpoint: $writer:$cport  reader endpoint: $reader:$cport"
mysql_at() { MYSQL_PWD='S3cret-pass' mariadb --protocol=tcp -h "$1" -P "$cport" -u admin --table -e "$2"; }
mysql_at "$writer" "CREATE DATABASE shop; CREATE TABLE shop.payments (id INT PRIMARY KEY);
  INSERT INTO shop.payments VALUES (1), (2);"
aws rds failover-db-cluster --db-cluster-identifier "$aurora" --target-db-instance-identifier "$aurora-2" \
  --query 'DBCluster.Status' --output text
for _ in $(seq 1 150); do
  [ "$(aws rds describe-db-clusters --db-cluster-identifier "$aurora" \
      --query 'DBClusters[0].DBClusterMembers[?IsClusterWriter].DBInstanceIdentifier' --output text)" = "$aurora-2" ] && break
  sleep 0.2
done
aws rds wait db-cluster-available --db-cluster-identifier "$aurora"
step "The new writer has the rows and takes writes through the same endpoint"
for _ in $(seq 1 50); do
  mysql_at "$writer" "INSERT INTO shop.payments VALUES (3);" 2>/dev/null && break
  sleep 0.2
done
mysql_at "$writer" "SELECT @@port AS writer_port, COUNT(*) FROM shop.payments;"

step "ElastiCache (runbook 3.2): a Redis cluster, a manual snapshot, a new cluster from it"
cache="prod-redis-$suffix"
aws elasticache create-cache-cluster --cache-cluster-id "$cache" --engine redis \
  --cache-node-type cache.t3.micro --num-cache-nodes 1 --snapshot-retention-limit 7 \
  --query 'CacheCluster.[CacheClusterId,CacheClusterStatus]' --output text
aws elasticache wait cache-cluster-available --cache-cluster-id "$cache"
read -r rhost rport < <(aws elasticache describe-cache-clusters --cache-cluster-id "$cache" --show-cache-node-info \
  --query 'CacheClusters[0].CacheNodes[0].Endpoint.[Address,Port]' --output text)
redis-cli -h "$rhost" -p "$rport" SET session:42 hanako
aws elasticache create-snapshot --cache-cluster-id "$cache" --snapshot-name "$cache-snap-20250630" \
  --query 'Snapshot.[SnapshotName,SnapshotStatus]' --output text
for _ in $(seq 1 100); do
  [ "$(aws elasticache describe-snapshots --snapshot-name "$cache-snap-20250630" \
      --query 'Snapshots[0].SnapshotStatus' --output text)" = available ] && break
  sleep 0.2
done
aws elasticache create-cache-cluster --cache-cluster-id "$cache-restore" --snapshot-name "$cache-snap-20250630" \
  --query 'CacheCluster.CacheClusterStatus' --output text
aws elasticache wait cache-cluster-available --cache-cluster-id "$cache-restore"
read -r rhost rport < <(aws elasticache describe-cache-clusters --cache-cluster-id "$cache-restore" \
  --show-cache-node-info --query 'CacheClusters[0].CacheNodes[0].Endpoint.[Address,Port]' --output text)
step "The restored cluster holds the key"
redis-cli -h "$rhost" -p "$rport" GET session:42

step "ElastiCache (runbook 3.1): Multi-AZ with automatic failover, and a failover drill"
aws elasticache create-replication-group --replication-group-id "$cache-ha" \
  --replication-group-description "runbook 3.1" --engine redis --cache-node-type cache.t3.micro \
  --num-cache-clusters 2 --automatic-failover-enabled --multi-az-enabled \
  --query 'ReplicationGroup.[ReplicationGroupId,Status]' --output text
aws elasticache wait replication-group-available --replication-group-id "$cache-ha"
read -r rhost rport < <(aws elasticache describe-replication-groups --replication-group-id "$cache-ha" \
  --query 'ReplicationGroups[0].NodeGroups[0].PrimaryEndpoint.[Address,Port]' --output text)
redis-cli -h "$rhost" -p "$rport" SET cart:7 3
aws elasticache test-failover --replication-group-id "$cache-ha" --node-group-id 0001 \
  --query 'ReplicationGroup.Status' --output text
aws elasticache wait replication-group-available --replication-group-id "$cache-ha"
aws elasticache describe-replication-groups --replication-group-id "$cache-ha" \
  --query 'ReplicationGroups[0].NodeGroups[0].NodeGroupMembers[].[CacheClusterId,CurrentRole]' --output text
step "The same endpoint, now on the new primary, still holds the key"
redis-cli -h "$rhost" -p "$rport" GET cart:7

step "Security (runbook 1.4): a KMS key, and the password kept in Secrets Manager under it"
key_id=$(aws kms create-key --description "$db backups" --query KeyMetadata.KeyId --output text)
aws kms create-alias --alias-name "alias/$db" --target-key-id "$key_id"
aws secretsmanager create-secret --name "$db/master" --kms-key-id "alias/$db" \
  --secret-string '{"username":"admin","password":"S3cret-pass"}' --query ARN --output text
aws secretsmanager get-secret-value --secret-id "$db/master" --query SecretString --output text

step "Audit (runbook 1.4/2.3): every call is in the trail"
aws cloudtrail lookup-events --max-results 3 --query 'Events[].[EventTime,EventSource,EventName]' --output text
"${KURA_BIN:-./build/src/main/kura}" trail verify --data-dir kura-data || true

step "DynamoDB (runbook 2.1): create the table"
table="user-table-$suffix"
aws dynamodb create-table --table-name "$table" \
  --attribute-definitions AttributeName=UserID,AttributeType=S \
  --key-schema AttributeName=UserID,KeyType=HASH \
  --billing-mode PAY_PER_REQUEST
aws dynamodb wait table-exists --table-name "$table"
aws dynamodb put-item --table-name "$table" --item '{"UserID":{"S":"u-1"},"Name":{"S":"Hanako"}}'

step "DynamoDB (runbook 2.2): back up, then restore into a new table"
backup_arn=$(aws dynamodb create-backup --table-name "$table" --backup-name "$table-backup-20250630" \
  --query BackupDetails.BackupArn --output text)
echo "backup: $backup_arn"
aws dynamodb restore-table-from-backup --target-table-name "$table-restore" --backup-arn "$backup_arn"
aws dynamodb wait table-exists --table-name "$table-restore"
step "The restored table holds the item"
aws dynamodb get-item --table-name "$table-restore" --key '{"UserID":{"S":"u-1"}}'

printf '\nTour done. Kura keeps running at %s\n' "$endpoint"
