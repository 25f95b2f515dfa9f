// Checks that each pod runs a vanguard the way the binary expects: its flags
// exist, its probes, ports and Prometheus annotations agree with --listen and
// --metrics_listen, its files are mounted, it can drain before it is killed,
// and it runs locked down.
import {
  containerEnv, containerPort, hostPort, isLoopback, isVanguardImage, labelsMatch, preStopSeconds,
  probeTarget, processOf, workloads,
} from "./pods.mjs";

const kServing = new Set(["serve", "command", "projector", "demo"]);

// Returns {probes: [{where, service, tls}], secrets: Set, processes: [...]} for
// the later checks; reports every problem.
export function checkPods(overlay, objects, binary, image, report) {
  const probes = [];
  const secrets = new Set();
  const unknownEnv = new Map(); // variable -> [where]
  const processes = [];
  for (const { object, template } of workloads(objects)) {
    const owner = `${overlay} ${object.kind}/${object.metadata?.name}`;
    const pod = template.spec ?? {};
    checkWorkload(owner, object, template, objects, report);
    checkPodSecurity(owner, pod, image, report);
    for (const volume of pod.volumes ?? []) {
      if (volume.secret?.secretName) secrets.add(volume.secret.secretName);
      for (const source of volume.projected?.sources ?? []) if (source.secret?.name) secrets.add(source.secret.name);
    }
    for (const container of [...(pod.initContainers ?? []), ...(pod.containers ?? [])]) {
      const where = `${owner} container ${container.name}`;
      checkContainerSecurity(where, container, report);
      if (!isVanguardImage(container.image)) continue;
      const env = containerEnv(container, objects, where, report);
      for (const entry of container.env ?? []) {
        if (entry.valueFrom?.secretKeyRef) secrets.add(entry.valueFrom.secretKeyRef.name);
      }
      const proc = processOf(container, env, binary, where, report);
      for (const name of proc.unknownEnv) unknownEnv.set(name, [...(unknownEnv.get(name) ?? []), object.metadata?.name]);
      const mounts = mountsOf(container, pod, object);
      checkLog(where, object, proc, objects, mounts, report);
      if (kServing.has(proc.subcommand)) {
        checkServing({ where, object, pod, container, env, proc, mounts, objects, probes, report });
      }
      processes.push({ where, object, template, container, proc });
    }
  }
  for (const [name, owners] of unknownEnv) {
    report.warn(`${overlay} ${name}`, `this vanguard has no --${name.slice(9).toLowerCase()}, so it ignores ` +
      `the variable (set for ${[...new Set(owners)].join(", ")})`);
  }
  return { probes, secrets, processes };
}

function checkWorkload(owner, object, template, objects, report) {
  const labels = template.metadata?.labels;
  const selector = object.spec?.selector;
  if (selector && !labelsMatch(selector.matchLabels, labels)) {
    report.fail(owner, "spec.selector.matchLabels does not select the pod template's labels");
  }
  for (const constraint of template.spec?.topologySpreadConstraints ?? []) {
    if (!labelsMatch(constraint.labelSelector?.matchLabels, labels)) {
      report.fail(owner, `topologySpreadConstraints (${constraint.topologyKey}) do not select the workload's own pods`);
    }
  }
  if (object.kind === "StatefulSet") {
    const service = objects.find((o) => o.kind === "Service" && o.metadata?.name === object.spec?.serviceName);
    if (!service || service.spec?.clusterIP !== "None") {
      report.fail(owner, `spec.serviceName ${object.spec?.serviceName} is not a headless Service of the manifests`);
    }
  }
  const account = template.spec?.serviceAccountName;
  if (account && !objects.some((o) => o.kind === "ServiceAccount" && o.metadata?.name === account)) {
    report.fail(owner, `serviceAccountName ${account} is not in the manifests`);
  }
}

function checkPodSecurity(owner, pod, image, report) {
  const context = pod.securityContext ?? {};
  const nonRoot = context.runAsNonRoot === true ||
    (pod.containers ?? []).every((c) => c.securityContext?.runAsNonRoot === true);
  if (!nonRoot) report.fail(owner, "securityContext.runAsNonRoot must be true");
  for (const user of [context.runAsUser, ...(pod.containers ?? []).map((c) => c.securityContext?.runAsUser)]) {
    if (user !== undefined && image.uid !== undefined && user !== image.uid) {
      report.fail(owner, `runAsUser ${user} is not the image's user ${image.uid} (deploy/Dockerfile)`);
    }
  }
  // Kubernetes puts <SERVICE>_PORT and the like into every container; a
  // Service named vanguard-… makes VANGUARD_* variables, which vanguard reads
  // as flags.
  if (pod.enableServiceLinks !== false) report.fail(owner, "enableServiceLinks must be false: service links make VANGUARD_* variables");
}

function checkContainerSecurity(where, container, report) {
  const context = container.securityContext ?? {};
  if (context.allowPrivilegeEscalation !== false) report.fail(where, "securityContext.allowPrivilegeEscalation must be false");
  if (context.readOnlyRootFilesystem !== true) report.fail(where, "securityContext.readOnlyRootFilesystem must be true");
  if (!(context.capabilities?.drop ?? []).includes("ALL")) report.fail(where, "securityContext.capabilities.drop must include ALL");
  for (const kind of ["requests", "limits"]) {
    for (const resource of ["cpu", "memory"]) {
      if (container.resources?.[kind]?.[resource] === undefined) report.fail(where, `resources.${kind}.${resource} is not set`);
    }
  }
}

// Mounts of the container with what backs them: [{path, readOnly, source, volume}].
function mountsOf(container, pod, object) {
  const claims = new Set((object.spec?.volumeClaimTemplates ?? []).map((c) => c.metadata?.name));
  return (container.volumeMounts ?? []).map((mount) => {
    const volume = (pod.volumes ?? []).find((v) => v.name === mount.name);
    let source = "missing";
    if (claims.has(mount.name)) source = "persistentVolumeClaim";
    else if (volume) source = Object.keys(volume).find((k) => k !== "name") ?? "missing";
    return { path: mount.mountPath, readOnly: mount.readOnly === true, source, volume, name: mount.name };
  });
}

function mountFor(mounts, path) {
  return mounts.filter((m) => path === m.path || path.startsWith(`${m.path.replace(/\/$/, "")}/`))
    .sort((a, b) => b.path.length - a.path.length)[0];
}

function checkWritable(where, what, path, mounts, report) {
  const mount = mountFor(mounts, path);
  if (!mount || mount.readOnly || !["emptyDir", "persistentVolumeClaim"].includes(mount.source)) {
    report.fail(where, `${what} ${path} is not on a writable volume (the root filesystem is read-only)`);
  }
  for (const m of mounts) if (m.source === "missing") report.fail(where, `volumeMount ${m.name} names no volume`);
}

function checkLog(where, object, proc, objects, mounts, report) {
  const log = proc.flag("log");
  if (log === "embedded") {
    checkWritable(where, "--data_dir", proc.flag("data_dir"), mounts, report);
    const replicas = object.spec?.replicas ?? 1;
    const single = object.kind === "StatefulSet" ||
      (object.kind === "Deployment" && object.spec?.strategy?.type === "Recreate") || object.kind === "CronJob";
    if (replicas !== 1 || !single) {
      report.fail(where, "the embedded log serves one process: one replica, never two at once (a StatefulSet, or a Recreate Deployment)");
    }
  } else if (log === "kafka") {
    if (!proc.flag("brokers")) report.fail(where, "--log kafka without --brokers");
    const topic = proc.flag("topic");
    const declared = objects.filter((o) => o.kind === "KafkaTopic");
    const mine = declared.find((o) => (o.spec?.topicName ?? o.metadata?.name) === topic);
    if (!mine && declared.length) report.fail(where, `topic ${topic} is not among the KafkaTopics declared`);
    if (!declared.length) report.warn(where, `no KafkaTopic in the manifests declares ${topic}`);
    if (mine && Number(mine.spec?.partitions) !== Number(proc.flag("partitions"))) {
      report.fail(where, `--partitions ${proc.flag("partitions")} but KafkaTopic ${mine.metadata.name} has ` +
        `${mine.spec?.partitions}: the process refuses a topic with another count`);
    }
    const cluster = mine?.metadata?.labels?.["strimzi.io/cluster"];
    if (cluster && !String(proc.flag("brokers")).split(",").every((b) => b.startsWith(`${cluster}-kafka-bootstrap`))) {
      report.warn(where, `--brokers ${proc.flag("brokers")} is not the bootstrap Service of Strimzi cluster ${cluster}`);
    }
  } else {
    report.fail(where, `--log ${log}: neither embedded nor kafka`);
  }
}

function checkServing({ where, object, pod, container, env, proc, mounts, objects, probes, report }) {
  const listen = hostPort(proc.flag("listen"));
  if (!listen || listen.port === 0) {
    report.fail(where, `--listen ${proc.flag("listen")} is not host:port with a fixed port`);
    return;
  }
  if (isLoopback(listen.host)) report.fail(where, `--listen ${proc.flag("listen")} is loopback: nothing outside the pod reaches it`);
  if (containerPort(container, listen.port) === null) report.fail(where, `no containerPort ${listen.port} (--listen)`);
  const tls = Boolean(proc.flag("tls_cert"));
  if (!isLoopback(listen.host) && !(tls && proc.flag("tls_key"))) {
    report.fail(where, "no --tls_cert/--tls_key: the binary refuses plaintext off loopback");
  }

  checkProbes(where, container, listen.port, tls, proc, probes, report);

  const metricsListen = proc.flag("metrics_listen");
  const annotations = object.kind === "CronJob" ? {} : (object.spec?.template?.metadata?.annotations ?? {});
  const metrics = metricsListen ? hostPort(metricsListen) : null;
  if (metricsListen && (!metrics || metrics.port === 0)) report.fail(where, `--metrics_listen ${metricsListen} is not host:port with a fixed port`);
  if (metrics) {
    if (isLoopback(metrics.host)) report.fail(where, `--metrics_listen ${metricsListen} is loopback: Prometheus cannot scrape it`);
    if (containerPort(container, metrics.port) === null) report.fail(where, `no containerPort ${metrics.port} (--metrics_listen)`);
  }
  if (annotations["prometheus.io/scrape"] === "true") {
    if (!metrics) report.fail(where, "prometheus.io/scrape is true but --metrics_listen is off");
    else if (Number(annotations["prometheus.io/port"]) !== metrics.port) {
      report.fail(where, `prometheus.io/port ${annotations["prometheus.io/port"]} is not --metrics_listen's port ${metrics.port}`);
    }
    if ((annotations["prometheus.io/path"] ?? "/metrics") !== "/metrics") report.fail(where, "prometheus.io/path must be /metrics");
  }

  if (!proc.flag("tokens_file")) report.fail(where, "no --tokens_file: the process refuses to start without one");
  for (const name of ["tokens_file", "tls_cert", "tls_key", "tls_client_ca"]) {
    const path = proc.flag(name);
    if (!path) continue;
    const mount = mountFor(mounts, path);
    if (!mount || !["secret", "projected", "configMap"].includes(mount.source)) {
      report.fail(where, `--${name} ${path} is not in a mounted Secret`);
      continue;
    }
    const items = mount.volume?.secret?.items;
    const file = path.slice(mount.path.replace(/\/$/, "").length + 1);
    if (items && !items.some((item) => item.path === file)) report.fail(where, `--${name}: the Secret volume ${mount.name} has no item ${file}`);
  }
  checkWritable(where, "--data_dir", proc.flag("data_dir"), mounts, report);
  if (proc.flag("views_dir")) checkWritable(where, "--views_dir", proc.flag("views_dir"), mounts, report);

  // SIGTERM comes after preStop; then the process drains for up to
  // --drain_seconds and closes its stores. The kubelet kills it at the end of
  // the grace period, which counts from the start of preStop.
  const grace = pod.terminationGracePeriodSeconds ?? 30;
  const sleep = preStopSeconds(container);
  const drain = proc.flag("drain_seconds");
  if (Number.isNaN(sleep)) report.fail(where, "preStop is neither `sleep N` nor a sleep action; cannot tell its length");
  if (drain === undefined || drain === "") {
    report.fail(where, "neither the manifests nor this vanguard give a drain period (--drain_seconds)");
  } else if (!(grace > Number(drain) + sleep)) {
    report.fail(where, `terminationGracePeriodSeconds ${grace} is not more than --drain_seconds ${drain} + preStop ${sleep}`);
  }

  const endpoint = proc.flag("endpoint");
  const kafka = proc.flag("log") === "kafka";
  if (!endpoint) {
    if (kafka && proc.subcommand !== "projector") {
      report.fail(where, `no --endpoint: partition claims would name ${proc.flag("listen")}, where other pods cannot reach it`);
    }
  } else {
    checkEndpoint(where, endpoint, listen.port, object, pod, objects, report);
  }
  if (proc.subcommand === "command" && kafka) {
    const id = proc.flag("instance_id");
    if (!id || !id.includes("⟨metadata.name⟩")) {
      report.fail(where, `--instance_id ${id || "(empty)"}: static group membership needs each pod's own name (the downward API's metadata.name)`);
    }
  }
}

function checkProbes(where, container, port, tls, proc, probes, report) {
  const kinds = { livenessProbe: "liveness", readinessProbe: "", startupProbe: null };
  for (const [key, expected] of Object.entries(kinds)) {
    const probe = container[key];
    const target = probeTarget(probe);
    if (!target) {
      if (key !== "startupProbe") report.fail(where, `no ${key}`);
      continue;
    }
    const at = `${where} ${key}`;
    if (target.kind === "vanguard-health") {
      if (target.port !== port) report.fail(at, `vanguard-health asks port ${target.port}, but --listen is port ${port}`);
      if ((probe.timeoutSeconds ?? 1) < 5) report.fail(at, "timeoutSeconds below 5: vanguard-health waits up to 4 s for the answer");
      if (tls && proc.fromCommandLine("tls_cert")) {
        report.fail(at, "TLS is set on the command line, where vanguard-health cannot see it: set VANGUARD_TLS_CERT");
      }
      probes.push({ where: at, service: target.service, tls });
    } else if (target.kind === "grpc") {
      if (containerPort(container, target.port) !== port) report.fail(at, `gRPC probe on port ${target.port}, but --listen is port ${port}`);
      if (tls && target.mode !== "TLS") {
        report.fail(at, "the kubelet's gRPC probe dials plaintext and this process serves TLS: use vanguard-health (exec)");
      }
    } else if (target.kind === "httpGet" || target.kind === "tcpSocket") {
      if (containerPort(container, target.port) === null) report.fail(at, `port ${target.port} is not a containerPort`);
      continue;
    } else {
      report.warn(at, `cannot check the exec probe ${JSON.stringify(target.command)}`);
      continue;
    }
    // `liveness` answers SERVING while the process runs; "" only while it is
    // ready, and NOT_SERVING while it catches up or drains, which must not
    // get the pod killed.
    if (expected !== null && target.service !== expected) {
      report.fail(at, `asks the health service "${target.service}"; a ${key} asks "${expected}"`);
    }
    if (!["", "liveness"].includes(target.service)) report.fail(at, `unknown health service "${target.service}"`);
  }
}

// An endpoint of the form $(POD_NAME).SERVICE.$(POD_NAMESPACE).svc:PORT
// resolves only when SERVICE is headless, selects the pod, and the pod is
// given that subdomain.
function checkEndpoint(where, endpoint, port, object, pod, objects, report) {
  const m = endpoint.match(/^⟨metadata\.name⟩\.([a-z0-9-]+)\.⟨metadata\.namespace⟩\.svc(?:\.cluster\.local)?:(\d+)$/);
  if (!m) {
    report.warn(where, `cannot check --endpoint ${endpoint}`);
    return;
  }
  const [, serviceName, endpointPort] = m;
  if (Number(endpointPort) !== port) report.fail(where, `--endpoint port ${endpointPort} is not --listen's port ${port}`);
  const service = objects.find((o) => o.kind === "Service" && o.metadata?.name === serviceName);
  const labels = object.spec?.template?.metadata?.labels;
  if (!service || service.spec?.clusterIP !== "None" || !labelsMatch(service.spec?.selector, labels)) {
    report.fail(where, `--endpoint names ${serviceName}, which is not a headless Service selecting this pod`);
  }
  const subdomain = object.kind === "StatefulSet" ? object.spec?.serviceName : pod.subdomain;
  if (subdomain !== serviceName) {
    report.fail(where, `--endpoint names ${serviceName}, but the pod's DNS subdomain is ${subdomain ?? "unset"}`);
  }
}
