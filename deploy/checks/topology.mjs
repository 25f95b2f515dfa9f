// Checks what connects the workloads: Services and their ports, disruption
// budgets, the PodMonitor, and the KafkaTopic's settings (the log is the
// truth: never compacted, never expired, three replicas, two in sync).
import { containerPort, hostPort, labelsMatch, workloads } from "./pods.mjs";

export function checkTopology(overlay, objects, processes, report) {
  const pods = workloads(objects);
  const selected = (matchLabels) => pods.filter(({ template }) => labelsMatch(matchLabels, template.metadata?.labels));

  for (const service of objects.filter((o) => o.kind === "Service")) {
    const where = `${overlay} Service/${service.metadata?.name}`;
    const matched = selected(service.spec?.selector);
    if (!matched.length) {
      report.fail(where, "its selector selects no pod of the manifests");
      continue;
    }
    for (const port of service.spec?.ports ?? []) {
      const target = port.targetPort ?? port.port;
      for (const { object, template } of matched) {
        const found = (template.spec?.containers ?? []).some((c) => containerPort(c, target) !== null);
        if (!found) report.fail(where, `port ${port.name ?? port.port}: ${object.kind}/${object.metadata?.name} has no containerPort ${target}`);
      }
    }
  }

  for (const budget of objects.filter((o) => o.kind === "PodDisruptionBudget")) {
    const where = `${overlay} PodDisruptionBudget/${budget.metadata?.name}`;
    const matched = selected(budget.spec?.selector?.matchLabels);
    if (!matched.length) report.fail(where, "its selector selects no pod of the manifests");
    for (const { object } of matched) {
      const replicas = object.spec?.replicas ?? 1;
      if (typeof budget.spec?.minAvailable === "number" && budget.spec.minAvailable >= replicas) {
        report.fail(where, `minAvailable ${budget.spec.minAvailable} with ${replicas} replicas of ${object.metadata?.name}: no node could ever be drained`);
      }
    }
  }

  for (const monitor of objects.filter((o) => o.kind === "PodMonitor")) {
    const where = `${overlay} PodMonitor/${monitor.metadata?.name}`;
    const matched = selected(monitor.spec?.selector?.matchLabels);
    if (!matched.length) report.fail(where, "its selector selects no pod of the manifests");
    for (const endpoint of monitor.spec?.podMetricsEndpoints ?? []) {
      if ((endpoint.path ?? "/metrics") !== "/metrics") report.fail(where, `path ${endpoint.path}: vanguard serves /metrics`);
      let scraped = 0;
      for (const { where: process, template, container, proc } of processes) {
        if (!matched.some((m) => m.template === template)) continue;
        const port = (container.ports ?? []).find((p) => p.name === endpoint.port);
        if (!port) continue;
        scraped++;
        const metrics = hostPort(proc.flag("metrics_listen"));
        if (!metrics || metrics.port !== port.containerPort) {
          report.fail(where, `port ${endpoint.port} of ${process} is ${port.containerPort}, not --metrics_listen (${proc.flag("metrics_listen") || "off"})`);
        }
      }
      if (!scraped) report.fail(where, `no selected pod has a port named ${endpoint.port}`);
    }
  }

  for (const topic of objects.filter((o) => o.kind === "KafkaTopic")) {
    const where = `${overlay} KafkaTopic/${topic.metadata?.name}`;
    const spec = topic.spec ?? {};
    const config = spec.config ?? {};
    if (!topic.metadata?.labels?.["strimzi.io/cluster"]) report.fail(where, "no strimzi.io/cluster label: no topic operator takes it");
    if (!(spec.replicas >= 3)) report.fail(where, `replicas ${spec.replicas}: the log wants 3`);
    const want = { "cleanup.policy": "delete", "retention.ms": "-1", "retention.bytes": "-1", "unclean.leader.election.enable": "false" };
    for (const [key, value] of Object.entries(want)) {
      if (String(config[key]) !== value) report.fail(where, `config ${key} is ${config[key]}, not ${value}: the log is never compacted, expired or truncated`);
    }
    const inSync = Number(config["min.insync.replicas"]);
    if (!(inSync >= 2 && inSync < spec.replicas)) {
      report.fail(where, `min.insync.replicas ${config["min.insync.replicas"]}: at least 2, and fewer than the replicas so one broker may be down`);
    }
  }
}
