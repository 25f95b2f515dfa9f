// The dashboard in a real browser (Debian's chromium, headless, driven by
// playwright-core) against a live `vanguard demo` holding the township and
// the seed-003-like city: signs in as the city's reviewer, drills from the
// city to a village, holds every figure on the page to the ViewService's own
// answer (read with `vanguardctl --json`), switches to a quarter, opens a
// pledge's history, toggles English, and looks at it on a phone. Screenshots
// go to --out.
//
//   node browser_test.mjs --vanguard BIN --vanguardctl BIN --node_modules DIR --out DIR
//
// Exits 77 (skipped) only when chromium is not installed.
import { spawn, execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, a, i, all) => (a.startsWith("--") ? [...pairs, [a.slice(2), all[i + 1]]] : pairs), []));
const chromiumPath = "/usr/bin/chromium";
if (!existsSync(chromiumPath)) {
  console.log(`SKIP: ${chromiumPath} is not installed (tools/setup installs Debian's chromium)`);
  process.exit(77);
}
const require = createRequire(join(args.node_modules, "noop.js"));
let chromium;
try {
  ({ chromium } = require("playwright-core"));
} catch {
  console.error(`playwright-core is not in ${args.node_modules}: run tools/setup`);
  process.exit(1);
}
mkdirSync(args.out, { recursive: true });

const dataDir = mkdtempSync(join(tmpdir(), "vanguard-dashboard-"));
let demo = null;
let browser = null;
let failed = false;

function check(condition, what) {
  if (condition) return;
  failed = true;
  console.error("FAIL: " + what);
}

// The demo prints its addresses, then serves once the city is loaded.
async function startDemo() {
  demo = spawn(args.vanguard, ["demo", "--once=false", "--listen=127.0.0.1:0", "--http_listen=127.0.0.1:0",
                               "--data_dir=" + dataDir], { stdio: ["ignore", "pipe", "inherit"] });
  const lines = createInterface({ input: demo.stdout });
  let grpc = "", http = "";
  const timer = setTimeout(() => { console.error("FAIL: the demo did not start serving in 5 minutes"); cleanUp(1); }, 300_000);
  for await (const line of lines) {
    const g = /command services on (127\.0\.0\.1:\d+)/.exec(line);
    if (g) grpc = g[1];
    const h = /^dashboard (http:\S+)/.exec(line);
    if (h) http = h[1];
    if (line.startsWith("Serving on")) break;
  }
  clearTimeout(timer);
  lines.on("line", () => {});  // keep draining its stdout
  if (!grpc || !http) throw new Error("the demo did not print its addresses");
  return { grpc, http };
}

function ctl(grpc, token, ...command) {
  const out = execFileSync(args.vanguardctl, ["--json", ...command], {
    env: { ...process.env, VANGUARD_SERVER: grpc, VANGUARD_TOKEN: token },
  });
  return JSON.parse(out.toString());
}

// The value at a dotted path; vanguardctl leaves zeros out of its JSON.
const at = (object, path) => path.split(".").reduce((o, k) => (o == null ? undefined : o[k]), object) ?? 0;

// Waits for the page to show its state after `action` (app.js marks it).
async function settled(page, action) {
  await page.evaluate(() => { document.body.dataset.loaded = ""; });
  await action();
  await page.waitForFunction(() => document.body.dataset.loaded, null, { timeout: 10_000 });
  const loaded = await page.evaluate(() => document.body.dataset.loaded);
  if (loaded === "error") throw new Error("the page shows an error: " + await page.textContent("#path"));
}

// Every figure the page marks holds the ViewService's value, formatted.
async function compareFigures(page, view, where) {
  const shown = await page.$$eval("[data-fig]", (es) => es.map((e) => [e.dataset.fig, e.dataset.value, e.textContent]));
  check(shown.length >= 25, `${where}: ${shown.length} figures on the page`);
  for (const [fig, value, text] of shown) {
    const expected = Number(at(view.figures, fig));
    check(Number(value) === expected, `${where}: ${fig} shows ${value}, the ViewService says ${expected}`);
    const digits = text.replace(/[^0-9]/g, "");
    const wanted = fig.endsWith("_bp") ? (expected / 100).toFixed(2).replace(/[^0-9]/g, "")
      : fig.endsWith("_fen") ? (expected / 100).toFixed(2).replace(/[^0-9]/g, "") : String(expected);
    check(digits === wanted, `${where}: ${fig} reads "${text}", expected ${wanted}`);
  }
  return shown.length;
}

async function cleanUp(code) {
  if (browser) await browser.close().catch(() => {});
  if (demo && demo.exitCode === null) {
    const exited = new Promise((resolve) => demo.once("exit", resolve));
    demo.kill("SIGTERM");
    await exited;
  }
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(code);
}
process.on("SIGTERM", () => cleanUp(1));
process.on("SIGINT", () => cleanUp(1));

try {
  const { grpc, http } = await startDemo();
  const token = "seed-token-of-city-reviewer";
  browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ["--no-sandbox"] });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on("pageerror", (e) => check(false, "page error: " + e.message));

  await page.goto(http);
  await page.fill("#token", token);
  let started = Date.now();
  await settled(page, () => page.click("#login button"));
  console.log(`signed in and first view shown in ${Date.now() - started} ms`);
  // The best of three reloads: what the page costs, not what a busy machine
  // (ctest -j2 runs another demo beside this one) adds to it.
  const loads = [];
  for (let i = 0; i < 3; ++i) {
    started = Date.now();
    await settled(page, () => page.reload());
    loads.push(Date.now() - started);
  }
  const loadMs = Math.min(...loads);
  console.log(`page load (reload of the city's view, ECharts and 12 API reads): ${loads.join(", ")} ms`);
  check(loadMs < 1000, `the page loads in under a second (${loadMs} ms)`);
  await page.waitForTimeout(300);  // ECharts animates in
  await page.screenshot({ path: join(args.out, "1-city.png"), fullPage: true });

  const me = await page.evaluate(() => fetch("api/me", { headers: { Authorization: "Bearer " + sessionStorage.getItem("vanguard.token") } }).then((r) => r.json()));
  const city = me.organisation_id;
  await compareFigures(page, ctl(grpc, token, "level", city).view, "city");
  // Drill down: the city's first township, then its first village.
  const township = await page.getAttribute("#tree a[data-org]", "data-org");
  await settled(page, () => page.click(`#tree a[data-org="${township}"]`));
  const village = await page.getAttribute("#tree a[data-org]", "data-org");
  await settled(page, () => page.click(`#tree a[data-org="${village}"]`));
  const path = await page.textContent("#path");
  check(path.split("›").length === 3, `the path reads city › township › village: "${path}"`);
  const villageView = ctl(grpc, token, "level", village).view;
  check(villageView.organisation.level === "ORGANISATION_LEVEL_GRASSROOTS", `${village} is a grassroots organisation`);
  const n = await compareFigures(page, villageView, village);
  console.log(`${village}: ${n} figures equal the ViewService's`);
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(args.out, "2-village.png"), fullPage: true });

  // A quarter (the demo's campaign runs in the current year): its figures and review coverage.
  const quarter = await page.$eval("#period", (select) => [...select.options].map((o) => o.value).find((v) => v.endsWith("-Q3")));
  await settled(page, () => page.selectOption("#period", quarter));
  const quarterView = ctl(grpc, token, "level", village, "--period", quarter).view;
  await compareFigures(page, quarterView, `${village} in ${quarter}`);
  check(await page.$('[data-fig="reviews.coverage_bp"]') !== null, "a quarter shows its review coverage");
  check(await page.$(`[data-unreviewed="${quarter}"]`) !== null, "a quarter lists its unreviewed organisations");
  const ranked = ctl(grpc, token, "children", township, "--by", "completion-rate", "--period", quarter);
  await settled(page, () => page.click(`#path a[data-org="${township}"]`));
  const rows = await page.$$eval("#children tr[data-child]", (rs) => rs.map((r) => r.dataset.child));
  check(JSON.stringify(rows) === JSON.stringify(ranked.children.map((c) => c.view.organisation.organisation_id)),
        "the township's villages are ranked as ListChildren ranks them");
  await page.screenshot({ path: join(args.out, "3-township-quarter.png"), fullPage: true });

  // Overdue as of the next new year (the demo's pledges fall due at the end of
  // its year), and a pledge's history from that list.
  const asOf = `${Number(quarter.slice(0, 4)) + 1}-01-31`;
  await settled(page, () => page.selectOption("#period", ""));
  await settled(page, () => page.fill("#as_of", asOf));
  const overdueShown = Number(await page.getAttribute('[data-fig="pledges.total.overdue"]', "data-value"));
  const overdueRead = await page.evaluate(([id, day]) => fetch(`api/level?id=${id}&as_of=${day}`,
    { headers: { Authorization: "Bearer " + sessionStorage.getItem("vanguard.token") } }).then((r) => r.json()), [township, asOf]);
  check(overdueShown > 0 && overdueShown === Number(overdueRead.view.figures.pledges.total.overdue),
        `overdue as of ${asOf}: the page shows ${overdueShown}`);
  const pledge = await page.getAttribute("#overdue a[data-pledge]", "data-pledge");
  check(pledge, "the township lists overdue pledges");
  if (pledge) {
    await settled(page, () => page.click(`#overdue a[data-pledge="${pledge}"]`));
    const events = await page.$$eval("#pledge ol.timeline li", (ls) => ls.map((l) => l.dataset.event));
    const history = ctl(grpc, token, "pledge", "show", pledge).history;
    check(events.length === history.length && events[0] === "PledgeMade",
          `the timeline shows the pledge's ${history.length} events: ${events.join(", ")}`);
    await page.locator("#pledge").screenshot({ path: join(args.out, "4-pledge-history.png") });
  }

  await settled(page, () => page.click("#lang"));
  check((await page.textContent("header h1")) === "Strive for Excellence", "English labels");
  await page.screenshot({ path: join(args.out, "5-english.png"), fullPage: true });

  // A phone: nothing wider than the screen but the tables, which scroll.
  await page.setViewportSize({ width: 390, height: 844 });
  await settled(page, () => page.reload());
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 0, `the page fits a 390 px phone (${overflow} px too wide)`);
  await page.screenshot({ path: join(args.out, "6-phone.png"), fullPage: true });

  // Scope: the township's reviewer cannot read the city.
  await page.evaluate(() => sessionStorage.setItem("vanguard.token", "seed-token-of-reviewer-city-t1"));
  const denied = await page.evaluate((c) => fetch(`api/level?id=${c}`, { headers: { Authorization: "Bearer seed-token-of-reviewer-city-t1" } }).then((r) => r.status), city);
  check(denied === 403, `a township's reviewer reading the city gets ${denied}, not 403`);
  console.log(failed ? "dashboard browser test: FAILED" : `dashboard browser test: passed; screenshots in ${args.out}`);
  await cleanUp(failed ? 1 : 0);
} catch (e) {
  console.error("FAIL:", e.stack || e);
  await cleanUp(1);
}
