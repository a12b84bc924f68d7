#pragma once
// Application Auto Scaling (awsJson1.1, signing name
// application-autoscaling) for DynamoDB tables and global secondary
// indexes: scalable targets, target-tracking policies that scale the
// provisioned units through UpdateTable, scheduled actions, and the
// scaling activities (docs/autoscaling.md).
#include "services/applicationautoscaling/dynamodb_capacity.h"
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
};

ServiceModulePtr makeApplicationAutoScalingService(const ServiceEnv& env, AutoScalingDeps deps);

}  // namespace kura
