// Drives Kura's web console in headless Chromium (Debian's) with
// playwright-core, for tests/integration/test_console.py.
//   node console_scenario.mjs <modules dir> <scenario.json>
// The scenario names the endpoint, the region, the instance, the admin's and
// the read-only user's keys, and where screenshots go. Prints one JSON line:
// what each step saw, for the test to judge.
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";

const [modulesDir, scenarioFile] = process.argv.slice(2);
const require = createRequire(path.join(modulesDir, "package.json"));
const { chromium } = require("playwright-core");
const s = JSON.parse(fs.readFileSync(scenarioFile, "utf8"));
const console_ = `${s.endpoint}/_kura/console/`;
const report = { steps: [], leaks: [] };
const note = (name, value) => { report[name] = value; report.steps.push(name); };

const browser = await chromium.launch({ executablePath: s.chromium, args: ["--no-sandbox", "--disable-gpu"] });
const context = await browser.newContext({ viewport: { width: 1180, height: 760 }, deviceScaleFactor: 1 });
context.setDefaultTimeout(20000);
const page = await context.newPage();
const shot = (name) => page.screenshot({ path: path.join(s.screenshots, `${name}.png`) });

// Whatever the page, its storage and its cookies hold: the secrets must be in none of it.
async function checkNoSecret(where) {
  const html = await page.content();
  const storage = await page.evaluate(() => JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage },
    cookie: document.cookie }));
  const cookies = JSON.stringify(await context.cookies());
  for (const secret of s.secrets) {
    for (const [kind, text] of [["page", html], ["storage", storage], ["cookies", cookies]]) {
      if (text.includes(secret)) report.leaks.push(`${where}: the secret is in the ${kind}`);
    }
  }
  return JSON.parse(storage).cookie;
}

async function signIn(keyId, secret) {
  await page.goto(console_);
  await page.waitForSelector("#signin:not([hidden])");
  await page.fill("#key-id", keyId);
  await page.fill("#secret", secret);
  await page.click("#signin button[type=submit]");
}

try {
  // 1. A wrong secret is refused, and no session cookie is set.
  await signIn(s.admin.id, s.admin.secret.slice(0, -1) + (s.admin.secret.endsWith("x") ? "y" : "x"));
  await page.waitForFunction(() => document.getElementById("signin-error").textContent.length > 0);
  note("badSecretMessage", await page.textContent("#signin-error"));
  note("badSecretCookies", (await context.cookies()).map((c) => c.name));
  await page.fill("#key-id", s.admin.id);
  await shot("signin");

  // 2. The admin signs in and sees the fleet: the instance's primary and standby in their zones.
  await signIn(s.admin.id, s.admin.secret);
  await page.waitForSelector(".zones");
  await page.selectOption("#region", s.region);
  await page.waitForSelector(`.zones .node a:text-is("${s.instance}")`);
  const cookies = await context.cookies();
  note("cookie", cookies.map((c) => ({ name: c.name, httpOnly: c.httpOnly, sameSite: c.sameSite, path: c.path })));
  note("documentCookie", await checkNoSecret("fleet"));
  note("fleetNodes", await page.$$eval(".zone", (zones) => zones.map((z) => ({
    zone: z.querySelector("h3").textContent,
    nodes: [...z.querySelectorAll(".node")].map((n) => n.querySelector(".name").textContent + ":" +
      n.querySelector(".badge.role").textContent) }))));
  await shot("fleet");

  // Another region is another fleet (Kura keeps regions apart).
  await page.selectOption("#region", s.otherRegion);
  await page.waitForSelector(`h1:text-is("Fleet in ${s.otherRegion}")`);
  note("otherRegionFleet", await page.textContent("main"));
  await page.selectOption("#region", s.region);
  await page.waitForSelector(`.zones .node a:text-is("${s.instance}")`);

  // An Aurora cluster's page (its writer and reader), and an ElastiCache group's.
  await page.click(`main table a:text-is("${s.cluster}")`);
  await page.waitForSelector(`h1:text-is("Aurora cluster ${s.cluster}")`);
  note("clusterPage", await page.textContent("main"));
  await shot("cluster");
  await page.click(`main table a:text-is("${s.cache}")`).catch(async () => {
    await page.click("a[data-page=fleet]");
    await page.click(`main table a:text-is("${s.cache}")`);
  });
  await page.waitForSelector(`h1:text-is("ElastiCache group ${s.cache}")`);
  note("cachePage", await page.textContent("main"));
  await page.click("[data-action='Fail over shard 0001']");
  await page.click("[data-confirm='Fail over shard 0001']");
  await page.waitForSelector(".message");
  note("cacheFailoverMessage", await page.textContent(".message"));
  await page.click("a[data-page=fleet]");
  await page.waitForSelector(`.zones .node a:text-is("${s.instance}")`);

  // 3. The API refuses a call without the CSRF header, and one from another origin.
  note("withoutCsrf", await page.evaluate(async (region) => {
    const r = await fetch("api/call", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ service: "rds", operation: "DescribeDBInstances", region }) });
    return r.status;
  }, s.region));
  const crossOrigin = await fetch(`${console_}api/call`, { method: "POST", headers: { "Content-Type": "application/json",
    Origin: "http://attacker.example", Cookie: cookies.map((c) => `${c.name}=${c.value}`).join("; "),
    "X-Kura-Csrf": "0".repeat(64) }, body: "{}" });
  note("crossOrigin", crossOrigin.status);

  // 4. The instance's page: a failover from its action button, then seen in its events and timeline.
  await page.click(`.zones .node a:text-is("${s.instance}")`);
  await page.waitForSelector("[data-action='Reboot with failover']");
  await page.click("[data-action='Reboot with failover']");
  await page.click("[data-confirm='Reboot with failover']");
  await page.waitForSelector(".message");
  note("failoverMessage", await page.textContent(".message"));
  let events = "";
  const deadline = Date.now() + s.failoverSeconds * 1000;
  while (Date.now() < deadline) {
    await page.reload();  // the page again, read anew
    await page.waitForSelector("h2:text-is('Events')");
    events = await page.$$eval("table", (tables) => tables.map((t) => t.textContent).join("\n"));
    if (events.includes("Multi-AZ instance failover completed")) break;
    await page.waitForTimeout(2000);
  }
  note("instanceEvents", events);
  note("timelineFailoverMarks", await page.$$eval(".timeline .mark.failover", (marks) => marks.length));
  note("timelineWindow", await page.$$eval(".timeline .window", (bars) => bars.length));
  note("instanceFacts", await page.textContent("dl.facts"));
  await shot("instance");

  // 5. Alarms and events.
  await page.click("a[data-page=alarms]");
  await page.waitForSelector(`td:text-is("${s.alarm}")`);
  note("alarms", await page.textContent("main"));
  await shot("alarms");
  await page.click("a[data-page=events]");
  await page.waitForSelector("main table");
  note("events", await page.textContent("main table"));
  await shot("events");

  // 6. The trail: the failover, found by its event name, made by the admin through the console.
  await page.click("a[data-page=trail]");
  await page.waitForSelector("#trail-form");
  await page.fill("#trail-event", "RebootDBInstance");
  await page.fill("#trail-resource", s.instance);
  await page.click("#trail-form button[type=submit]");
  await page.waitForSelector("#trail-results table");
  note("trailRows", await page.$$eval("#trail-results tr.clickable", (rows) => rows.map((r) => r.textContent)));
  await page.click("#trail-results tr.clickable");
  note("trailDetail", await page.textContent("#trail-results pre.event"));
  await shot("trail");
  await checkNoSecret("trail");

  // 7. Signing out ends the session on the server.
  await page.click("#signout");
  await page.waitForSelector("#signin:not([hidden])");
  note("afterSignOut", await page.evaluate(async () =>
    (await fetch("api/session", { headers: { "X-Kura-Console": "1" } })).status));
  const replayed = await fetch(`${console_}api/session`, { headers: { "X-Kura-Console": "1",
    Cookie: cookies.map((c) => `${c.name}=${c.value}`).join("; ") } });
  note("oldCookieAfterSignOut", replayed.status);

  // 8. The read-only user sees the fleet, but its reboot is refused by IAM.
  await signIn(s.viewer.id, s.viewer.secret);
  await page.waitForSelector(`.zones .node a:text-is("${s.instance}")`);
  note("viewerPrincipal", await page.textContent("#principal"));
  await checkNoSecret("viewer fleet");
  await page.click(`.zones .node a:text-is("${s.instance}")`);
  for (const [index, action] of ["Reboot", "Reboot with failover"].entries()) {
    await page.click(`[data-action='${action}']`);
    await page.click(`[data-confirm='${action}']`);
    await page.waitForFunction((n) => document.querySelectorAll(".message").length > n, index);
    report[`viewer ${action}`] = await page.$$eval(".message", (m) => m.map((x) => x.textContent)[m.length - 1]);
  }
  await shot("denied");
  await checkNoSecret("viewer instance");
} catch (error) {
  report.error = String(error.stack || error);
  try { await shot("failure"); } catch (ignored) { /* the browser is gone */ }
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(report) + "\n");
