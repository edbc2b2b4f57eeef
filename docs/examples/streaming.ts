import { Api, createClient } from "@kubex/runtime";
import { Pod } from "@kubex/k8s-v1-37/core/v1";

// A running Pod: `npx tsx streaming.ts <pod> [namespace]`.
const [name = "web", namespace = "default"] = process.argv.slice(2);
await using client = await createClient();
const pods = new Api(Pod, { client, namespace });

// Logs: all at once, or line by line (follow: true, the default, keeps reading as the container writes).
const text = await pods.logs.get(name, { tailLines: 10 });
console.log(text);
for await (const line of pods.logs.stream(name, { follow: false, timestamps: true })) console.log(line);

// exec, run to completion: stdout, stderr and the exit code.
const result = await pods.exec.run(name, { command: ["sh", "-c", "echo out; echo err >&2; exit 3"] });
console.log(JSON.stringify(result.stdout), JSON.stringify(result.stderr), result.exitCode); // "out\n" "err\n" 3

// exec as a session: stdin is a Writable, stdout/stderr are async iterables of Buffer.
await using session = await pods.exec.stream(name, { command: ["head", "-n", "1"], stdin: true, stdout: true });
session.stdin.end("hello through stdin\n");
for await (const chunk of session.stdout) process.stdout.write(chunk);
console.log(`exit code ${(await session.wait()).exitCode}`);

// Port-forward: local listeners (local port 0 = any free port), one WebSocket per accepted connection.
await using listener = await pods.portforward.listen(name, { portMap: { 8080: 0 } });
console.log(`forwarding 127.0.0.1:${listener.ports[0]?.localPort} -> ${name}:8080`);
