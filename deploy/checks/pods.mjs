// Reading pods out of rendered objects: each workload's pod template, each
// container's environment as Kubernetes would build it, and the flags the
// vanguard process would see (command line over VANGUARD_<FLAG> over the
// binary's default, as services/vanguard/main.cc does).
import { podTemplateOf } from "./render.mjs";

export function workloads(objects) {
  return objects.map((object) => ({ object, template: podTemplateOf(object) })).filter((w) => w.template);
}

export function labelsMatch(matchLabels, labels) {
  const wanted = Object.entries(matchLabels ?? {});
  return wanted.length > 0 && wanted.every(([k, v]) => labels?.[k] === v);
}

export function isVanguardImage(image) {
  return /(^|\/)vanguard([:@]|$)/.test(image ?? "");
}

// A value taken from the downward API stays symbolic: ⟨metadata.name⟩.
const field = (path) => `⟨${path}⟩`;

// The container's environment: Map(name -> value or null when it comes from a
// Secret). Reports $(VAR) references that Kubernetes would leave unexpanded.
export function containerEnv(container, objects, where, report) {
  const env = new Map();
  for (const from of container.envFrom ?? []) {
    const prefix = from.prefix ?? "";
    if (from.configMapRef) {
      const map = objects.find((o) => o.kind === "ConfigMap" && o.metadata?.name === from.configMapRef.name);
      if (!map) {
        if (!from.configMapRef.optional) report.fail(where, `envFrom names ConfigMap ${from.configMapRef.name}, which is not in the manifests`);
        continue;
      }
      for (const [k, v] of Object.entries(map.data ?? {})) env.set(prefix + k, String(v));
    }
  }
  for (const entry of container.env ?? []) {
    if (entry.value !== undefined) {
      env.set(entry.name, expand(String(entry.value), env, `${where} env ${entry.name}`, report));
    } else if (entry.valueFrom?.fieldRef) {
      env.set(entry.name, field(entry.valueFrom.fieldRef.fieldPath));
    } else if (entry.valueFrom?.configMapKeyRef) {
      const ref = entry.valueFrom.configMapKeyRef;
      const map = objects.find((o) => o.kind === "ConfigMap" && o.metadata?.name === ref.name);
      if (!map && !ref.optional) report.fail(where, `env ${entry.name} names ConfigMap ${ref.name}, which is not in the manifests`);
      env.set(entry.name, map?.data?.[ref.key] ?? null);
    } else {
      env.set(entry.name, null);
    }
  }
  return env;
}

// Kubernetes expands $(VAR) from variables defined before; $$ escapes.
export function expand(text, env, where, report) {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, name) => {
    if (whole === "$$") return "$";
    if (env.has(name) && env.get(name) !== null) return env.get(name);
    report.fail(where, `refers to $(${name}), which is not defined before it: Kubernetes would pass it verbatim`);
    return whole;
  });
}

// The process's subcommand and effective flags. `binary`: readBinary().
export function processOf(container, env, binary, where, report) {
  const command = container.command ?? [];
  if (command.length && !(command.length === 1 && /(^|\/)vanguard$/.test(command[0]))) {
    report.fail(where, `command ${JSON.stringify(command)} replaces the image's entrypoint, vanguard`);
  }
  const args = (container.args ?? []).map((arg) => expand(String(arg), env, `${where} args`, report));
  const subcommand = args[0];
  if (!binary.subcommands.has(subcommand)) {
    report.fail(where, `args[0] ${JSON.stringify(subcommand)} is not a subcommand of this vanguard ` +
      `(${[...binary.subcommands].join(", ")})`);
  }
  const fromArgs = new Map();
  for (let i = 1; i < args.length; i++) {
    const token = args[i];
    if (!token.startsWith("--")) {
      report.fail(where, `argument ${JSON.stringify(token)} is not a --flag`);
      continue;
    }
    const eq = token.indexOf("=");
    const name = eq < 0 ? token.slice(2) : token.slice(2, eq);
    let value = eq < 0 ? undefined : token.slice(eq + 1);
    const known = binary.flags.get(name);
    if (!known) {
      const negated = binary.flags.get(name.slice(2));
      if (name.startsWith("no") && negated?.bool && value === undefined) {
        fromArgs.set(name.slice(2), "false");
      } else {
        report.fail(where, `--${name}: this vanguard has no such flag (it would exit 2 at start)`);
      }
      continue;
    }
    if (value === undefined) value = known.bool ? "true" : args[++i];
    fromArgs.set(name, value);
  }
  // main.cc reads VANGUARD_<FLAG> for the flags it has and ignores any other
  // variable: an unknown one cannot stop a pod, it only does nothing, so the
  // caller warns about it rather than failing.
  const fromEnv = new Map();
  const unknownEnv = [];
  for (const [name, value] of env) {
    if (!name.startsWith("VANGUARD_")) continue;
    const flag = name.slice("VANGUARD_".length).toLowerCase();
    if (!binary.flags.has(flag)) unknownEnv.push(name);
    fromEnv.set(flag, value);
  }
  const flag = (name) => fromArgs.get(name) ?? fromEnv.get(name) ?? binary.flags.get(name)?.default;
  const fromCommandLine = (name) => fromArgs.has(name);
  return { subcommand, flag, fromCommandLine, unknownEnv };
}

// host:port, [v6]:port. Returns {host, port} or null.
export function hostPort(address) {
  const m = String(address ?? "").match(/^(\[[^\]]*\]|[^:]*):(\d+)$/);
  return m ? { host: m[1].replace(/^\[|\]$/g, ""), port: Number(m[2]) } : null;
}

export function isLoopback(host) {
  return host === "localhost" || host === "::1" || /^127\./.test(host);
}

// A probe's target as deploy/check understands it.
export function probeTarget(probe) {
  if (!probe) return null;
  const command = probe.exec?.command ?? [];
  if (command.length && /(^|\/)vanguard-health$/.test(command[0])) {
    return { kind: "vanguard-health", port: Number(command[1]), service: command[2] ?? "" };
  }
  if (probe.grpc) return { kind: "grpc", port: probe.grpc.port, service: probe.grpc.service ?? "", mode: probe.grpc.mode };
  if (probe.httpGet) return { kind: "httpGet", port: probe.httpGet.port };
  if (probe.tcpSocket) return { kind: "tcpSocket", port: probe.tcpSocket.port };
  return { kind: "exec", command };
}

// A container port by number or name: its number, or null.
export function containerPort(container, port) {
  const ports = container.ports ?? [];
  const found = typeof port === "number"
    ? ports.find((p) => p.containerPort === port)
    : ports.find((p) => p.name === port) ?? ports.find((p) => String(p.containerPort) === String(port));
  return found ? found.containerPort : null;
}

// The seconds of a preStop hook's sleep (exec `sleep N` or the sleep action).
export function preStopSeconds(container) {
  const hook = container.lifecycle?.preStop;
  if (!hook) return 0;
  if (hook.sleep) return Number(hook.sleep.seconds);
  const command = hook.exec?.command ?? [];
  if (command.length === 2 && /(^|\/)sleep$/.test(command[0])) return Number(command[1]);
  return NaN;
}
