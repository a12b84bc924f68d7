// The query protocol's answers decoded through the embedded models: what
// Kura's own encoder writes reads back as the same value tree, and the
// shapes AWS writes (member wrappers, flattened lists, maps, numbers and
// booleans, namespaces) come out typed.
#include "client/xml_answer_decoder.h"

#include <gtest/gtest.h>

#include "client/query_form_encoder.h"
#include "protocol/model_registry.h"
#include "protocol/query_encoder.h"

namespace kura::client {
namespace {

const ServiceModel& model(std::string_view name) { return *ModelRegistry::embedded().bySigningName(name); }

nlohmann::json decoded(std::string_view service, std::string_view operation, std::string_view xml) {
  auto result = decodeQueryAnswer(*model(service).findOperation(operation), xml);
  EXPECT_TRUE(std::holds_alternative<nlohmann::json>(result)) << std::get<std::string>(result);
  return std::holds_alternative<nlohmann::json>(result) ? std::get<nlohmann::json>(result) : nlohmann::json();
}

TEST(XmlAnswerDecoder, ReadsBackWhatKurasEncoderWrites) {
  const ServiceModel& rds = model("rds");
  const Operation& operation = *rds.findOperation("DescribeDBInstances");
  nlohmann::json output = {{"Marker", "next-page"},
                           {"DBInstances",
                            {{{"DBInstanceIdentifier", "db1"},
                              {"MultiAZ", true},
                              {"BackupRetentionPeriod", 7},
                              {"StorageEncrypted", false},
                              {"EnabledCloudwatchLogsExports", {"postgresql", "upgrade"}},
                              {"ReadReplicaDBInstanceIdentifiers", {"db1-replica"}},
                              {"VpcSecurityGroups", {{{"VpcSecurityGroupId", "sg-1"}, {"Status", "active"}}}},
                              {"Endpoint", {{"Address", "127.0.0.1"}, {"Port", 5432}}}}}}};
  std::string xml = encodeQueryResponse(rds, operation, output, "request-1");
  EXPECT_EQ(decoded("rds", "DescribeDBInstances", xml), output);
}

TEST(XmlAnswerDecoder, ReadsAwsStyleAnswers) {
  std::string xml = R"(<?xml version="1.0"?>
<DescribeAlarmsResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/">
  <DescribeAlarmsResult>
    <MetricAlarms>
      <member>
        <AlarmName>cpu</AlarmName><Namespace>AWS/RDS</Namespace><MetricName>CPUUtilization</MetricName>
        <Threshold>80.5</Threshold><EvaluationPeriods>3</EvaluationPeriods><ActionsEnabled>true</ActionsEnabled>
        <Dimensions><member><Name>DBInstanceIdentifier</Name><Value>db1</Value></member></Dimensions>
      </member>
    </MetricAlarms>
    <NextToken>t2</NextToken>
  </DescribeAlarmsResult>
  <ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>
</DescribeAlarmsResponse>)";
  nlohmann::json out = decoded("monitoring", "DescribeAlarms", xml);
  ASSERT_EQ(out["MetricAlarms"].size(), 1u);
  const auto& alarm = out["MetricAlarms"][0];
  EXPECT_EQ(alarm["Threshold"], 80.5);
  EXPECT_EQ(alarm["EvaluationPeriods"], 3);
  EXPECT_EQ(alarm["ActionsEnabled"], true);
  EXPECT_EQ(alarm["Dimensions"][0]["Value"], "db1");
  EXPECT_EQ(out["NextToken"], "t2");
}

TEST(XmlAnswerDecoder, ElastiCacheListsUseTheirMemberNames) {
  std::string xml = R"(<DescribeCacheClustersResponse xmlns="http://elasticache.amazonaws.com/doc/2015-02-02/">
  <DescribeCacheClustersResult><CacheClusters>
    <CacheCluster><CacheClusterId>c1</CacheClusterId><NumCacheNodes>2</NumCacheNodes>
      <AtRestEncryptionEnabled>false</AtRestEncryptionEnabled>
      <CacheNodes><CacheNode><CacheNodeId>0001</CacheNodeId></CacheNode></CacheNodes>
    </CacheCluster>
  </CacheClusters></DescribeCacheClustersResult></DescribeCacheClustersResponse>)";
  nlohmann::json out = decoded("elasticache", "DescribeCacheClusters", xml);
  ASSERT_EQ(out["CacheClusters"].size(), 1u);
  EXPECT_EQ(out["CacheClusters"][0]["NumCacheNodes"], 2);
  EXPECT_EQ(out["CacheClusters"][0]["AtRestEncryptionEnabled"], false);
  EXPECT_EQ(out["CacheClusters"][0]["CacheNodes"][0]["CacheNodeId"], "0001");
}

TEST(XmlAnswerDecoder, UnreadableDocumentsAreErrorsNotCrashes) {
  const Operation& operation = *model("rds").findOperation("DescribeDBInstances");
  EXPECT_TRUE(std::holds_alternative<std::string>(decodeQueryAnswer(operation, "not xml <")));
  EXPECT_TRUE(std::holds_alternative<std::string>(decodeQueryAnswer(operation, "<Other/>")));
  // An integer that is not one stays text rather than failing.
  nlohmann::json out = decoded("rds", "DescribeDBInstances",
                               "<DescribeDBInstancesResponse><DescribeDBInstancesResult><DBInstances><DBInstance>"
                               "<BackupRetentionPeriod>seven</BackupRetentionPeriod></DBInstance></DBInstances>"
                               "</DescribeDBInstancesResult></DescribeDBInstancesResponse>");
  EXPECT_EQ(out["DBInstances"][0]["BackupRetentionPeriod"], "seven");
}

TEST(XmlAnswerDecoder, ReadsErrorDocuments) {
  XmlError error = decodeXmlError(
      "<ErrorResponse><Error><Type>Sender</Type><Code>DBInstanceNotFound</Code><Message>gone</Message></Error>"
      "<RequestId>r</RequestId></ErrorResponse>");
  EXPECT_EQ(error.code, "DBInstanceNotFound");
  EXPECT_EQ(error.message, "gone");
  EXPECT_EQ(decodeXmlError("<Response><Errors><Error><Code>InvalidAction</Code></Error></Errors></Response>").code,
            "InvalidAction");
  EXPECT_EQ(decodeXmlError("<html>oops</html>").code, "");
}

TEST(QueryFormEncoder, WritesListsAndStructuresAsTheSdksDo) {
  const ServiceModel& rds = model("rds");
  std::string body = encodeQueryRequest(rds, *rds.findOperation("DescribeDBSnapshots"),
                                        {{"DBInstanceIdentifier", "db 1"},
                                         {"SnapshotType", "automated"},
                                         {"Filters", {{{"Name", "engine"}, {"Values", {"postgres"}}}}},
                                         {"MaxRecords", 20},
                                         {"IncludeShared", false}});
  EXPECT_EQ(body,
            "Action=DescribeDBSnapshots&Version=2014-10-31&DBInstanceIdentifier=db%201&SnapshotType=automated"
            "&Filters.Filter.1.Name=engine&Filters.Filter.1.Values.Value.1=postgres&MaxRecords=20"
            "&IncludeShared=false");
}

}  // namespace
}  // namespace kura::client
