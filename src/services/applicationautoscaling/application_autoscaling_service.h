#pragma once
// Application Auto Scaling (awsJson1.1, signing name
// application-autoscaling) for DynamoDB tables and global secondary
// indexes, Aurora clusters' replicas and ElastiCache replication groups'
// replicas and node groups: scalable targets, target-tracking policies that
// scale DynamoDB's provisioned units through UpdateTable, scheduled actions
// for every target, and the scaling activities (docs/autoscaling.md).
#include "services/applicationautoscaling/target_capacity.h"
#include "services/applicationautoscaling/tracking_alarms.h"
#include "services/cloudwatch/alarm_store.h"
#include "services/cloudwatch/metric_store.h"
#include "services/core/service_module.h"

namespace kura {

struct AutoScalingDeps {
  const HandlerTable* dynamodb = nullptr;  // DynamoDB's handlers: DescribeTable, UpdateTable
  AlarmStore* alarms = nullptr;            // CloudWatch's alarms (it evaluates them)
  MetricStore* metrics = nullptr;          // CloudWatch's metrics (DynamoDB's consumed capacity)
  ScalingTimes times;
  CallRecorder record;  // the trail, for the calls made as the service-linked role
  const HandlerTable* rds = nullptr;          // RDS's: DescribeDBClusters, Create/DeleteDBInstance
  const HandlerTable* elasticache = nullptr;  // ElastiCache's: Increase/DecreaseReplicaCount, resharding
};

ServiceModulePtr makeApplicationAutoScalingService(const ServiceEnv& env, AutoScalingDeps deps);

}  // namespace kura
