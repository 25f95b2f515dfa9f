// Renders a kustomize overlay two ways: with `kubectl kustomize` where kubectl
// is installed, and with the small reader below, which knows only the part of
// kustomize these overlays use (resources, namespace, configMapGenerator with
// literals, images). Where both run they must agree, so the reader is proven
// on every machine with kubectl, and a machine without kubectl (Debian has no
// package for it) still checks the same objects.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const kSupported = new Set(["apiVersion", "kind", "resources", "namespace", "configMapGenerator", "images"]);
const kSupportedGenerator = new Set(["name", "behavior", "literals", "options"]);

// kubectl's rendering as plain objects, or null when kubectl is absent.
export function renderWithKubectl(YAML, kubectl, dir) {
  const text = execFileSync(kubectl, ["kustomize", dir], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  return YAML.parseAllDocuments(text).map((doc) => doc.toJS()).filter((value) => value !== null);
}

export function kubectlAvailable(kubectl) {
  try {
    execFileSync(kubectl, ["version", "--client"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

// The reader: returns {objects} or {unsupported: "why"}. Generated ConfigMaps
// keep their plain names; kubectl adds a content hash (compare with `unhash`).
export function renderOwn(YAML, dir, root) {
  const file = ["kustomization.yaml", "kustomization.yml", "Kustomization"].map((name) => join(dir, name))
    .find((path) => existsSync(path));
  if (!file) return { unsupported: `${relative(root, dir)} has no kustomization.yaml` };
  const k = YAML.parse(readFileSync(file, "utf8"));
  const unknown = Object.keys(k).filter((key) => !kSupported.has(key));
  if (unknown.length) return { unsupported: `${relative(root, file)} uses ${unknown.join(", ")}` };

  const objects = [];
  for (const resource of k.resources ?? []) {
    const path = join(dir, resource);
    if (statSync(path).isDirectory()) {
      const base = renderOwn(YAML, path, root);
      if (base.unsupported) return base;
      objects.push(...base.objects);
    } else {
      const docs = YAML.parseAllDocuments(readFileSync(path, "utf8"));
      objects.push(...docs.map((doc) => doc.toJS()).filter((value) => value !== null));
    }
  }

  for (const generator of k.configMapGenerator ?? []) {
    const extra = Object.keys(generator).filter((key) => !kSupportedGenerator.has(key));
    const extraOptions = Object.keys(generator.options ?? {}).filter((key) => !["labels", "annotations"].includes(key));
    if (extra.length || extraOptions.length) {
      return { unsupported: `${relative(root, file)}: configMapGenerator ${generator.name} uses ${[...extra, ...extraOptions].join(", ")}` };
    }
    const data = Object.fromEntries((generator.literals ?? []).map(literal));
    const existing = objects.find((o) => o.kind === "ConfigMap" && o.metadata?.name === generator.name && o.__generated);
    const behavior = generator.behavior ?? "create";
    if (behavior === "create") {
      const metadata = { name: generator.name };
      if (generator.options?.labels) metadata.labels = { ...generator.options.labels };
      if (generator.options?.annotations) metadata.annotations = { ...generator.options.annotations };
      const made = { apiVersion: "v1", kind: "ConfigMap", metadata, data };
      Object.defineProperty(made, "__generated", { value: true });
      objects.push(made);
    } else if (existing && (behavior === "merge" || behavior === "replace")) {
      existing.data = behavior === "merge" ? { ...existing.data, ...data } : data;
      if (generator.options?.labels) existing.metadata.labels = { ...existing.metadata.labels, ...generator.options.labels };
    } else {
      return { unsupported: `${relative(root, file)}: configMapGenerator ${generator.name}: behavior ${behavior} without a ConfigMap to ${behavior}` };
    }
  }

  if (k.namespace) for (const object of objects) object.metadata = { ...object.metadata, namespace: k.namespace };

  for (const image of k.images ?? []) {
    for (const container of containersOf(objects)) {
      const { name, rest } = splitImage(container.image);
      if (name !== image.name) continue;
      let result = image.newName ?? name;
      if (image.digest) result += `@${image.digest}`;
      else if (image.newTag) result += `:${image.newTag}`;
      else result += rest;
      container.image = result;
    }
  }
  return { objects };
}

// kubectl's names of generated ConfigMaps carry a hash suffix; replaces every
// string equal to such a name with the plain name, for comparing.
export function unhash(objects, own) {
  const generated = own.filter((o) => o.kind === "ConfigMap").map((o) => o.metadata.name);
  const renames = new Map();
  for (const o of objects) {
    if (o.kind !== "ConfigMap") continue;
    const plain = generated.find((name) => new RegExp(`^${escape(name)}-[a-z0-9]{10}$`).test(o.metadata.name));
    if (plain) renames.set(o.metadata.name, plain);
  }
  const walk = (value) => {
    if (typeof value === "string") return renames.get(value) ?? value;
    if (Array.isArray(value)) return value.map(walk);
    if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v)]));
    return value;
  };
  return objects.map(walk);
}

// The first difference between two renderings, or null.
export function firstDifference(a, b) {
  const key = (o) => `${o.apiVersion} ${o.kind} ${o.metadata?.namespace ?? ""}/${o.metadata?.name}`;
  const mapA = new Map(a.map((o) => [key(o), o]));
  const mapB = new Map(b.map((o) => [key(o), o]));
  for (const k of mapA.keys()) if (!mapB.has(k)) return `${k} only in kubectl's rendering`;
  for (const k of mapB.keys()) if (!mapA.has(k)) return `${k} only in deploy/check's rendering`;
  for (const [k, o] of mapA) {
    const path = diffPath(o, mapB.get(k), "");
    if (path !== null) return `${k} differs at ${path || "/"}`;
  }
  return null;
}

export function containersOf(objects) {
  const out = [];
  for (const o of objects) {
    const spec = podTemplateOf(o)?.spec;
    if (spec) out.push(...(spec.initContainers ?? []), ...(spec.containers ?? []));
  }
  return out;
}

export function podTemplateOf(o) {
  if (["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"].includes(o.kind)) return o.spec?.template;
  if (o.kind === "CronJob") return o.spec?.jobTemplate?.spec?.template;
  return undefined;
}

function diffPath(a, b, path) {
  if (a === b) return null;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== "object" || Array.isArray(a) !== Array.isArray(b)) return path;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) {
    const found = diffPath(a[k], b[k], `${path}/${k}`);
    if (found !== null) return found;
  }
  return null;
}

function literal(text) {
  const at = text.indexOf("=");
  let value = text.slice(at + 1);
  if (/^(".*"|'.*')$/.test(value)) value = value.slice(1, -1);
  return [text.slice(0, at), value];
}

function splitImage(image) {
  const at = image.search(/[@]|:(?=[^/]*$)/);
  return at < 0 ? { name: image, rest: "" } : { name: image.slice(0, at), rest: image.slice(at) };
}

function escape(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
