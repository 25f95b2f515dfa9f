// Lints YAML files: strict parsing (no duplicate keys, no malformed
// indentation), the layout of the files here, and scalars whose value differs
// between YAML 1.1 (how Kubernetes decodes manifests) and YAML 1.2 (how most
// tools read them): `yes`, `on`, `0440` and the like must be quoted or written
// unambiguously.
import { readFileSync } from "node:fs";

// Returns the documents of `file` as plain values, or null after reporting.
export function lintYamlFile(YAML, file, report, label = file) {
  const text = readFileSync(file, "utf8");
  const failuresBefore = report.failures.length;
  layout(text, label, report);
  const options = { strict: true, uniqueKeys: true, prettyErrors: true };
  const docs12 = YAML.parseAllDocuments(text, { ...options, version: "1.2" });
  const docs11 = YAML.parseAllDocuments(text, { ...options, version: "1.1" });
  for (const doc of docs12) {
    for (const error of doc.errors) report.fail(label, `YAML: ${oneLine(error.message)}`);
    for (const warning of doc.warnings) report.fail(label, `YAML: ${oneLine(warning.message)}`);
  }
  if (report.failures.length > failuresBefore) return null;
  const values = docs12.map((doc) => doc.toJS()).filter((value) => value !== null);
  const values11 = docs11.map((doc) => doc.toJS()).filter((value) => value !== null);
  values.forEach((value, i) => compare11(value, values11[i], "", label, report));
  return values;
}

function layout(text, label, report) {
  if (text.includes("\r")) report.fail(label, "CR line endings");
  if (!text.endsWith("\n") || text.endsWith("\n\n")) report.fail(label, "must end with exactly one newline");
  text.split("\n").forEach((line, i) => {
    const where = `${label}:${i + 1}`;
    const indent = line.match(/^[ \t]*/)[0];
    if (indent.includes("\t")) report.fail(where, "tab in indentation");
    else if (line.trim() !== "" && indent.length % 2 !== 0) report.fail(where, "indentation is not a multiple of 2 spaces");
    if (/[ \t]$/.test(line)) report.fail(where, "trailing whitespace");
  });
}

function compare11(a, b, path, label, report) {
  if (a !== null && typeof a === "object") {
    if (b === null || typeof b !== "object") {
      report.fail(label, `${path || "/"} reads differently in YAML 1.1 (Kubernetes)`);
      return;
    }
    for (const key of Object.keys(a)) compare11(a[key], b[key], `${path}/${key}`, label, report);
    return;
  }
  if (a !== b) {
    report.fail(label, `${path} is ${JSON.stringify(a)} in YAML 1.2 but ${JSON.stringify(b)} in YAML 1.1, ` +
      "as Kubernetes reads it: quote it or write it unambiguously");
  }
}

function oneLine(message) {
  return message.split("\n")[0];
}
