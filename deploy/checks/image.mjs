// Checks deploy/Dockerfile without a Docker engine: both stages on Debian 12,
// the build stage installing exactly tools/setup's Debian packages, the
// runtime stage every package that holds a shared library the built binaries
// load (asking dpkg on this machine, which has those packages installed), and
// the runtime user, entrypoint and files the manifests rely on.
import { execFileSync, spawnSync } from "node:child_process";
import { accessSync, constants, existsSync, readFileSync, realpathSync } from "node:fs";
import { join } from "node:path";

// {uid} for the manifests' checks; reports every problem.
export function checkImage(root, binaries, report) {
  const where = "deploy/Dockerfile";
  const stages = parseDockerfile(readFileSync(join(root, "deploy", "Dockerfile"), "utf8"));
  if (stages.length !== 2) report.fail(where, `${stages.length} stages; a build stage and a runtime stage expected`);
  for (const stage of stages) {
    if (stage.from !== "debian:12-slim") report.fail(where, `FROM ${stage.from}: debian:12-slim expected`);
  }
  const build = stages[0] ?? { instructions: [] };
  const runtime = stages[stages.length - 1] ?? { instructions: [] };

  const setup = setupPackages(readFileSync(join(root, "tools", "setup"), "utf8"));
  const buildPackages = aptPackages(build);
  const missing = setup.filter((p) => !buildPackages.includes(p));
  const extra = buildPackages.filter((p) => !setup.includes(p));
  if (missing.length) report.fail(where, `the build stage lacks tools/setup's ${missing.join(" ")}`);
  if (extra.length) report.fail(where, `the build stage installs ${extra.join(" ")}, which tools/setup does not`);

  const users = runtime.instructions.filter((i) => i.op === "USER").map((i) => i.args.trim());
  const uid = /^\d+$/.test(users.at(-1) ?? "") ? Number(users.at(-1)) : undefined;
  if (uid === undefined || uid === 0) report.fail(where, `the runtime stage's USER is ${users.at(-1) ?? "unset"}: a numeric non-root uid expected`);
  const entrypoint = runtime.instructions.filter((i) => i.op === "ENTRYPOINT").at(-1)?.args.trim();
  if (entrypoint !== '["vanguard"]') report.fail(where, `ENTRYPOINT ${entrypoint}: ["vanguard"] expected`);
  const copies = runtime.instructions.filter((i) => i.op === "COPY").map((i) => i.args);
  for (const file of ["build/services/vanguard/vanguard", "build/services/vanguardctl/vanguardctl", "deploy/vanguard-health"]) {
    const name = file.split("/").pop();
    if (!copies.some((args) => args.includes(file) && new RegExp(`/usr/local/bin/(${name})?\\s*$`).test(args))) {
      report.fail(where, `the runtime stage does not copy ${file} to /usr/local/bin`);
    }
  }
  try {
    accessSync(join(root, "deploy", "vanguard-health"), constants.X_OK);
  } catch {
    report.fail("deploy/vanguard-health", "not executable");
  }
  const ignore = join(root, "deploy", "Dockerfile.dockerignore");
  if (!existsSync(ignore) || !/^build\/?$/m.test(readFileSync(ignore, "utf8"))) {
    report.fail("deploy/Dockerfile.dockerignore", "must keep build/ out of the build context");
  }

  checkRuntimeLibraries(where, aptPackages(runtime), binaries, report);
  return { uid };
}

// [{from, name, instructions: [{op, args}]}], continuation lines joined and
// comments dropped, as Docker reads them.
export function parseDockerfile(text) {
  const lines = text.split("\n").filter((line) => !/^\s*#/.test(line));
  const joined = lines.join("\n").replace(/\\\n/g, " ");
  const stages = [];
  for (const line of joined.split("\n")) {
    const m = line.match(/^\s*([A-Za-z]+)\s+(.*)$/);
    if (!m) continue;
    const op = m[1].toUpperCase();
    if (op === "FROM") {
      const [from, , name] = m[2].trim().split(/\s+/);
      stages.push({ from, name, instructions: [] });
    } else if (stages.length) {
      stages.at(-1).instructions.push({ op, args: m[2] });
    }
  }
  return stages;
}

function aptPackages(stage) {
  const packages = [];
  for (const { op, args } of stage.instructions) {
    if (op !== "RUN") continue;
    for (const command of args.split(/&&|;/)) {
      const words = command.trim().split(/\s+/);
      const at = words.indexOf("install");
      if (at < 1 || words[at - 1] !== "apt-get") continue;
      packages.push(...words.slice(at + 1).filter((w) => w && !w.startsWith("-")));
    }
  }
  return packages;
}

// tools/setup's packages=( ... ) and its unconditional packages+=( ... ).
export function setupPackages(text) {
  const words = (body) => body.replace(/#.*$/gm, "").split(/\s+/).filter(Boolean);
  const main = text.match(/^packages=\(([^)]*)\)/m);
  const packages = main ? words(main[1]) : [];
  for (const m of text.matchAll(/^packages\+=\(([^)]*)\)\s*(#.*)?$/gm)) packages.push(...words(m[1]));
  return packages;
}

function run(command, args) {
  const result = spawnSync(command, args, { encoding: "utf8" });
  return result.error ? null : result;
}

function checkRuntimeLibraries(where, runtimePackages, binaries, report) {
  if (!run("dpkg-query", ["--version"]) || !run("objdump", ["--version"]) || !run("ldd", ["--version"])) {
    report.warn(where, "skipped the runtime libraries: dpkg-query, objdump or ldd missing (not Debian?)");
    return;
  }
  // Every installed package's dependencies, and what debian:12-slim holds
  // (the required packages and apt).
  const depends = new Map();
  const base = new Set();
  const listing = execFileSync("dpkg-query", ["-W", "-f", "${Package}\t${Priority}\t${Essential}\t${Pre-Depends}, ${Depends}\n"],
    { encoding: "utf8" });
  for (const line of listing.split("\n").filter(Boolean)) {
    const [name, priority, essential, deps] = line.split("\t");
    depends.set(name, deps.split(",").flatMap((d) => d.split("|")).map((d) => d.trim().split(/[\s(:]/)[0]).filter(Boolean));
    if (priority === "required" || essential === "yes") base.add(name);
  }
  const closure = (roots) => {
    const seen = new Set();
    const stack = [...roots];
    while (stack.length) {
      const name = stack.pop();
      if (seen.has(name)) continue;
      seen.add(name);
      stack.push(...(depends.get(name) ?? []));
    }
    return seen;
  };
  for (const name of closure([...base, "apt"])) base.add(name);
  for (const name of runtimePackages) {
    if (!depends.has(name) && !known(name)) report.fail(where, `the runtime stage installs ${name}, which is no Debian 12 package`);
  }
  const provided = closure([...runtimePackages, ...base]);

  // Each binary's own NEEDED libraries, where the loader finds them, and
  // which package owns each (one dpkg-query for all: it is slow to start).
  const needs = [];
  for (const binary of binaries) {
    if (!existsSync(binary)) {
      report.fail(where, `${binary} is not built`);
      continue;
    }
    const needed = [...execFileSync("objdump", ["-p", binary], { encoding: "utf8" }).matchAll(/^\s*NEEDED\s+(\S+)/gm)].map((m) => m[1]);
    const paths = new Map([...execFileSync("ldd", [binary], { encoding: "utf8" }).matchAll(/^\s*(\S+) => (\S+)/gm)].map((m) => [m[1], m[2]]));
    for (const soname of needed) needs.push({ binary, soname, candidates: candidatePaths(paths.get(soname)) });
  }
  const owners = ownersOf(needs.flatMap((n) => n.candidates));
  for (const { binary, soname, candidates } of needs) {
    const owner = candidates.map((c) => owners.get(c)).find(Boolean);
    if (!owner) {
      report.warn(where, `${soname} of ${binary}: no Debian package owns it here`);
    } else if (!provided.has(owner)) {
      report.fail(where, `${binary.split("/").pop()} loads ${soname}, from ${owner}, which the runtime stage does not install`);
    }
  }
}

function known(name) {
  const policy = run("apt-cache", ["policy", name]);
  return Boolean(policy && /Candidate: (?!\(none\))/.test(policy.stdout));
}

// A library's path as the loader found it, resolved, and with /usr added or
// removed (Debian 12 merged /lib into /usr/lib; dpkg knows one spelling).
function candidatePaths(path) {
  if (!path) return [];
  const paths = [path];
  try {
    paths.push(realpathSync(path));
  } catch { /* the path itself is asked */ }
  for (const p of [...paths]) paths.push(p.startsWith("/usr/") ? p.slice(4) : `/usr${p}`);
  return [...new Set(paths)];
}

// Map(path -> package) for the paths some installed package owns.
function ownersOf(paths) {
  const owners = new Map();
  if (!paths.length) return owners;
  const result = spawnSync("dpkg-query", ["-S", ...paths], { encoding: "utf8" });
  for (const line of `${result.stdout ?? ""}`.split("\n")) {
    const m = line.match(/^([^:,\s]+)(?::[^:\s]+)?: (\S+)$/);
    if (m) owners.set(m[2], m[1]);
  }
  return owners;
}
