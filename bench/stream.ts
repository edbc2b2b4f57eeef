/**
 * Streaming figures against a running test cluster (`npm run cluster:up`, then
 * `KUBECONFIG=... npx tsx --conditions kubex-source bench/stream.ts`):
 * - port-forward throughput: MiB/s of data echoed through `forward()` (kwok serves each
 *   port with `cat`, so every byte goes out and back through the apiserver and kwok);
 * - exec.run latency: wall time of `exec.run(["true"])`, p50/p95 over N runs.
 */
import { randomBytes } from "node:crypto";
import { Api, createClient } from "@kubex/runtime";
import { Namespace, Pod } from "@kubex/k8s-v1-36/core/v1";

const megabytes = Number(process.env.BENCH_MB ?? 64);
const execRuns = Number(process.env.BENCH_EXEC_RUNS ?? 50);

function drainOrClose(stream: import("node:stream").Duplex): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off("drain", done);
      stream.off("close", done);
      resolve();
    };
    stream.on("drain", done);
    stream.on("close", done);
  });
}

await using client = await createClient();
const namespaces = new Api(Namespace, { client });
const ns = `kubex-bench-${randomBytes(3).toString("hex")}`;
await namespaces.create({ metadata: { name: ns } });
const pods = new Api(Pod, { client, namespace: ns });
try {
  await pods.create(new Pod({ metadata: { name: "bench" }, spec: { containers: [{ name: "main", image: "busybox" }] } }));
  for (let i = 0; (await pods.get("bench")).status?.phase !== "Running"; i++) {
    if (i > 150) throw new Error("pod bench did not become Running");
    await new Promise((resolve) => setTimeout(resolve, 200));
  }

  // Port-forward throughput.
  const chunk = randomBytes(256 * 1024);
  const total = megabytes * 1024 * 1024;
  for (const round of ["warm-up", "measured"]) {
    const bytes = round === "warm-up" ? 8 * 1024 * 1024 : total;
    await using session = await pods.portforward.forward("bench", { ports: [9000] });
    const stream = session.stream(9000);
    const started = process.hrtime.bigint();
    const reading = (async () => {
      let received = 0;
      for await (const part of stream) {
        received += (part as Buffer).length;
        if (received >= bytes) return received;
      }
      return received;
    })();
    for (let sent = 0; sent < bytes; sent += chunk.length) {
      // Ending the read loop destroys the Duplex: wait for 'drain' or 'close', whichever comes.
      if (!stream.write(chunk)) await drainOrClose(stream);
    }
    const received = await reading;
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (round === "measured") {
      console.log(
        `port-forward: ${(received / 1024 / 1024).toFixed(0)} MiB echoed in ${seconds.toFixed(2)} s = ${(received / 1024 / 1024 / seconds).toFixed(1)} MiB/s each way`,
      );
    }
  }

  // exec.run latency.
  const times: number[] = [];
  for (let i = 0; i < execRuns + 3; i++) {
    const started = process.hrtime.bigint();
    const result = await pods.exec.run("bench", { command: ["true"], container: "main" });
    if (result.exitCode !== 0) throw new Error(`exec true gave ${result.exitCode}`);
    if (i >= 3) times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!.toFixed(1);
  console.log(`exec.run(["true"]): p50 ${at(0.5)} ms, p95 ${at(0.95)} ms, min ${times[0]!.toFixed(1)} ms over ${times.length} runs`);
} finally {
  await pods.deleteCollection({ gracePeriodSeconds: 0 }).catch(() => undefined);
  await namespaces.delete(ns).catch(() => undefined);
  await namespaces.finalize.replace(ns, { metadata: { name: ns }, spec: { finalizers: [] } }).catch(() => undefined);
}
