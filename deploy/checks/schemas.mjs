// Validates objects against the Kubernetes API's schemas (npm kubernetes-models,
// and its Strimzi and Prometheus Operator packages for the CRDs), twice:
//   - the models' validate(): types, required fields, enums, formats;
//   - TypeScript's excess-property check of each object typed by its model's
//     interface: an unknown field (a misspelt `readinesProbe`) passes
//     validate() but the API server refuses it, and so does this.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

// Where each API group's models live, under the tools' node_modules.
const kPackages = ["kubernetes-models", "@kubernetes-models/strimzi-kafka-operator",
  "@kubernetes-models/prometheus-operator"];

function modelModule(tools, object) {
  for (const pkg of kPackages) {
    const file = join(tools, "node_modules", pkg, object.apiVersion, `${object.kind}.js`);
    if (existsSync(file)) return { pkg, file };
  }
  return null;
}

// `items`: [{where, object}]. Returns nothing; reports each problem.
export async function validateSchemas(tools, items, report) {
  const typed = [];
  for (const { where, object } of items) {
    if (!object?.apiVersion || !object?.kind) {
      report.fail(where, "an object without apiVersion or kind");
      continue;
    }
    const model = modelModule(tools, object);
    if (!model) {
      report.fail(where, `no schema for ${object.kind} (${object.apiVersion}); add its models package to deploy/check`);
      continue;
    }
    const Model = (await import(pathToFileURL(model.file)))[object.kind];
    try {
      new Model(object).validate();
    } catch (error) {
      const details = (error.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}`).join("; ");
      report.fail(where, `schema: ${details || error.message}`);
    }
    typed.push({ where, object, specifier: `${model.pkg}/${object.apiVersion}/${object.kind}` });
  }
  excessProperties(tools, typed, report);
}

function excessProperties(tools, typed, report) {
  const dir = join(tools, "typecheck");
  mkdirSync(dir, { recursive: true });
  const lines = [];
  const lineOwner = []; // per line: {where, path}
  const imports = new Map();
  typed.forEach(({ specifier, object }) => {
    if (!imports.has(specifier)) imports.set(specifier, `T${imports.size}`);
  });
  for (const [specifier, alias] of imports) {
    lines.push(`import type { I${specifier.split("/").pop()} as ${alias} } from "${specifier}";`);
    lineOwner.push(null);
  }
  typed.forEach(({ where, object, specifier }, i) => {
    lines.push(`export const o${i}: ${imports.get(specifier)} =`);
    lineOwner.push({ where, path: "/" });
    literal(object, "", "  ", lines, lineOwner, where);
    lines[lines.length - 1] += ";";
  });
  writeFileSync(join(dir, "objects.ts"), `${lines.join("\n")}\n`);
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({
    compilerOptions: {
      strict: true, noEmit: true, module: "nodenext", moduleResolution: "nodenext",
      target: "es2022", skipLibCheck: true, types: [],
    },
    files: ["objects.ts"],
  }));
  const tsc = join(tools, "node_modules", "typescript", "bin", "tsc");
  try {
    execFileSync(process.execPath, [tsc, "-p", dir], { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (error) {
    const output = `${error.stdout ?? ""}${error.stderr ?? ""}`;
    let matched = 0;
    for (const line of output.split("\n")) {
      const m = line.match(/^objects\.ts\((\d+),\d+\): error TS\d+: (.*)$/);
      if (!m) continue;
      matched++;
      const owner = lineOwner[Number(m[1]) - 1];
      report.fail(owner?.where ?? "schemas", `${owner?.path ?? ""}: ${m[2]}`);
    }
    if (!matched) report.fail("schemas", `tsc failed: ${output.trim() || error.message}`);
  }
}

// Writes `value` as a TypeScript literal, one property per line, and records
// for each line the object and the path it belongs to.
function literal(value, path, indent, lines, lineOwner, where) {
  const push = (text, at) => {
    lines.push(text);
    lineOwner.push({ where, path: at });
  };
  if (Array.isArray(value)) {
    push(`${indent}[`, path);
    value.forEach((item, i) => {
      literal(item, `${path}/${i}`, `${indent}  `, lines, lineOwner, where);
      lines[lines.length - 1] += ",";
    });
    push(`${indent}]`, path);
  } else if (value !== null && typeof value === "object") {
    push(`${indent}{`, path || "/");
    for (const [key, item] of Object.entries(value)) {
      if (item !== null && typeof item === "object") {
        push(`${indent}  ${JSON.stringify(key)}:`, `${path}/${key}`);
        literal(item, `${path}/${key}`, `${indent}  `, lines, lineOwner, where);
        lines[lines.length - 1] += ",";
      } else {
        push(`${indent}  ${JSON.stringify(key)}: ${JSON.stringify(item)},`, `${path}/${key}`);
      }
    }
    push(`${indent}}`, path || "/");
  } else {
    push(`${indent}${JSON.stringify(value)}`, path);
  }
}
