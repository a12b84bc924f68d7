// Kura's web console (docs/console.md). Every AWS call goes to api/call,
// which makes it as the signed-in principal; the page never holds a secret.
// Text from the server is only ever set as text (no innerHTML).
'use strict';

const REGIONS = ['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ca-central-1', 'sa-east-1', 'eu-west-1',
  'eu-west-2', 'eu-west-3', 'eu-central-1', 'eu-north-1', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3',
  'ap-southeast-1', 'ap-southeast-2', 'ap-south-1'];
const state = { csrf: null, principal: null, region: localStorage.getItem('kura.region') || 'ap-northeast-1' };
const $ = (id) => document.getElementById(id);

// An element: h('td', {class: 'time'}, 'text', child...).
function h(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

class AwsError extends Error {
  constructor(code, message) { super(message); this.code = code; }
}

async function post(path, body) {
  const headers = { 'Content-Type': 'application/json' };
  if (state.csrf) headers['X-Kura-Csrf'] = state.csrf;
  const response = await fetch('api/' + path, { method: 'POST', headers, body: JSON.stringify(body),
    credentials: 'same-origin', cache: 'no-store' });
  const answer = await response.json().catch(() => ({ error: { code: 'BadAnswer', message: 'unreadable answer' } }));
  if (response.status === 401 && path !== 'signin') showSignIn('Your session has ended: sign in again.');
  if (!response.ok) throw new AwsError(answer.error.code, answer.error.message);
  return answer;
}

// One AWS call in the chosen region: its output, or an AwsError.
async function aws(service, operation, input) {
  const answer = await post('call', { service, operation, region: state.region, input: input || {} });
  return answer.output || {};
}

// Every page of a listing, up to `pages` of them: the first page's output
// with `key` holding the items of all.
async function awsAll(service, operation, input, key, tokenIn, tokenOut, pages = 10) {
  let all = null;
  let request = input;
  for (let page = 0; page < pages; page++) {
    const out = await aws(service, operation, request);
    if (all === null) all = out;
    else all[key] = (all[key] || []).concat(out[key] || []);
    const token = out[tokenOut || tokenIn];
    delete all[tokenOut || tokenIn];
    if (!token) break;
    request = { ...input, [tokenIn]: token };
  }
  return all;
}

// Settles every call: [output or AwsError, ...].
function settle(calls) {
  return Promise.all(calls.map((call) => call.then((out) => out, (error) => error)));
}

function asDate(value) {
  if (value === undefined || value === null || value === '') return null;
  const date = typeof value === 'number' ? new Date(value * 1000) : new Date(value);
  return isNaN(date) ? null : date;
}
function showTime(value) {
  const date = asDate(value);
  return date ? date.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '';
}

function badge(status) {
  const text = String(status || 'unknown');
  const lower = text.toLowerCase();
  let kind = 'busy';
  if (['available', 'active', 'ok', 'in-sync', 'enabled', 'completed'].includes(lower)) kind = 'ok';
  else if (/fail|error|alarm|incompatible|deleting|inaccessible|stopped/.test(lower)) kind = 'bad';
  return h('span', { class: 'badge ' + kind }, text);
}
function role(text) { return h('span', { class: 'badge role' }, text); }
function errorNote(what, error) {
  return h('p', { class: 'error' }, `${what}: ${error.code || 'Error'}: ${error.message}`);
}
function facts(pairs) {
  return h('dl', { class: 'facts' }, pairs.filter(([, v]) => v !== undefined && v !== null && v !== '')
    .flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}
function table(headers, rows) {
  return h('table', {}, h('thead', {}, h('tr', {}, headers.map((t) => h('th', {}, t)))), h('tbody', {}, rows));
}
function setPage(title, ...content) {
  document.title = title + ' · Kura console';
  $('main').replaceChildren(h('h1', {}, title), ...content.flat().filter((part) => part !== null && part !== undefined));
}

// ---- sign-in ----

function showSignIn(message) {
  state.csrf = null;
  $('top').hidden = true;
  $('main').replaceChildren();
  $('signin').hidden = false;
  $('signin-error').textContent = message || '';
  $('key-id').focus();
}

function signedIn(session) {
  state.csrf = session.csrfToken;
  state.principal = session.principal;
  $('signin').hidden = true;
  $('top').hidden = false;
  $('principal').textContent = session.principal;
  $('principal').title = session.principal;
  route();
}

async function signIn(event) {
  event.preventDefault();
  const secret = $('secret');
  const body = { accessKeyId: $('key-id').value.trim(), secretAccessKey: secret.value, region: state.region };
  secret.value = '';  // not kept in the page
  try {
    signedIn(await post('signin', body));
  } catch (error) {
    $('signin-error').textContent = error.message;
  }
}

async function signOut() {
  try { await post('signout', {}); } catch (error) { /* signed out either way */ }
  showSignIn('Signed out.');
}

async function resume() {
  const response = await fetch('api/session', { headers: { 'X-Kura-Console': '1' }, credentials: 'same-origin',
    cache: 'no-store' });
  if (!response.ok) return showSignIn();
  signedIn(await response.json());
}

// ---- fleet ----

function nodeCard(node) {
  return h('div', { class: 'node ' + node.role },
    h('div', { class: 'name' }, h('a', { href: node.link }, node.name)),
    h('div', { class: 'meta' }, role(node.role), badge(node.status), node.detail ? h('span', {}, node.detail) : null));
}

async function fleetPage() {
  setPage('Fleet', h('p', { class: 'note' }, 'Loading…'));
  const [zones, instances, clusters, groups, cacheClusters, tables] = await settle([
    aws('ec2', 'DescribeAvailabilityZones'),
    awsAll('rds', 'DescribeDBInstances', { MaxRecords: 100 }, 'DBInstances', 'Marker'),
    awsAll('rds', 'DescribeDBClusters', { MaxRecords: 100 }, 'DBClusters', 'Marker'),
    awsAll('elasticache', 'DescribeReplicationGroups', { MaxRecords: 100 }, 'ReplicationGroups', 'Marker'),
    awsAll('elasticache', 'DescribeCacheClusters', { MaxRecords: 100, ShowCacheNodeInfo: true }, 'CacheClusters', 'Marker'),
    awsAll('dynamodb', 'ListTables', { Limit: 100 }, 'TableNames', 'ExclusiveStartTableName', 'LastEvaluatedTableName'),
  ]);
  const problems = [];
  const byZone = new Map();
  const place = (zone, node) => {
    const key = zone || '(no zone)';
    if (!byZone.has(key)) byZone.set(key, []);
    byZone.get(key).push(node);
  };
  if (zones instanceof Error) problems.push(errorNote('Availability zones', zones));
  else for (const zone of zones.AvailabilityZones || []) byZone.set(zone.ZoneName, []);

  const writers = new Map();
  if (clusters instanceof Error) problems.push(errorNote('Aurora clusters', clusters));
  else for (const cluster of clusters.DBClusters || []) {
    for (const member of cluster.DBClusterMembers || []) writers.set(member.DBInstanceIdentifier, member.IsClusterWriter);
  }
  const rows = [];
  if (instances instanceof Error) problems.push(errorNote('RDS instances', instances));
  else for (const db of instances.DBInstances || []) {
    const id = db.DBInstanceIdentifier;
    const link = '#/rds/instance/' + encodeURIComponent(id);
    const detail = db.Engine + (db.DBClusterIdentifier ? ' · ' + db.DBClusterIdentifier : '');
    let first = 'primary';
    if (db.DBClusterIdentifier) first = writers.get(id) ? 'writer' : 'reader';
    else if (db.ReadReplicaSourceDBInstanceIdentifier) first = 'replica';
    place(db.AvailabilityZone, { name: id, role: first, status: db.DBInstanceStatus, link, detail });
    if (db.MultiAZ && db.SecondaryAvailabilityZone) {
      place(db.SecondaryAvailabilityZone, { name: id, role: 'standby', status: db.DBInstanceStatus, link, detail });
    }
    rows.push(h('tr', {}, h('td', {}, h('a', { href: link }, id)), h('td', {}, 'RDS instance'), h('td', {}, db.Engine),
      h('td', {}, badge(db.DBInstanceStatus)), h('td', {}, db.MultiAZ ? 'Multi-AZ' : 'Single-AZ')));
  }
  if (!(clusters instanceof Error)) for (const cluster of clusters.DBClusters || []) {
    const link = '#/rds/cluster/' + encodeURIComponent(cluster.DBClusterIdentifier);
    rows.push(h('tr', {}, h('td', {}, h('a', { href: link }, cluster.DBClusterIdentifier)), h('td', {}, 'Aurora cluster'),
      h('td', {}, cluster.Engine), h('td', {}, badge(cluster.Status)),
      h('td', {}, `${(cluster.DBClusterMembers || []).length} instances`)));
  }
  const grouped = new Set();
  if (groups instanceof Error) problems.push(errorNote('ElastiCache replication groups', groups));
  else for (const group of groups.ReplicationGroups || []) {
    const link = '#/cache/' + encodeURIComponent(group.ReplicationGroupId);
    for (const shard of group.NodeGroups || []) {
      for (const member of shard.NodeGroupMembers || []) {
        grouped.add(member.CacheClusterId);
        place(member.PreferredAvailabilityZone, { name: member.CacheClusterId, role: member.CurrentRole || 'node',
          status: shard.Status || group.Status, link, detail: group.ReplicationGroupId });
      }
    }
    rows.push(h('tr', {}, h('td', {}, h('a', { href: link }, group.ReplicationGroupId)),
      h('td', {}, 'ElastiCache group'), h('td', {}, 'redis'), h('td', {}, badge(group.Status)),
      h('td', {}, group.MultiAZ === 'enabled' ? 'Multi-AZ' : `${(group.MemberClusters || []).length} nodes`)));
  }
  if (cacheClusters instanceof Error) problems.push(errorNote('ElastiCache clusters', cacheClusters));
  else for (const cache of cacheClusters.CacheClusters || []) {
    if (grouped.has(cache.CacheClusterId)) continue;
    place(cache.PreferredAvailabilityZone, { name: cache.CacheClusterId, role: 'node', status: cache.CacheClusterStatus,
      link: '#/fleet', detail: cache.Engine });
    rows.push(h('tr', {}, h('td', {}, cache.CacheClusterId), h('td', {}, 'ElastiCache cluster'),
      h('td', {}, cache.Engine), h('td', {}, badge(cache.CacheClusterStatus)), h('td', {}, `${cache.NumCacheNodes} nodes`)));
  }
  let tableList = null;
  if (tables instanceof Error) problems.push(errorNote('DynamoDB tables', tables));
  else {
    const names = tables.TableNames || [];
    const described = await settle(names.slice(0, 25).map((name) => aws('dynamodb', 'DescribeTable', { TableName: name })));
    tableList = h('div', { class: 'zone' }, h('h3', {}, `${state.region} (regional): DynamoDB tables`),
      names.length ? names.map((name, index) => {
        const info = described[index];
        const status = info && !(info instanceof Error) ? info.Table.TableStatus : '';
        return h('div', { class: 'node' }, h('div', { class: 'name' },
          h('a', { href: '#/dynamodb/' + encodeURIComponent(name) }, name)),
        h('div', { class: 'meta' }, role('table'), status ? badge(status) : null));
      }) : h('p', { class: 'note' }, 'No tables.'));
  }
  const zoneColumns = [...byZone.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([zone, nodes]) =>
    h('div', { class: 'zone' }, h('h3', {}, zone), nodes.length ? nodes.map(nodeCard) : h('p', { class: 'note' }, 'Nothing runs here.')));
  setPage(`Fleet in ${state.region}`, ...problems,
    h('h2', {}, 'By availability zone'), h('div', { class: 'zones' }, zoneColumns),
    tableList ? h('h2', {}, 'Regional') : null, tableList,
    h('h2', {}, 'Resources'),
    rows.length ? table(['Name', 'Kind', 'Engine', 'Status', 'Availability'], rows) : h('p', { class: 'note' }, 'No databases in this region.'));
}

// ---- a resource: timeline, events, actions ----

// The restorable window, snapshots and events on one time axis.
function timeline(window, snapshots, events) {
  const now = Date.now();
  const times = [now - 120e3];
  const start = asDate(window.earliest), end = asDate(window.latest);
  if (start) times.push(+start);
  for (const s of snapshots) if (asDate(s.time)) times.push(+asDate(s.time));
  for (const e of events) if (asDate(e.Date)) times.push(+asDate(e.Date));
  const first = Math.min(...times);
  const from = first - (now - first) * 0.03, span = (now - from) * 1.02;
  const at = (t) => `${Math.min(100, Math.max(0, ((t - from) / span) * 100)).toFixed(2)}%`;
  const track = h('div', { class: 'timeline' });
  if (start && end) {
    const bar = h('div', { class: 'window', title: `restorable ${showTime(start)} – ${showTime(end)}` });
    bar.style.left = at(+start);
    bar.style.width = `calc(${at(+end)} - ${at(+start)} + 2px)`;
    track.append(bar);
  }
  const mark = (t, kind, label) => {
    const m = h('div', { class: 'mark ' + kind, title: `${showTime(t)} ${label}` });
    m.style.left = at(t);
    track.append(m);
  };
  for (const s of snapshots) if (asDate(s.time)) mark(+asDate(s.time), 'snapshot', s.name);
  for (const e of events) {
    if (!asDate(e.Date)) continue;
    const failover = (e.EventCategories || []).includes('failover') || /failover/i.test(e.Message || '');
    mark(+asDate(e.Date), failover ? 'failover' : 'event', e.Message);
  }
  for (const fraction of [0, 0.5, 1]) {
    const label = showTime((from + fraction * (now - from)) / 1000);
    const tick = h('div', { class: 'tick' }, now - from < 7200e3 ? label.slice(11, 19) : label.slice(5, 16));
    tick.style.left = at(from + fraction * (now - from));
    if (fraction === 0) tick.style.transform = 'none';
    if (fraction === 1) tick.style.transform = 'translateX(-100%)';
    track.append(tick);
  }
  return h('div', { class: 'panel' }, h('div', { class: 'legend' }, h('span', { class: 'l-window' }, 'restorable window'),
    h('span', { class: 'l-snapshot' }, 'snapshot'), h('span', { class: 'l-event' }, 'event'),
    h('span', { class: 'l-failover' }, 'failover')), track,
  facts([['Earliest restorable', showTime(window.earliest) || 'none'], ['Latest restorable', showTime(window.latest) || 'none']]));
}

function eventTable(events) {
  if (!events.length) return h('p', { class: 'note' }, 'No events in the last two weeks.');
  const sorted = [...events].sort((a, b) => asDate(b.Date) - asDate(a.Date));
  return table(['Time', 'Source', 'Message'], sorted.map((e) => h('tr', {}, h('td', { class: 'time' }, showTime(e.Date)),
    h('td', {}, e.SourceIdentifier || ''), h('td', {}, e.Message || ''))));
}

function snapshotTable(snapshots) {
  if (!snapshots.length) return h('p', { class: 'note' }, 'No snapshots.');
  return table(['Snapshot', 'Type', 'Taken', 'Status'], snapshots.map((s) =>
    h('tr', {}, h('td', {}, s.name), h('td', {}, s.type || ''), h('td', { class: 'time' }, showTime(s.time)),
      h('td', {}, badge(s.status)))));
}

// A button that asks once more before it calls.
function actionButton(label, run) {
  const box = h('div', { class: 'actions' });
  const result = h('div', {});
  const start = h('button', { type: 'button', class: 'plain', 'data-action': label }, label);
  start.addEventListener('click', () => {
    const confirm = h('button', { type: 'button', class: 'danger', 'data-confirm': label }, `Confirm: ${label}`);
    const cancel = h('button', { type: 'button', class: 'plain' }, 'Cancel');
    cancel.addEventListener('click', () => box.replaceChildren(start));
    confirm.addEventListener('click', async () => {
      confirm.disabled = true;
      try {
        const message = await run();
        result.replaceChildren(h('div', { class: 'message ok' }, message));
      } catch (error) {
        result.replaceChildren(h('div', { class: 'message bad' }, `${error.code}: ${error.message}`));
      }
      box.replaceChildren(start);
    });
    box.replaceChildren(confirm, cancel);
  });
  box.append(start);
  return h('div', {}, box, result);
}

async function rdsEvents(type, id) {
  const out = await awsAll('rds', 'DescribeEvents', { SourceType: type, SourceIdentifier: id, Duration: 20160, MaxRecords: 100 },
    'Events', 'Marker');
  return out.Events || [];
}

async function instancePage(id) {
  setPage(id, h('p', { class: 'note' }, 'Loading…'));
  const [described, snapshots, events] = await settle([
    aws('rds', 'DescribeDBInstances', { DBInstanceIdentifier: id }),
    awsAll('rds', 'DescribeDBSnapshots', { DBInstanceIdentifier: id, MaxRecords: 100 }, 'DBSnapshots', 'Marker'),
    rdsEvents('db-instance', id),
  ]);
  if (described instanceof Error) return setPage(id, errorNote('DescribeDBInstances', described));
  const db = described.DBInstances[0];
  const shots = snapshots instanceof Error ? [] : (snapshots.DBSnapshots || []).map((s) => ({ name: s.DBSnapshotIdentifier,
    type: s.SnapshotType, time: s.SnapshotCreateTime, status: s.Status }));
  // As RDS's: the window opens at the oldest automated backup and closes at LatestRestorableTime.
  const automated = shots.filter((s) => s.type === 'automated' && s.status === 'available' && asDate(s.time))
    .sort((a, b) => asDate(a.time) - asDate(b.time));
  const window = { earliest: db.LatestRestorableTime && automated.length ? automated[0].time : null,
    latest: db.LatestRestorableTime };
  const eventList = events instanceof Error ? [] : events;
  const actions = [actionButton('Reboot', async () => {
    await aws('rds', 'RebootDBInstance', { DBInstanceIdentifier: id });
    return `${id} is rebooting.`;
  })];
  if (db.MultiAZ) {
    actions.push(actionButton('Reboot with failover', async () => {
      await aws('rds', 'RebootDBInstance', { DBInstanceIdentifier: id, ForceFailover: true });
      return `${id} is failing over to its standby.`;
    }));
  }
  setPage(`RDS instance ${id}`,
    h('div', { class: 'panel' }, facts([
      ['Status', badge(db.DBInstanceStatus)], ['Engine', `${db.Engine} ${db.EngineVersion || ''}`],
      ['Class', db.DBInstanceClass], ['Availability', db.MultiAZ ? 'Multi-AZ' : 'Single-AZ'],
      ['Primary zone', db.AvailabilityZone], ['Standby zone', db.SecondaryAvailabilityZone],
      ['Cluster', db.DBClusterIdentifier], ['Endpoint', db.Endpoint ? `${db.Endpoint.Address}:${db.Endpoint.Port}` : ''],
      ['Backup retention', `${db.BackupRetentionPeriod} days`], ['Encrypted', db.StorageEncrypted ? 'yes' : 'no'],
    ])),
    h('h2', {}, 'Actions'), h('div', { class: 'panel actions' }, actions),
    h('h2', {}, 'Backups and point-in-time recovery'), timeline(window, shots, eventList),
    snapshots instanceof Error ? errorNote('Snapshots', snapshots) : snapshotTable(shots),
    h('h2', {}, 'Events'), events instanceof Error ? errorNote('Events', events) : eventTable(eventList));
}

async function clusterPage(id) {
  setPage(id, h('p', { class: 'note' }, 'Loading…'));
  const [described, snapshots, events] = await settle([
    aws('rds', 'DescribeDBClusters', { DBClusterIdentifier: id }),
    awsAll('rds', 'DescribeDBClusterSnapshots', { DBClusterIdentifier: id, MaxRecords: 100 }, 'DBClusterSnapshots', 'Marker'),
    rdsEvents('db-cluster', id),
  ]);
  if (described instanceof Error) return setPage(id, errorNote('DescribeDBClusters', described));
  const cluster = described.DBClusters[0];
  const shots = snapshots instanceof Error ? [] : (snapshots.DBClusterSnapshots || []).map((s) => ({
    name: s.DBClusterSnapshotIdentifier, type: s.SnapshotType, time: s.SnapshotCreateTime, status: s.Status }));
  const eventList = events instanceof Error ? [] : events;
  const members = (cluster.DBClusterMembers || []).map((m) => h('tr', {},
    h('td', {}, h('a', { href: '#/rds/instance/' + encodeURIComponent(m.DBInstanceIdentifier) }, m.DBInstanceIdentifier)),
    h('td', {}, role(m.IsClusterWriter ? 'writer' : 'reader'))));
  setPage(`Aurora cluster ${id}`,
    h('div', { class: 'panel' }, facts([
      ['Status', badge(cluster.Status)], ['Engine', `${cluster.Engine} ${cluster.EngineVersion || ''}`],
      ['Writer endpoint', cluster.Endpoint], ['Reader endpoint', cluster.ReaderEndpoint],
      ['Zones', (cluster.AvailabilityZones || []).join(', ')], ['Backup retention', `${cluster.BackupRetentionPeriod} days`],
    ])),
    h('h2', {}, 'Instances'), table(['Instance', 'Role'], members),
    h('h2', {}, 'Actions'), h('div', { class: 'panel' }, actionButton('Fail over', async () => {
      await aws('rds', 'FailoverDBCluster', { DBClusterIdentifier: id });
      return `${id} is failing over to a reader.`;
    })),
    h('h2', {}, 'Backups and point-in-time recovery'),
    timeline({ earliest: cluster.EarliestRestorableTime, latest: cluster.LatestRestorableTime }, shots, eventList),
    snapshots instanceof Error ? errorNote('Snapshots', snapshots) : snapshotTable(shots),
    h('h2', {}, 'Events'), events instanceof Error ? errorNote('Events', events) : eventTable(eventList));
}

async function cachePage(id) {
  setPage(id, h('p', { class: 'note' }, 'Loading…'));
  const [described, snapshots, events] = await settle([
    aws('elasticache', 'DescribeReplicationGroups', { ReplicationGroupId: id }),
    aws('elasticache', 'DescribeSnapshots', { ReplicationGroupId: id }),
    aws('elasticache', 'DescribeEvents', { SourceType: 'replication-group', SourceIdentifier: id, Duration: 20160 }),
  ]);
  if (described instanceof Error) return setPage(id, errorNote('DescribeReplicationGroups', described));
  const group = described.ReplicationGroups[0];
  const shots = snapshots instanceof Error ? [] : (snapshots.Snapshots || []).map((s) => ({ name: s.SnapshotName,
    type: s.SnapshotSource, time: ((s.NodeSnapshots || [])[0] || {}).SnapshotCreateTime, status: s.SnapshotStatus }));
  const eventList = events instanceof Error ? [] : (events.Events || []);
  const members = [];
  for (const shard of group.NodeGroups || []) {
    for (const m of shard.NodeGroupMembers || []) {
      members.push(h('tr', {}, h('td', {}, shard.NodeGroupId), h('td', {}, m.CacheClusterId),
        h('td', {}, role(m.CurrentRole || 'node')), h('td', {}, m.PreferredAvailabilityZone || '')));
    }
  }
  const actions = group.AutomaticFailover === 'enabled' ? (group.NodeGroups || []).map((shard) =>
    actionButton(`Fail over shard ${shard.NodeGroupId}`, async () => {
      await aws('elasticache', 'TestFailover', { ReplicationGroupId: id, NodeGroupId: shard.NodeGroupId });
      return `Shard ${shard.NodeGroupId} of ${id} is failing over to a replica.`;
    })) : [h('p', { class: 'note' }, 'Automatic failover is off: there is no failover to ask for.')];
  setPage(`ElastiCache group ${id}`,
    h('div', { class: 'panel' }, facts([['Status', badge(group.Status)], ['Description', group.Description],
      ['Multi-AZ', group.MultiAZ], ['Automatic failover', group.AutomaticFailover],
      ['Cluster mode', group.ClusterEnabled ? 'enabled' : 'disabled']])),
    h('h2', {}, 'Nodes'), table(['Shard', 'Node', 'Role', 'Zone'], members),
    h('h2', {}, 'Actions'), h('div', { class: 'panel actions' }, actions),
    h('h2', {}, 'Snapshots'), timeline({}, shots, eventList), snapshotTable(shots),
    h('h2', {}, 'Events'), eventTable(eventList));
}

async function tablePage(name) {
  setPage(name, h('p', { class: 'note' }, 'Loading…'));
  const [described, continuous, backups] = await settle([
    aws('dynamodb', 'DescribeTable', { TableName: name }),
    aws('dynamodb', 'DescribeContinuousBackups', { TableName: name }),
    aws('dynamodb', 'ListBackups', { TableName: name }),
  ]);
  if (described instanceof Error) return setPage(name, errorNote('DescribeTable', described));
  const t = described.Table;
  const pitr = continuous instanceof Error ? {} :
    (continuous.ContinuousBackupsDescription || {}).PointInTimeRecoveryDescription || {};
  const shots = backups instanceof Error ? [] : (backups.BackupSummaries || []).map((b) => ({ name: b.BackupName,
    type: b.BackupType, time: b.BackupCreationDateTime, status: b.BackupStatus }));
  setPage(`DynamoDB table ${name}`,
    h('div', { class: 'panel' }, facts([['Status', badge(t.TableStatus)], ['Items', t.ItemCount],
      ['Billing', (t.BillingModeSummary || {}).BillingMode || 'PROVISIONED'],
      ['Point-in-time recovery', pitr.PointInTimeRecoveryStatus || 'unknown'],
      ['Replicas', (t.Replicas || []).map((r) => r.RegionName).join(', ')]])),
    h('h2', {}, 'Backups and point-in-time recovery'),
    timeline({ earliest: pitr.EarliestRestorableDateTime, latest: pitr.LatestRestorableDateTime }, shots, []),
    snapshotTable(shots));
}

// ---- alarms, events, trail ----

async function alarmsPage() {
  setPage('Alarms', h('p', { class: 'note' }, 'Loading…'));
  let out;
  try { out = await awsAll('monitoring', 'DescribeAlarms', { MaxRecords: 100 }, 'MetricAlarms', 'NextToken'); } catch (error) {
    return setPage(`Alarms in ${state.region}`, errorNote('DescribeAlarms', error));
  }
  const alarms = out.MetricAlarms || [];
  const rows = alarms.map((a) => h('tr', {}, h('td', {}, a.AlarmName), h('td', {}, badge(a.StateValue)),
    h('td', {}, `${a.Namespace || ''} ${a.MetricName || ''}`,
      h('div', { class: 'note' }, (a.Dimensions || []).map((d) => `${d.Name}=${d.Value}`).join(', '))),
    h('td', {}, `${a.Statistic || ''} ${a.ComparisonOperator || ''} ${a.Threshold ?? ''}`),
    h('td', { class: 'time' }, showTime(a.StateUpdatedTimestamp)), h('td', {}, a.StateReason || '')));
  setPage(`Alarms in ${state.region}`, alarms.length
    ? table(['Alarm', 'State', 'Metric', 'Condition', 'Since', 'Reason'], rows) : h('p', { class: 'note' }, 'No alarms.'));
}

async function eventsPage() {
  setPage('Events', h('p', { class: 'note' }, 'Loading…'));
  const [rds, cache] = await settle([
    awsAll('rds', 'DescribeEvents', { Duration: 1440, MaxRecords: 100 }, 'Events', 'Marker'),
    awsAll('elasticache', 'DescribeEvents', { Duration: 1440, MaxRecords: 100 }, 'Events', 'Marker'),
  ]);
  const all = [];
  for (const [service, out] of [['RDS', rds], ['ElastiCache', cache]]) {
    if (out instanceof Error) continue;
    for (const e of out.Events || []) all.push({ ...e, service });
  }
  all.sort((a, b) => asDate(b.Date) - asDate(a.Date));
  const link = (e) => {
    if (e.service === 'RDS' && e.SourceType === 'db-instance') return '#/rds/instance/' + encodeURIComponent(e.SourceIdentifier);
    if (e.service === 'RDS' && e.SourceType === 'db-cluster') return '#/rds/cluster/' + encodeURIComponent(e.SourceIdentifier);
    if (e.SourceType === 'replication-group') return '#/cache/' + encodeURIComponent(e.SourceIdentifier);
    return null;
  };
  setPage(`Events in ${state.region} (last 24 hours)`,
    rds instanceof Error ? errorNote('RDS events', rds) : null,
    cache instanceof Error ? errorNote('ElastiCache events', cache) : null,
    all.length ? table(['Time', 'Service', 'Source', 'Message'], all.map((e) => h('tr', {},
      h('td', { class: 'time' }, showTime(e.Date)), h('td', {}, e.service),
      h('td', {}, link(e) ? h('a', { href: link(e) }, e.SourceIdentifier) : e.SourceIdentifier || ''),
      h('td', {}, e.Message || '')))) : h('p', { class: 'note' }, 'No events in the last 24 hours.'));
}

function trailPage() {
  const field = (label, id, type) => h('label', {}, label, h('input', { id, type: type || 'text', spellcheck: 'false' }));
  const results = h('div', { id: 'trail-results' });
  const form = h('form', { class: 'search', id: 'trail-form' },
    field('User name', 'trail-user'), field('Event name', 'trail-event'), field('Resource name', 'trail-resource'),
    field('From', 'trail-from', 'datetime-local'), field('To', 'trail-to', 'datetime-local'),
    h('button', { type: 'submit' }, 'Search'));
  form.addEventListener('submit', (event) => { event.preventDefault(); searchTrail(results); });
  setPage(`Trail in ${state.region}`, h('div', { class: 'panel' }, form), results);
  searchTrail(results);
}

// A call's resources: those CloudTrail names, else the identifiers among its
// request's parameters (what LookupEvents' ResourceName matches).
function resourceNames(e, detail) {
  const named = (e.Resources || []).map((r) => r.ResourceName).filter(Boolean);
  if (named.length) return named;
  const parameters = detail.requestParameters || {};
  return Object.entries(parameters).filter(([key, value]) => typeof value === 'string' &&
    /(Identifier|Name|Id|Arn)$/i.test(key)).map(([, value]) => value);
}

async function searchTrail(results) {
  const filters = [['Username', $('trail-user').value.trim()], ['EventName', $('trail-event').value.trim()],
    ['ResourceName', $('trail-resource').value.trim()]].filter(([, value]) => value);
  // LookupEvents takes one attribute: the first goes to the server, the others filter here.
  const input = { MaxResults: 50 };
  if (filters.length) input.LookupAttributes = [{ AttributeKey: filters[0][0], AttributeValue: filters[0][1] }];
  const from = $('trail-from').value, to = $('trail-to').value;
  if (from) input.StartTime = new Date(from).getTime() / 1000;
  if (to) input.EndTime = new Date(to).getTime() / 1000;
  results.replaceChildren(h('p', { class: 'note' }, 'Searching…'));
  let out;
  try { out = await aws('cloudtrail', 'LookupEvents', input); } catch (error) {
    return results.replaceChildren(errorNote('LookupEvents', error));
  }
  const parsed = (out.Events || []).map((e) => {
    let detail = {};
    try { detail = JSON.parse(e.CloudTrailEvent || '{}'); } catch (error) { /* shown without */ }
    return { e, detail, names: resourceNames(e, detail) };
  });
  const matches = ({ e, names }) => filters.slice(1).every(([key, value]) => {
    if (key === 'Username') return e.Username === value;
    if (key === 'EventName') return e.EventName === value;
    return names.includes(value);
  });
  const found = parsed.filter(matches);
  if (!found.length) return results.replaceChildren(h('p', { class: 'note' }, 'No matching events.'));
  const rows = [];
  for (const { e, detail, names } of found) {
    const row = h('tr', { class: 'clickable' }, h('td', { class: 'time' }, showTime(e.EventTime)),
      h('td', {}, e.Username || ''), h('td', {}, e.EventName), h('td', {}, e.EventSource || ''),
      h('td', {}, names.join(', ')),
      h('td', {}, detail.errorCode ? badge(detail.errorCode) : badge('ok')));
    const more = h('tr', { class: 'detail', hidden: true }, h('td', { colspan: 6 },
      h('pre', { class: 'event' }, JSON.stringify(detail, null, 2))));
    row.addEventListener('click', () => { more.hidden = !more.hidden; });
    rows.push(row, more);
  }
  results.replaceChildren(table(['Time', 'User', 'Event', 'Source', 'Resources', 'Result'], rows),
    out.NextToken ? h('p', { class: 'note' }, 'The newest 50 events: narrow the search to see older ones.') : null);
}

// ---- routing ----

function route() {
  if (!state.csrf) return;
  // A hash that does not decode (#/%) or names no page (#/hasOwnProperty) shows the fleet.
  const decode = (part) => {
    try {
      return decodeURIComponent(part);
    } catch {
      return '';
    }
  };
  const parts = location.hash.replace(/^#\/?/, '').split('/').map(decode);
  const page = parts[0] || 'fleet';
  for (const link of document.querySelectorAll('.top nav a')) {
    link.classList.toggle('current', link.dataset.page === page);
  }
  const pages = {
    fleet: () => fleetPage(),
    rds: () => (parts[1] === 'cluster' ? clusterPage(parts[2]) : instancePage(parts[2])),
    cache: () => cachePage(parts[1]),
    dynamodb: () => tablePage(parts[1]),
    alarms: () => alarmsPage(),
    events: () => eventsPage(),
    trail: () => trailPage(),
  };
  Promise.resolve((Object.hasOwn(pages, page) ? pages[page] : pages.fleet)()).catch((error) => setPage('Error', errorNote('The page', error)));
}

document.addEventListener('DOMContentLoaded', () => {
  const select = $('region');
  if (!REGIONS.includes(state.region)) REGIONS.push(state.region);
  for (const region of REGIONS) select.append(h('option', { value: region, selected: region === state.region }, region));
  select.addEventListener('change', () => {
    state.region = select.value;
    localStorage.setItem('kura.region', state.region);
    route();
  });
  $('signin-form').addEventListener('submit', signIn);
  $('signout').addEventListener('click', signOut);
  window.addEventListener('hashchange', route);
  resume();
});
