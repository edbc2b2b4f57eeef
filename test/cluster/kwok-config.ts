import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * What the fake node serves through the apiserver (pods/log, exec, attach, portforward).
 * Paths are absolute and live under `<runDir>/kwok/`.
 */
export interface KwokServes {
  configFile: string;
  /** pods/log of any container (except `stream`): fixed CRI-format lines, never appended to. */
  logsFile: string;
  /** pods/log?previous=true of any container. */
  previousLogsFile: string;
  /** pods/log of a container named `stream`: tests may append CRI lines to follow them. */
  streamLogsFile: string;
  /** attach of any container: shows lines appended to this file after attaching. */
  attachFile: string;
  /** exec runs the command on the host, with this working directory and KUBEX_KWOK_EXEC=1. */
  execWorkDir: string;
  /** The lines logsFile holds, in order, with their stream. */
  logLines: { stream: "stdout" | "stderr"; text: string }[];
}

/** Name of the container whose logs come from streamLogsFile. */
export const streamContainerName = "stream";

/** A line in the CRI log format the kubelet's log reader (and kwok's) expects. */
export function criLogLine(stream: "stdout" | "stderr", text: string, at = new Date()): string {
  return `${at.toISOString().replace("Z", "000000Z")} ${stream} F ${text}\n`;
}

const nodeStatus = `{{ $now := Now }}
conditions:
- type: Ready
  status: "True"
  reason: KubeletReady
  message: kwok fake kubelet is posting ready status
  lastHeartbeatTime: {{ $now | Quote }}
  lastTransitionTime: {{ $now | Quote }}
- type: MemoryPressure
  status: "False"
  reason: KubeletHasSufficientMemory
  message: fake node
  lastHeartbeatTime: {{ $now | Quote }}
  lastTransitionTime: {{ $now | Quote }}
- type: DiskPressure
  status: "False"
  reason: KubeletHasNoDiskPressure
  message: fake node
  lastHeartbeatTime: {{ $now | Quote }}
  lastTransitionTime: {{ $now | Quote }}
- type: PIDPressure
  status: "False"
  reason: KubeletHasSufficientPID
  message: fake node
  lastHeartbeatTime: {{ $now | Quote }}
  lastTransitionTime: {{ $now | Quote }}
addresses:
- type: InternalIP
  address: {{ NodeIP | Quote }}
- type: Hostname
  address: {{ NodeName | Quote }}
daemonEndpoints:
  kubeletEndpoint:
    Port: {{ NodePort }}
capacity:
  cpu: "32"
  memory: 256Gi
  pods: "1000"
allocatable:
  cpu: "32"
  memory: 256Gi
  pods: "1000"
nodeInfo:
  architecture: amd64
  operatingSystem: linux
  osImage: kwok
  kernelVersion: {{ printf "kwok-%s" Version | Quote }}
  kubeletVersion: {{ printf "kwok-%s" Version | Quote }}
  kubeProxyVersion: {{ printf "kwok-%s" Version | Quote }}
  containerRuntimeVersion: {{ printf "kwok-%s" Version | Quote }}
  bootID: ""
  machineID: ""
  systemUUID: ""
phase: Running
`;

const podRunningStatus = `{{ $now := Now }}
conditions:
- type: PodReadyToStartContainers
  status: "True"
  lastTransitionTime: {{ $now | Quote }}
- type: Initialized
  status: "True"
  lastTransitionTime: {{ $now | Quote }}
- type: Ready
  status: "True"
  lastTransitionTime: {{ $now | Quote }}
- type: ContainersReady
  status: "True"
  lastTransitionTime: {{ $now | Quote }}
- type: PodScheduled
  status: "True"
  lastTransitionTime: {{ $now | Quote }}
containerStatuses:
{{ range .spec.containers }}
- name: {{ .name | Quote }}
  image: {{ .image | Quote }}
  imageID: {{ printf "kwok://%s" .image | Quote }}
  containerID: {{ printf "kwok://%s" .name | Quote }}
  ready: true
  started: true
  restartCount: 0
  state:
    running:
      startedAt: {{ $now | Quote }}
{{ end }}
initContainerStatuses:
{{ range .spec.initContainers }}
- name: {{ .name | Quote }}
  image: {{ .image | Quote }}
  imageID: {{ printf "kwok://%s" .image | Quote }}
  containerID: {{ printf "kwok://%s" .name | Quote }}
  ready: true
  restartCount: 0
  state:
    terminated:
      exitCode: 0
      reason: Completed
      startedAt: {{ $now | Quote }}
      finishedAt: {{ $now | Quote }}
{{ end }}
hostIP: {{ NodeIPWith .spec.nodeName | Quote }}
hostIPs:
- ip: {{ NodeIPWith .spec.nodeName | Quote }}
podIP: {{ PodIPWith .spec.nodeName ( or .spec.hostNetwork false ) ( or .metadata.uid "" ) ( or .metadata.name "" ) ( or .metadata.namespace "" ) | Quote }}
phase: Running
startTime: {{ $now | Quote }}
`;

function stage(name: string, kind: "Node" | "Pod", matchExpressions: object[], next: object): object {
  return {
    apiVersion: "kwok.x-k8s.io/v1alpha1",
    kind: "Stage",
    metadata: { name },
    spec: { resourceRef: { apiGroup: "v1", kind }, selector: { matchExpressions }, next },
  };
}

/** Writes kwok's --config (Stages plus the cluster-wide logs/exec/attach/port-forward rules). */
export function writeKwokConfig(runDir: string, startedAt: Date): KwokServes {
  const dir = join(runDir, "kwok");
  const execWorkDir = join(dir, "exec");
  mkdirSync(execWorkDir, { recursive: true });
  const logLines: KwokServes["logLines"] = [
    { stream: "stdout", text: "kubex fake container: line 1" },
    { stream: "stdout", text: "kubex fake container: line 2" },
    { stream: "stderr", text: "kubex fake container: line 3 (stderr)" },
  ];
  const serves: KwokServes = {
    configFile: join(dir, "kwok.yaml"),
    logsFile: join(dir, "container.log"),
    previousLogsFile: join(dir, "previous.log"),
    streamLogsFile: join(dir, "stream.log"),
    attachFile: join(dir, "attach.log"),
    execWorkDir,
    logLines,
  };
  writeFileSync(serves.logsFile, logLines.map((l) => criLogLine(l.stream, l.text, startedAt)).join(""));
  writeFileSync(serves.previousLogsFile, criLogLine("stdout", "kubex fake container: previous instance", startedAt));
  writeFileSync(serves.streamLogsFile, "");
  writeFileSync(serves.attachFile, "");

  const notReady = { key: '.status.conditions.[] | select( .type == "Ready" ) | .status', operator: "NotIn", values: ["True"] };
  const documents: object[] = [
    stage("node-ready", "Node", [notReady], { statusTemplate: nodeStatus }),
    stage(
      "pod-running",
      "Pod",
      [
        { key: ".metadata.deletionTimestamp", operator: "DoesNotExist" },
        { key: ".status.phase", operator: "In", values: ["Pending"] },
      ],
      { statusTemplate: podRunningStatus },
    ),
    // No kubelet confirms termination, so a pod marked for deletion is removed at once.
    stage("pod-delete", "Pod", [{ key: ".metadata.deletionTimestamp", operator: "Exists" }], { delete: true }),
    {
      apiVersion: "kwok.x-k8s.io/v1alpha1",
      kind: "ClusterLogs",
      metadata: { name: "kubex-logs" },
      spec: {
        logs: [
          { containers: [streamContainerName], logsFile: serves.streamLogsFile, follow: true },
          { logsFile: serves.logsFile, previousLogsFile: serves.previousLogsFile, follow: true },
        ],
      },
    },
    {
      apiVersion: "kwok.x-k8s.io/v1alpha1",
      kind: "ClusterAttach",
      metadata: { name: "kubex-attach" },
      spec: { attaches: [{ logsFile: serves.attachFile }] },
    },
    {
      apiVersion: "kwok.x-k8s.io/v1alpha1",
      kind: "ClusterExec",
      metadata: { name: "kubex-exec" },
      spec: { execs: [{ local: { workDir: execWorkDir, envs: [{ name: "KUBEX_KWOK_EXEC", value: "1" }] } }] },
    },
    {
      apiVersion: "kwok.x-k8s.io/v1alpha1",
      kind: "ClusterPortForward",
      metadata: { name: "kubex-port-forward" },
      // Every port of every pod echoes what it receives.
      spec: { forwards: [{ command: ["cat"] }] },
    },
  ];
  // JSON documents are valid YAML; kwok reads a multi-document file.
  writeFileSync(serves.configFile, documents.map((d) => JSON.stringify(d, null, 2)).join("\n---\n") + "\n");
  return serves;
}
