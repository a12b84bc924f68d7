// Reads dynalite's test files (a git checkout of architect/dynalite) and
// prints, as JSON, every request its tests expect DynamoDB to refuse with a
// ValidationException and the message they expect: the cases that
// tools/ddb_reference/replay.py sends to Kura. No server is started; the
// tests' helpers are replaced by ones that only record what they are given.
//   node tools/ddb_reference/cases.js DYNALITE/test/*.js > cases.json
const Module = require('module');
const path = require('path');
const out = [];
let current = '';
const fakeAsync = {
  forEach(list, fn, done) { let n = list.length; if (!n) return done && done(); list.forEach(x => fn(x, () => { if (--n === 0 && done) done(); })); },
  forEachSeries(list, fn, done) { return fakeAsync.forEach(list, fn, done); },
  eachSeries(list, fn, done) { return fakeAsync.forEach(list, fn, done); },
  each(list, fn, done) { return fakeAsync.forEach(list, fn, done); },
  parallel(fns, done) { done && done(); }, series(fns, done) { done && done(); },
  timesSeries(n, fn, done) { done && done(); }, times(n, fn, done) { done && done(); },
  mapSeries(l, fn, done) { done && done(); }, map(l, fn, done) { done && done(); },
};
function serial(x) {
  if (x instanceof RegExp) return { regex: x.source };
  if (Array.isArray(x)) return { list: x };
  return x;
}
const names = { testHashTable: 'hash_t1', testHashNTable: 'hash_n2', testRangeTable: 'range_t3', testRangeNTable: 'range_n4', testRangeBTable: 'range_b5' };
const helpers = Object.assign({}, names, {
  MAX_SIZE: 409600, awsRegion: 'us-east-1', awsAccountId: '000000000000', version: 'DynamoDB_20120810', prefix: '__dynalite_test_',
  readCapacity: 10, writeCapacity: 5, runSlowTests: false,
  request() {}, opts(target, data) { return { target, data }; },
  randomString() { return 'rs' + Math.random().toString(36).slice(2, 8); },
  randomNumber() { return String(Math.floor(Math.random() * 1e6)); },
  randomName() { return 'rn' + Math.random().toString(36).slice(2, 8); },
  assertValidation(target, data, msg, done) {
    try { out.push({ test: current, target, data: JSON.parse(JSON.stringify(data)), msg: serial(msg) }); } catch (e) {}
    done && done();
  },
  strDecrement(s) { return s; },
});
for (const name of ['assertType', 'assertNotFound', 'assertInUse', 'assertConditional', 'assertAccessDenied', 'assertSerialization',
  'assertLimitExceeded', 'assertResourceInUse', 'createAndWait', 'deleteAndWait', 'waitUntilActive', 'waitUntilDeleted',
  'waitUntilIndexesActive', 'deleteWhenActive', 'clearTable', 'replaceTable', 'assertInternalFailure', 'assertMissingAuthToken']) {
  helpers[name] = function () { const done = arguments[arguments.length - 1]; if (typeof done === 'function') done(); };
}
const load = Module._load;
Module._load = function (request, parent, isMain) {
  if (request === './helpers') return helpers;
  if (request === 'async') return fakeAsync;
  if (request === 'should') return {};
  try { return load.apply(this, arguments); } catch (e) { return {}; }
};
global.describe = (name, fn) => { fn.call({ timeout() {} }); };
global.describe.skip = () => {};
global.describe.only = global.describe;
global.it = (name, fn) => {
  current = name;
  try { fn.call({ timeout() {}, skip() {} }, () => {}); } catch (e) {}
};
global.it.skip = () => {};
global.it.only = global.it;
global.before = global.after = global.beforeEach = global.afterEach = () => {};
for (const file of process.argv.slice(2)) {
  try { require(path.resolve(file)); } catch (e) { process.stderr.write(file + ': ' + e.message + '\n'); }
}
process.stdout.write(JSON.stringify(out));
