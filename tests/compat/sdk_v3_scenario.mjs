// Drives every service Kura serves with the AWS SDK for JavaScript v3: main
// calls, a waiter and a paginator per service, each value read back. Its
// CloudWatch speaks awsJson 1.0 (or Smithy RPC v2 CBOR, where a release
// moves to it). Prints one JSON line: service -> {ok, error}.
//
// Usage: node sdk_v3_scenario.mjs MODULES_DIR ENDPOINT REGION PREFIX
//   MODULES_DIR: the folder whose node_modules holds the clients
//   (tests/compat/package.json, installed outside the repository).
import { createRequire } from "node:module";
import path from "node:path";

const [modulesDir, endpoint, region, prefix] = process.argv.slice(2);
const require = createRequire(path.join(modulesDir, "package.json"));
const sdk = (name) => require(`@aws-sdk/client-${name}`);
const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const config = { endpoint, region, credentials, maxAttempts: 2 };
const fast = (client) => ({ client, maxWaitTime: 120, minDelay: 1, maxDelay: 1 });

function check(condition, what) {
  if (!condition) throw new Error(typeof what === "string" ? what : JSON.stringify(what));
}

async function all(paginator, key) {
  const items = [];
  for await (const page of paginator) items.push(...(page[key] ?? []));
  return items;
}

async function cloudwatch() {
  const cw = sdk("cloudwatch");
  const c = new cw.CloudWatchClient(config);
  const ns = `${prefix}/App`;
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);
  for (let i = 0; i < 3; i++) {
    await c.send(new cw.PutMetricDataCommand({ Namespace: ns, MetricData: [{ MetricName: `M${i}`, Value: 2 + i,
      Unit: "Count", Timestamp: now, Dimensions: [{ Name: "h", Value: "a" }] }] }));
  }
  const metrics = await all(cw.paginateListMetrics({ client: c }, { Namespace: ns }), "Metrics");
  check(metrics.map((m) => m.MetricName).sort().join() === "M0,M1,M2", metrics);
  const stats = await c.send(new cw.GetMetricStatisticsCommand({ Namespace: ns, MetricName: "M1",
    Dimensions: [{ Name: "h", Value: "a" }], StartTime: new Date(now - 300000), EndTime: new Date(+now + 300000),
    Period: 60, Statistics: ["Sum"] }));
  const point = stats.Datapoints[0];
  check(point.Sum === 3 && point.Timestamp instanceof Date && Math.abs(point.Timestamp - now) < 120000, stats);
  const alarm = `${prefix}-alarm`;
  await c.send(new cw.PutMetricAlarmCommand({ AlarmName: alarm, Namespace: ns, MetricName: "M0",
    Statistic: "Average", Period: 60, EvaluationPeriods: 1, Threshold: 100,
    ComparisonOperator: "GreaterThanThreshold" }));
  await cw.waitUntilAlarmExists(fast(c), { AlarmNames: [alarm] });
  await c.send(new cw.SetAlarmStateCommand({ AlarmName: alarm, StateValue: "ALARM", StateReason: "compat" }));
  // SetAlarmState holds only until the alarm's next evaluation (as in AWS):
  // its mark is the history's, not the state of the moment.
  const described = (await c.send(new cw.DescribeAlarmsCommand({ AlarmNames: [alarm] }))).MetricAlarms[0];
  check(described.Threshold === 100 && described.StateUpdatedTimestamp instanceof Date, described);
  const history = await all(cw.paginateDescribeAlarmHistory({ client: c, pageSize: 1 },
    { AlarmName: alarm, HistoryItemType: "StateUpdate" }), "AlarmHistoryItems");
  check(history.some((h) => h.HistorySummary.endsWith("to ALARM") && h.Timestamp instanceof Date), history);
  try {
    await c.send(new cw.SetAlarmStateCommand({ AlarmName: `${prefix}-missing`, StateValue: "OK", StateReason: "x" }));
    throw new Error("SetAlarmState of a missing alarm succeeded");
  } catch (error) {
    check(error.name === "ResourceNotFound" || error.name === "ResourceNotFoundException",
          `missing alarm: ${error.name}: ${error.message}`);
  }
  await c.send(new cw.DeleteAlarmsCommand({ AlarmNames: [alarm] }));
}

async function dynamodb() {
  const ddb = sdk("dynamodb");
  const c = new ddb.DynamoDBClient(config);
  const table = `${prefix}-table`;
  await c.send(new ddb.CreateTableCommand({ TableName: table,
    KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }, { AttributeName: "sk", KeyType: "RANGE" }],
    AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }, { AttributeName: "sk", AttributeType: "N" }],
    BillingMode: "PAY_PER_REQUEST", StreamSpecification: { StreamEnabled: true, StreamViewType: "KEYS_ONLY" } }));
  await ddb.waitUntilTableExists(fast(c), { TableName: table });
  for (let i = 0; i < 3; i++) {
    await c.send(new ddb.PutItemCommand({ TableName: table,
      Item: { pk: { S: "a" }, sk: { N: `${i}` }, b: { B: new Uint8Array([i, 255]) } } }));
  }
  const item = (await c.send(new ddb.GetItemCommand({ TableName: table,
    Key: { pk: { S: "a" }, sk: { N: "1" } } }))).Item;
  check(item.b.B[0] === 1 && item.b.B[1] === 255, item);
  const queried = (await c.send(new ddb.QueryCommand({ TableName: table, KeyConditionExpression: "pk = :p AND sk > :s",
    ExpressionAttributeValues: { ":p": { S: "a" }, ":s": { N: "0" } } }))).Items;
  check(queried.map((i) => i.sk.N).join() === "1,2", queried);
  const scanned = await all(ddb.paginateScan({ client: c, pageSize: 1 }, { TableName: table }), "Items");
  check(scanned.length === 3, scanned);
  const arn = (await c.send(new ddb.DescribeTableCommand({ TableName: table }))).Table.LatestStreamArn;
  const st = sdk("dynamodb-streams");
  const s = new st.DynamoDBStreamsClient(config);
  const shard = (await s.send(new st.DescribeStreamCommand({ StreamArn: arn }))).StreamDescription.Shards[0];
  const iterator = (await s.send(new st.GetShardIteratorCommand({ StreamArn: arn, ShardId: shard.ShardId,
    ShardIteratorType: "TRIM_HORIZON" }))).ShardIterator;
  const records = (await s.send(new st.GetRecordsCommand({ ShardIterator: iterator }))).Records;
  check(records.length === 3 && records[0].eventName === "INSERT" &&
        records[0].dynamodb.ApproximateCreationDateTime instanceof Date, records);
  await c.send(new ddb.DeleteTableCommand({ TableName: table }));
}

async function autoscaling() {
  const ddb = sdk("dynamodb");
  const d = new ddb.DynamoDBClient(config);
  const table = `${prefix}-scaled`;
  await d.send(new ddb.CreateTableCommand({ TableName: table, KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
    AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
    ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 } }));
  await ddb.waitUntilTableExists(fast(d), { TableName: table });
  const as = sdk("application-auto-scaling");
  const c = new as.ApplicationAutoScalingClient(config);
  const dimensions = ["dynamodb:table:ReadCapacityUnits", "dynamodb:table:WriteCapacityUnits"];
  for (const ScalableDimension of dimensions) {
    await c.send(new as.RegisterScalableTargetCommand({ ServiceNamespace: "dynamodb", ResourceId: `table/${table}`,
      ScalableDimension, MinCapacity: 5, MaxCapacity: 20 }));
  }
  const targets = await all(as.paginateDescribeScalableTargets({ client: c, pageSize: 1 },
    { ServiceNamespace: "dynamodb", ResourceIds: [`table/${table}`] }), "ScalableTargets");
  check(targets.map((t) => t.ScalableDimension).sort().join() === dimensions.join() &&
        targets[0].CreationTime instanceof Date, targets);
  for (const ScalableDimension of dimensions) {
    await c.send(new as.DeregisterScalableTargetCommand({ ServiceNamespace: "dynamodb",
      ResourceId: `table/${table}`, ScalableDimension }));
  }
  await d.send(new ddb.DeleteTableCommand({ TableName: table }));
}

async function kms() {
  const k = sdk("kms");
  const c = new k.KMSClient(config);
  const key = (await c.send(new k.CreateKeyCommand({ Description: prefix }))).KeyMetadata;
  check(key.CreationDate instanceof Date, key);
  const plain = new Uint8Array([0, 107, 117, 114, 97, 255]);
  const blob = (await c.send(new k.EncryptCommand({ KeyId: key.KeyId, Plaintext: plain }))).CiphertextBlob;
  const back = (await c.send(new k.DecryptCommand({ CiphertextBlob: blob }))).Plaintext;
  check(Buffer.from(back).equals(Buffer.from(plain)), "Decrypt");
  const keys = await all(k.paginateListKeys({ client: c, pageSize: 1 }, {}), "Keys");
  check(keys.some((x) => x.KeyId === key.KeyId), "ListKeys pages");
}

async function secretsmanager() {
  const sm = sdk("secrets-manager");
  const c = new sm.SecretsManagerClient(config);
  for (const n of [1, 2]) {
    await c.send(new sm.CreateSecretCommand({ Name: `${prefix}/s${n}`, SecretBinary: new Uint8Array([n, 0, 255]) }));
  }
  const value = await c.send(new sm.GetSecretValueCommand({ SecretId: `${prefix}/s2` }));
  check(Buffer.from(value.SecretBinary).equals(Buffer.from([2, 0, 255])) && value.CreatedDate instanceof Date, value);
  const listed = await all(sm.paginateListSecrets({ client: c, pageSize: 1 },
    { Filters: [{ Key: "name", Values: [prefix] }] }), "SecretList");
  check(listed.map((x) => x.Name).sort().join() === `${prefix}/s1,${prefix}/s2`, listed);
  for (const n of [1, 2]) {
    await c.send(new sm.DeleteSecretCommand({ SecretId: `${prefix}/s${n}`, ForceDeleteWithoutRecovery: true }));
  }
}

async function logs() {
  const l = sdk("cloudwatch-logs");
  const c = new l.CloudWatchLogsClient(config);
  const group = `/${prefix}/g`;
  for (const suffix of ["", "-2"]) await c.send(new l.CreateLogGroupCommand({ logGroupName: group + suffix }));
  await c.send(new l.CreateLogStreamCommand({ logGroupName: group, logStreamName: "s" }));
  const now = Date.now();
  await c.send(new l.PutLogEventsCommand({ logGroupName: group, logStreamName: "s",
    logEvents: [{ timestamp: now, message: "one" }, { timestamp: now + 1, message: "two" }] }));
  const events = (await c.send(new l.GetLogEventsCommand({ logGroupName: group, logStreamName: "s",
    startFromHead: true }))).events;
  check(events.map((e) => e.message).join() === "one,two", events);
  const groups = await all(l.paginateDescribeLogGroups({ client: c, pageSize: 1 },
    { logGroupNamePrefix: `/${prefix}/` }), "logGroups");
  check(groups.map((g) => g.logGroupName).sort().join() === `${group},${group}-2`, groups);
}

async function iamAndSts() {
  const i = sdk("iam");
  const c = new i.IAMClient(config);
  for (const n of [1, 2]) await c.send(new i.CreateUserCommand({ UserName: `${prefix}-u${n}`, Path: `/${prefix}/` }));
  await i.waitUntilUserExists(fast(c), { UserName: `${prefix}-u1` });
  const users = await all(i.paginateListUsers({ client: c, pageSize: 1 }, { PathPrefix: `/${prefix}/` }), "Users");
  check(users.map((u) => u.UserName).sort().join() === `${prefix}-u1,${prefix}-u2` &&
        users[0].CreateDate instanceof Date, users);
  const key = (await c.send(new i.CreateAccessKeyCommand({ UserName: `${prefix}-u1` }))).AccessKey;
  const s = sdk("sts");
  const me = await new s.STSClient(config).send(new s.GetCallerIdentityCommand({}));
  check(me.Arn.endsWith(":root"), me);
  const asUser = new s.STSClient({ ...config, credentials: { accessKeyId: key.AccessKeyId,
    secretAccessKey: key.SecretAccessKey } });
  const them = await asUser.send(new s.GetCallerIdentityCommand({}));
  check(them.Arn.endsWith(`:user/${prefix}/${prefix}-u1`), them);
  await c.send(new i.DeleteAccessKeyCommand({ UserName: `${prefix}-u1`, AccessKeyId: key.AccessKeyId }));
  for (const n of [1, 2]) await c.send(new i.DeleteUserCommand({ UserName: `${prefix}-u${n}` }));
}

async function ec2() {
  const e = sdk("ec2");
  const c = new e.EC2Client(config);
  const vpc = (await c.send(new e.CreateVpcCommand({ CidrBlock: "10.88.0.0/16" }))).Vpc.VpcId;
  await e.waitUntilVpcAvailable(fast(c), { VpcIds: [vpc] });
  const zones = (await c.send(new e.DescribeAvailabilityZonesCommand({}))).AvailabilityZones;
  const subnets = [];
  for (let n = 0; n < 2; n++) {
    subnets.push((await c.send(new e.CreateSubnetCommand({ VpcId: vpc, CidrBlock: `10.88.${n}.0/24`,
      AvailabilityZone: zones[n].ZoneName }))).Subnet.SubnetId);
  }
  const group = (await c.send(new e.CreateSecurityGroupCommand({ GroupName: prefix, Description: "compat",
    VpcId: vpc }))).GroupId;
  await c.send(new e.AuthorizeSecurityGroupIngressCommand({ GroupId: group, IpPermissions: [{ IpProtocol: "tcp",
    FromPort: 5432, ToPort: 5432, IpRanges: [{ CidrIp: "10.0.0.0/8" }] }] }));
  const listed = await all(e.paginateDescribeSubnets({ client: c, pageSize: 5 },
    { Filters: [{ Name: "vpc-id", Values: [vpc] }] }), "Subnets");
  check(listed.map((x) => x.SubnetId).sort().join() === [...subnets].sort().join(), listed);
  const groups = (await c.send(new e.DescribeSecurityGroupsCommand({ GroupIds: [group] }))).SecurityGroups;
  check(groups[0].IpPermissions[0].FromPort === 5432, groups);
  return { vpc, subnets, group };
}

async function rds(network) {
  const r = sdk("rds");
  const c = new r.RDSClient(config);
  const group = `${prefix}-pg`;
  await c.send(new r.CreateDBParameterGroupCommand({ DBParameterGroupName: group,
    DBParameterGroupFamily: "postgres15", Description: "compat" }));
  await c.send(new r.ModifyDBParameterGroupCommand({ DBParameterGroupName: group, Parameters: [
    { ParameterName: "work_mem", ParameterValue: "2048", ApplyMethod: "immediate" }] }));
  const params = await all(r.paginateDescribeDBParameters({ client: c, pageSize: 20 },
    { DBParameterGroupName: group, Source: "user" }), "Parameters");
  check(params.length === 1 && params[0].ParameterValue === "2048", params);
  await c.send(new r.CreateDBSubnetGroupCommand({ DBSubnetGroupName: group, DBSubnetGroupDescription: "c",
    SubnetIds: network.subnets }));
  const instance = `${prefix}-db`;
  await c.send(new r.CreateDBInstanceCommand({ DBInstanceIdentifier: instance, Engine: "postgres",
    DBInstanceClass: "db.t3.micro", AllocatedStorage: 20, MasterUsername: "master",
    MasterUserPassword: "secret-password-1", DBParameterGroupName: group, DBSubnetGroupName: group,
    VpcSecurityGroupIds: [network.group] }));
  await r.waitUntilDBInstanceAvailable(fast(c), { DBInstanceIdentifier: instance });
  const all_ = await all(r.paginateDescribeDBInstances({ client: c, pageSize: 20 }, {}), "DBInstances");
  const mine = all_.find((d) => d.DBInstanceIdentifier === instance);
  check(mine.DBInstanceStatus === "available" && mine.Endpoint.Port > 0 && mine.InstanceCreateTime instanceof Date,
        mine);
  await c.send(new r.DeleteDBInstanceCommand({ DBInstanceIdentifier: instance, SkipFinalSnapshot: true }));
}

async function elasticache() {
  const ec = sdk("elasticache");
  const c = new ec.ElastiCacheClient(config);
  const cluster = `${prefix}-mc`;
  await c.send(new ec.CreateCacheClusterCommand({ CacheClusterId: cluster, Engine: "memcached",
    CacheNodeType: "cache.t3.micro", NumCacheNodes: 1 }));
  await ec.waitUntilCacheClusterAvailable(fast(c), { CacheClusterId: cluster });
  const clusters = await all(ec.paginateDescribeCacheClusters({ client: c, pageSize: 20 },
    { ShowCacheNodeInfo: true }), "CacheClusters");
  const mine = clusters.find((x) => x.CacheClusterId === cluster);
  check(mine.CacheClusterStatus === "available" && mine.CacheNodes[0].Endpoint.Port > 0, mine);
  await c.send(new ec.DeleteCacheClusterCommand({ CacheClusterId: cluster }));
}

async function cloudtrail() {
  const ct = sdk("cloudtrail");
  const c = new ct.CloudTrailClient(config);
  const events = await all(ct.paginateLookupEvents({ client: c, pageSize: 5 },
    { LookupAttributes: [{ AttributeKey: "EventName", AttributeValue: "CreateSecret" }] }), "Events");
  const mine = events.filter((e) => (e.CloudTrailEvent ?? "").includes(prefix));
  check(mine.length === 2 && mine[0].EventTime instanceof Date, `LookupEvents: ${mine.length}`);
}

const report = {};
async function step(name, fn) {
  try {
    const result = await fn();
    report[name] = { ok: true };
    return result;
  } catch (error) {
    report[name] = { ok: false, error: `${error.name}: ${error.message}\n${error.stack}`.slice(0, 3000) };
    return undefined;
  }
}

await Promise.all([
  step("cloudwatch", cloudwatch), step("dynamodb", dynamodb), step("kms", kms),
  step("secretsmanager", secretsmanager), step("logs", logs), step("iam_sts", iamAndSts),
  step("elasticache", elasticache), step("autoscaling", autoscaling),
  (async () => {
    const network = await step("ec2", ec2);
    if (network) await step("rds", () => rds(network));
    else report.rds = { ok: false, error: "no network: the EC2 step failed" };
  })(),
]);
await step("cloudtrail", cloudtrail);
console.log(JSON.stringify(report));
