/**
 * Type tests of the streaming accessors: `logs`, `exec`, `attach` and `portforward`
 * exist on a Pod's Api and nowhere else. Checked by `npx tsc -p tsconfig.json`.
 */
import type { Duplex } from "node:stream";
import {
  Api,
  type Client,
  type ExecResult,
  type PortForwardListener,
  type PortForwardSession,
  type StreamResult,
  type StreamSession,
} from "@kubex/runtime";
import { Deployment } from "@kubex/k8s-v1-37/apps/v1";
import { ConfigMap, Pod } from "@kubex/k8s-v1-37/core/v1";
import { Pod as Pod30 } from "@kubex/k8s-v1-30/core/v1";

declare const client: Client;

export async function podsHaveStreams(): Promise<void> {
  const pods = new Api(Pod, { client, namespace: "default" });
  const text: string = await pods.logs.get("p", { container: "c", tailLines: 10, sinceTime: new Date() });
  for await (const line of pods.logs.stream("p", { follow: true, signal: AbortSignal.timeout(1000) })) {
    const l: string = line;
    void l;
  }
  const result: ExecResult = await pods.exec.run("p", { command: ["ls"], stdin: "input", timeout: 5000 });
  const code: number | null = result.exitCode;
  await using session: StreamSession = await pods.exec.stream("p", { command: ["sh"], stdin: true, tty: true });
  await session.resize({ cols: 80, rows: 24 });
  for await (const chunk of session.stdout) {
    const b: Buffer = chunk;
    void b;
  }
  const done: StreamResult = await session.wait();
  await using attached = await pods.attach.stream("p", { container: "c" });
  const forward: PortForwardSession = await pods.portforward.forward("p", { ports: [80] });
  const duplex: Duplex = forward.stream(80);
  const listener: PortForwardListener = await pods.portforward.listen("p", { portMap: { 80: 8080 }, host: "127.0.0.1" });
  await listener.close();
  void [text, code, done, attached, duplex];

  // The 1.30 Pod has them too.
  await new Api(Pod30, { client }).exec.run("p", { command: ["ls"] });

  // @ts-expect-error command is required
  await pods.exec.run("p", {});
  // @ts-expect-error ports are numbers
  await pods.portforward.forward("p", { ports: ["80"] });
  // @ts-expect-error logs options are checked: tailLines is a number
  await pods.logs.get("p", { tailLines: "10" });
}

export function othersHaveNone(): void {
  const deployments = new Api(Deployment, { client });
  // @ts-expect-error Deployment has no /exec
  void deployments.exec;
  // @ts-expect-error Deployment has no /log
  void deployments.logs;
  // @ts-expect-error Deployment has no /attach
  void deployments.attach;
  // @ts-expect-error Deployment has no /portforward
  void deployments.portforward;
  const configMaps = new Api(ConfigMap, { client });
  // @ts-expect-error ConfigMap has no /log
  void configMaps.logs;
}
