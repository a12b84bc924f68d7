#include <gtest/gtest.h>

#include "protocol/model_registry.h"

namespace kura {
namespace {

TEST(ModelRegistry, ParsesEveryEmbeddedModel) {
  const ModelRegistry& models = ModelRegistry::embedded();
  for (const char* name : {"sts", "rds", "dynamodb", "elasticache", "kms", "secretsmanager", "cloudtrail", "logs"}) {
    ASSERT_NE(models.bySigningName(name), nullptr) << name;
  }
  EXPECT_EQ(models.bySigningName("rds")->protocol(), Protocol::Query);
  EXPECT_EQ(models.bySigningName("dynamodb")->protocol(), Protocol::Json);
  EXPECT_EQ(models.byTargetPrefix("DynamoDB_20120810")->signingName(), "dynamodb");
  EXPECT_EQ(models.byTargetPrefix("TrentService")->signingName(), "kms");
  EXPECT_EQ(models.byApiVersion("2014-10-31")->signingName(), "rds");
  EXPECT_EQ(models.bySigningName("s3"), nullptr);
}

TEST(ServiceModel, KnowsOperationsShapesAndErrors) {
  const ServiceModel& rds = *ModelRegistry::embedded().bySigningName("rds");
  const Operation* op = rds.findOperation("DescribeDBInstances");
  ASSERT_NE(op, nullptr);
  EXPECT_EQ(op->resultWrapper, "DescribeDBInstancesResult");
  ASSERT_NE(op->output, nullptr);
  const MemberRef* instances = op->output->findMember("DBInstances");
  ASSERT_NE(instances, nullptr);
  EXPECT_EQ(instances->shape->type, ShapeType::List);
  EXPECT_EQ(instances->shape->member.wireName(), "DBInstance");
  const Shape* fault = rds.findError("DBInstanceNotFound");
  ASSERT_NE(fault, nullptr);
  EXPECT_EQ(fault->error->httpStatus, 404);
  EXPECT_EQ(rds.findError("DBInstanceNotFoundFault"), fault);
  const Operation* create = rds.findOperation("CreateDBInstance");
  EXPECT_EQ(create->input->required.count("DBInstanceIdentifier"), 1u);
}

}  // namespace
}  // namespace kura
