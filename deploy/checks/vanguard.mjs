// What the vanguard binary itself says: its subcommands and flags (with their
// defaults), read from `vanguard serve --helpfull`, so the manifests are held
// to the binary that was built, never to a list kept here; and how it answers
// the probes the pods run (a live `vanguard serve` on loopback with TLS).
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// {subcommands: Set, flags: Map(name -> {default, bool})}
export function readBinary(vanguard) {
  // absl prints the usage and every flag, then exits 1.
  const result = spawnSync(vanguard, ["serve", "--helpfull"], { encoding: "utf8", env: cleanEnv() });
  const text = `${result.stdout}${result.stderr}`;
  const subcommands = new Set();
  for (const m of text.matchAll(/^ {2}([a-z][a-z-]*) {2,}\S/gm)) subcommands.add(m[1]);
  const flags = new Map();
  // A flag's entry starts with "    --name (" and runs until the next entry or
  // a blank line; its default is the last "default: ...;" in it.
  const entries = text.split(/\n(?= {4}--)|\n\s*\n/);
  for (const entry of entries) {
    const m = entry.match(/^\s*--([a-z0-9_]+) \(/);
    if (!m) continue;
    // The description may itself say "default: ..."; absl's is the last.
    const joined = entry.replace(/\s*\n\s*/g, " ").replace(/;\s*$/, "");
    const at = joined.lastIndexOf("default: ");
    let value = at < 0 ? "" : joined.slice(at + "default: ".length);
    if (/^".*"$/.test(value)) value = value.slice(1, -1);
    flags.set(m[1], { default: value, bool: value === "true" || value === "false" });
  }
  if (flags.size === 0 || subcommands.size === 0) {
    throw new Error(`cannot read the flags of ${vanguard} (--helpfull printed ${text.length} bytes)`);
  }
  return { subcommands, flags };
}

// The environment of a child vanguard: nothing of the caller's VANGUARD_*.
export function cleanEnv(extra = {}) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("VANGUARD_")));
  return { ...env, ...extra };
}

// Starts `vanguard serve` on loopback with a throwaway certificate and runs the
// manifests' probe commands against it (with the port replaced by the one it
// bound). `probes`: [{where, service, tls}]. Returns the /metrics text, or
// null when it could not run.
export async function probeLive({ vanguard, health, probes, report }) {
  for (const tool of ["curl", "openssl"]) {
    if (spawnSync(tool, ["--version"], { stdio: "ignore" }).error &&
        spawnSync(tool, ["version"], { stdio: "ignore" }).error) {
      report.warn("live probe", `skipped: ${tool} not installed (tools/setup installs it)`);
      return null;
    }
  }
  const dir = mkdtempSync(join(tmpdir(), "vanguard-deploy-check-"));
  let child;
  try {
    execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
      "-keyout", join(dir, "tls.key"), "-out", join(dir, "tls.crt")], { stdio: "ignore" });
    writeFileSync(join(dir, "tokens"), `${"0".repeat(64)} deploy-check auditor county\n`);
    child = spawn(vanguard, ["serve", "--listen", "127.0.0.1:0", "--metrics_listen", "127.0.0.1:0",
      "--tls_cert", join(dir, "tls.crt"), "--tls_key", join(dir, "tls.key"),
      "--tokens_file", join(dir, "tokens"), "--data_dir", join(dir, "data")],
    { env: cleanEnv(), stdio: ["ignore", "pipe", "pipe"] });
    const { grpc, metrics, stderr } = await addresses(child, 30000);
    if (!grpc) {
      report.fail("live probe", `vanguard serve did not start: ${stderr.trim()}`);
      return null;
    }
    const port = grpc.split(":").pop();
    for (const { where, service, tls } of probes) {
      const env = cleanEnv(tls ? { VANGUARD_TLS_CERT: join(dir, "tls.crt") } : {});
      const run = spawnSync(health, service === "" ? [port] : [port, service], { encoding: "utf8", env });
      if (run.status === 0) continue;
      const said = `${run.stderr}`.trim().split("\n").pop();
      if (service === "liveness") {
        // Reported, not failed: a binary without the service answers
        // NOT_FOUND, and the manifests may name it before the binary serves it.
        report.warn(where, `this vanguard does not answer SERVING for the health service "liveness" ` +
          `(${said}); its liveness probes would restart every pod until it does`);
      } else {
        report.fail(where, `the probe of service "${service}" fails against a live vanguard serve: ${said}`);
      }
    }
    if (!metrics) return "";
    const scrape = spawnSync("curl", ["--silent", "--max-time", "5", `http://${metrics}/metrics`], { encoding: "utf8" });
    return scrape.stdout ?? "";
  } finally {
    if (child && child.exitCode === null) {
      child.kill("SIGTERM");
      await new Promise((resolve) => {
        const timer = setTimeout(() => { child.kill("SIGKILL"); resolve(); }, 30000);
        child.on("exit", () => { clearTimeout(timer); resolve(); });
      });
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

// Reads the first stdout lines of `vanguard serve`: its address, then
// "metrics HOST:PORT".
function addresses(child, timeoutMs) {
  return new Promise((resolve) => {
    let out = "";
    let err = "";
    const finish = () => {
      clearTimeout(timer);
      const lines = out.split("\n");
      const metrics = lines.find((line) => line.startsWith("metrics "))?.slice("metrics ".length);
      resolve({ grpc: /^\S+:\d+$/.test(lines[0]) ? lines[0] : null, metrics, stderr: err });
    };
    const timer = setTimeout(finish, timeoutMs);
    child.stdout.on("data", (chunk) => {
      out += chunk;
      if (/\nmetrics \S+\n/.test(out)) finish();
    });
    child.stderr.on("data", (chunk) => { err += chunk; });
    child.on("exit", finish);
  });
}
