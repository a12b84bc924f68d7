#include "check/rule.h"

namespace kura::check {

const std::vector<Rule>& ruleCatalog() {
  using enum Severity;
  static const std::vector<Rule> rules = {
      // RDS and Aurora (runbook section 1), instances and clusters alike.
      {"rds-multi-az", "1.1", High, "Multi-AZ, or a replica in another Availability Zone",
       "modify-db-instance --multi-az (or add a reader in another zone to the cluster)"},
      {"rds-backup-retention", "1.3", High, "automated backups kept 7 days or more",
       "modify-db-instance / modify-db-cluster --backup-retention-period 7"},
      {"rds-backup-window", "1.3", Low, "a preferred backup window set", "--preferred-backup-window 02:00-03:00"},
      {"rds-snapshot-recent", "1.3", High, "an automated snapshot younger than a day",
       "create-db-snapshot now, and keep automated backups on"},
      {"rds-deletion-protection", "4.2", Medium, "deletion protection on", "--deletion-protection"},
      {"rds-storage-encrypted-cmk", "1.4", High, "storage encrypted with a customer-managed KMS key",
       "copy a snapshot with --kms-key-id and restore it (encryption cannot be turned on in place)"},
      {"rds-log-exports", "1.4", Medium, "database logs (audit, error) exported to CloudWatch Logs",
       "--cloudwatch-logs-export-configuration EnableLogTypes=..."},
      {"rds-log-retention", "5", Medium, "exported log groups kept 365 days or more (or never expiring)",
       "logs put-retention-policy --retention-in-days 365"},
      {"rds-parameter-group", "1.2", Low,
       "a parameter group of the team's (SQL mode, time zone, connections set "
       "explicitly), not a default one",
       "create-db-parameter-group, then modify-db-instance --db-parameter-group-name"},
      {"rds-iam-auth", "1.2", Low, "IAM database authentication enabled", "--enable-iam-database-authentication"},
      {"rds-master-password-managed", "1.4", Medium, "the master password managed in Secrets Manager",
       "--manage-master-user-password"},
      {"rds-pending-maintenance", "4.1", Medium,
       "every pending maintenance action (a system update, an engine upgrade) scheduled",
       "apply-pending-maintenance-action --opt-in-type next-maintenance"},
      // DynamoDB (section 2).
      {"dynamodb-pitr", "2.2", High, "point-in-time recovery on",
       "update-continuous-backups --point-in-time-recovery-specification PointInTimeRecoveryEnabled=true"},
      {"dynamodb-backup-recent", "2.2", Medium, "an on-demand backup younger than 7 days", "create-backup"},
      {"dynamodb-kms-encryption", "2.3", Medium, "encrypted with a KMS key (not the default owned key)",
       "update-table --sse-specification Enabled=true,SSEType=KMS"},
      {"dynamodb-deletion-protection", "4.2", Medium, "deletion protection on",
       "update-table --deletion-protection-enabled"},
      {"dynamodb-capacity-mode", "2.1", Low, "on-demand capacity, or provisioned with auto scaling of reads and writes",
       "update-table --billing-mode PAY_PER_REQUEST"},
      // ElastiCache (section 3).
      {"elasticache-multi-az", "3.1", High, "Multi-AZ with automatic failover (Memcached: nodes in two zones)",
       "modify-replication-group --multi-az-enabled --automatic-failover-enabled"},
      {"elasticache-snapshot-retention", "3.2", High, "automatic snapshots kept 7 days or more",
       "modify-replication-group --snapshot-retention-limit 7"},
      {"elasticache-encryption-at-rest", "3.3", High, "encryption at rest",
       "create a replication group from a snapshot with --at-rest-encryption-enabled"},
      {"elasticache-encryption-in-transit", "3.3", High, "encryption in transit (TLS)",
       "modify-replication-group --transit-encryption-enabled"},
      {"elasticache-auth", "3.3", Medium, "AUTH token or RBAC user group required",
       "modify-replication-group --auth-token ... --auth-token-update-strategy ROTATE"},
      // KMS, Secrets Manager (section 1.4).
      {"kms-rotation", "1.4", Medium, "automatic rotation on for customer-managed keys", "kms enable-key-rotation"},
      {"kms-pending-deletion-in-use", "1.4", Critical, "no key pending deletion that a resource still uses",
       "kms cancel-key-deletion, then kms enable-key"},
      {"secretsmanager-rotation", "1.4", Medium, "automatic rotation on", "secretsmanager rotate-secret"},
      // Audit trail (sections 2.3, 3.3, 5).
      {"cloudtrail-logging", "2.3", High, "a trail exists and is logging", "cloudtrail create-trail, start-logging"},
      {"cloudtrail-log-validation", "5", Medium, "log file integrity validation on",
       "cloudtrail update-trail --enable-log-file-validation"},
      {"cloudtrail-retention", "5", Medium, "audit events kept a year or more",
       "cloudtrail update-event-data-store --retention-period 365"},
      // Detection (section 4.2: detect by CloudWatch alarm).
      {"cloudwatch-alarms", "4.2", High, "alarms on the metrics the runbook watches for each database",
       "cloudwatch put-metric-alarm for each metric without one"},
      // Rehearsal (sections 4.2 and 5): the last drill per database, from
      // the summaries `kura drill` logs to /kura/drills.
      {"rds-restore-drill-recent", "5", Medium, "a restore drill passed within 90 days",
       "kura drill snapshot-restore --resource <id>"},
      {"rds-failover-drill-recent", "5", Medium, "a failover drill passed within 90 days",
       "kura drill instance-failure --resource <id>"},
      {"elasticache-failover-drill-recent", "5", Medium, "a cache failover drill passed within 90 days",
       "kura drill cache-node-failure --resource <id>"},
      {"dynamodb-restore-drill-recent", "5", Medium, "a restore drill (accidental-delete) passed within 90 days",
       "kura drill accidental-delete --resource <table>"},
  };
  return rules;
}

const Rule* findRule(std::string_view id) {
  for (const Rule& rule : ruleCatalog()) {
    if (rule.id == id) return &rule;
  }
  return nullptr;
}

}  // namespace kura::check
