// deploy/check's checks, in order: the vanguard binary's flags, YAML lint, the
// image recipe, rendering every overlay, Kubernetes schemas, the wiring of
// each pod to the binary, the objects between pods, the docs, and the probes
// against a live vanguard. deploy/check (bash) installs the tools and runs this.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative } from "node:path";
import { parseArgs } from "node:util";

import { checkImage } from "./image.mjs";
import { firstDifference, kubectlAvailable, renderOwn, renderWithKubectl, unhash } from "./render.mjs";
import { Report } from "./report.mjs";
import { validateSchemas } from "./schemas.mjs";
import { checkTopology } from "./topology.mjs";
import { probeLive, readBinary } from "./vanguard.mjs";
import { checkPods } from "./wiring.mjs";
import { lintYamlFile } from "./yaml-lint.mjs";

const { values: options } = parseArgs({
  options: {
    root: { type: "string" },
    tools: { type: "string" },
    vanguard: { type: "string" },
    vanguardctl: { type: "string" },
    kubectl: { type: "string", default: "kubectl" },
  },
});
const { root, tools, vanguard, vanguardctl } = options;
const started = Date.now();
const report = new Report();
const YAML = createRequire(join(tools, "package.json"))("yaml");
const kubernetes = join(root, "deploy", "kubernetes");
const docsPath = join(root, "docs", "operations.md");
const rel = (path) => (relative(root, path).startsWith("..") ? path : relative(root, path));

let before = report.failures.length;
let binary;
try {
  binary = readBinary(vanguard);
  report.done("vanguard", before, `${binary.flags.size} flags and ${binary.subcommands.size} subcommands from ${rel(vanguard)} --helpfull`);
} catch (error) {
  report.fail(rel(vanguard), error.message);
  finish();
}

before = report.failures.length;
const yamlFiles = walk(kubernetes).filter((f) => /\.ya?ml$/.test(f));
const parsed = new Map(yamlFiles.map((file) => [file, lintYamlFile(YAML, file, report, rel(file))]));
report.done("YAML lint", before, `${yamlFiles.length} files under ${rel(kubernetes)}`);

before = report.failures.length;
const image = checkImage(root, [vanguard, vanguardctl], report);
report.done("image", before, "deploy/Dockerfile against tools/setup and the built binaries' libraries");

// Rendering.
before = report.failures.length;
const withKubectl = kubectlAvailable(options.kubectl);
if (!withKubectl) {
  report.note("render with kubectl kustomize: skipped: kubectl not installed; rendering with deploy/check's " +
    "own reader of the kustomize features the overlays use (proven equal to kubectl's where kubectl runs)");
}
const overlaysDir = join(kubernetes, "overlays");
const overlays = readdirSync(overlaysDir).filter((name) => statSync(join(overlaysDir, name)).isDirectory()).sort();
const rendered = new Map();
const how = new Map(); // overlay -> how it was rendered, for the summary
for (const overlay of overlays) {
  const dir = join(overlaysDir, overlay);
  const own = renderOwn(YAML, dir, root);
  let objects = own.objects ?? null;
  if (withKubectl) {
    try {
      const kube = renderWithKubectl(YAML, options.kubectl, dir);
      how.set(overlay, "kubectl");
      if (own.objects) {
        const difference = firstDifference(unhash(kube, own.objects), own.objects);
        if (difference) report.fail(`overlay ${overlay}`, `deploy/check's reader and kubectl kustomize disagree: ${difference}`);
        else how.set(overlay, "kubectl = reader");
      } else {
        report.note(`overlay ${overlay}: deploy/check's own reader cannot render it (${own.unsupported}); ` +
          "a machine without kubectl checks only its files");
      }
      objects = kube;
    } catch (error) {
      // kubectl prefixes its message with a log header; the rest is the cause.
      const message = `${error.stderr ?? error.message}`.split("\n").map((line) => line.trim())
        .filter((line) => line && !/^E\d{4} /.test(line) && line !== ">").join(" ");
      report.fail(`overlay ${overlay}`, `kubectl kustomize: ${message}`);
      objects = null;
    }
  } else if (!objects) {
    report.warn(`overlay ${overlay}`, `not rendered: ${own.unsupported}, which needs kubectl; checking its files only`);
  }
  if (own.objects && !how.has(overlay)) how.set(overlay, "reader");
  if (objects) rendered.set(overlay, objects);
}
report.done("render", before, overlays.map((o) => (rendered.has(o)
  ? `${o}: ${rendered.get(o).length} objects (${how.get(o)})` : `${o}: not rendered`)).join(", "));

// Schemas: every rendered object; where an overlay could not be rendered,
// the whole objects among its files and its bases' (patches are partial).
before = report.failures.length;
const items = [];
for (const [overlay, objects] of rendered) {
  for (const object of objects) items.push({ where: `${overlay} ${object.kind}/${object.metadata?.name}`, object });
}
for (const overlay of overlays.filter((o) => !rendered.has(o))) {
  for (const file of resourceFiles(join(overlaysDir, overlay))) {
    for (const object of parsed.get(file) ?? []) items.push({ where: `${rel(file)} ${object.kind}/${object.metadata?.name}`, object });
  }
}
await validateSchemas(tools, items, report);
report.done("schemas", before, `${items.length} objects against kubernetes-models (validate() and unknown fields)`);

// The pods against the binary, and the objects between them.
before = report.failures.length;
const probes = [];
const secrets = new Set();
for (const [overlay, objects] of rendered) {
  const pods = checkPods(overlay, objects, binary, image, report);
  probes.push(...pods.probes);
  for (const name of pods.secrets) secrets.add(name);
  checkTopology(overlay, objects, pods.processes, report);
}
report.done("wiring", before, "flags, probes, ports, mounts, drain, security, Services, budgets, scraping, KafkaTopic");

// The docs name every Secret the operator must create, and only metrics that exist.
before = report.failures.length;
const docs = readFileSync(docsPath, "utf8");
for (const name of secrets) {
  if (!docs.includes(name)) report.fail(rel(docsPath), `does not say how to create the Secret ${name}`);
}

// The probes as the pods run them, against a live vanguard.
const distinct = new Map(probes.map((p) => [`${p.service}|${p.tls}`, p]));
const scrape = await probeLive({ vanguard, health: join(root, "deploy", "vanguard-health"), probes: [...distinct.values()], report });
if (scrape) {
  const families = new Set([...scrape.matchAll(/^# TYPE (vanguard_\w+)/gm)].map((m) => m[1]));
  const named = new Set([...docs.matchAll(/\bvanguard_[a-z_]+\b/g)].map((m) => m[0]));
  // A histogram's series add _bucket, _sum and _count to the family's name.
  const served = (name) => families.has(name) || families.has(name.replace(/_(bucket|sum|count)$/, ""));
  for (const name of named) if (!served(name)) report.fail(rel(docsPath), `names the metric ${name}, which vanguard serve does not serve`);
  for (const name of families) if (!named.has(name)) report.warn(rel(docsPath), `does not mention the metric ${name}`);
}
report.done("live", before, `${distinct.size} probe commands against vanguard serve with TLS; Secrets and metrics named in ${rel(docsPath)}`);

finish();

function finish() {
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`deploy/check: ${report.passed} passed, ${report.failures.length} failed, ` +
    `${report.warnings.length} warnings (${seconds} s)`);
  process.exit(report.failures.length ? 1 : 0);
}

function walk(dir) {
  return readdirSync(dir).sort().flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

// The files a kustomization lists under resources, its bases' included.
function resourceFiles(dir) {
  const k = parsed.get(join(dir, "kustomization.yaml"))?.[0] ?? {};
  return (k.resources ?? []).flatMap((resource) => {
    const path = join(dir, resource);
    return statSync(path).isDirectory() ? resourceFiles(path) : [path];
  });
}
