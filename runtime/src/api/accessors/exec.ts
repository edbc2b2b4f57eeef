/**
 * `exec`: runs a command in a Pod's container over a WebSocket (`v5.channel.k8s.io`,
 * falling back to `v4.channel.k8s.io`). `run` collects the output; `stream` hands out
 * a session with stdin, stdout, stderr, resize and the exit status.
 */
import type { Readable } from "node:stream";
import { InvalidRequest, KubexClientError, RequestAborted } from "../../errors.js";
import type { HasExec } from "../../model/markers.js";
import type { Status } from "../../model/meta.js";
import type { KubernetesObject } from "../../model/resource.js";
import { callPart } from "../../request/call.js";
import type { ObjectCallOptions } from "../../request/options.js";
import { execQuery } from "../../request/streaming.js";
import type { StreamSession } from "../../stream/session.js";
import { Deadline, effectiveTimeout } from "../../transport/deadline.js";
import type { ApiContext } from "../context.js";
import { defineAccessor } from "./registry.js";
import { openStdioSession, podTarget, type StdioOptions } from "./streaming.js";

export interface ExecStreamOptions extends StdioOptions {
  /** The program and its arguments (no shell unless you run one: `["sh", "-c", "..."]`). */
  command: readonly string[];
}

export interface ExecRunOptions extends ObjectCallOptions {
  command: readonly string[];
  container?: string;
  /** Sent to the command's stdin, which is then closed. */
  stdin?: string | Uint8Array | Readable | AsyncIterable<Uint8Array | string>;
  /** Collect stdout (default true). `false`: the server is not asked for it (`stdout=false`) and `stdout` is `""`. */
  stdout?: boolean;
  /** Collect stderr (default true). `false`: the server is not asked for it (`stderr=false`) and `stderr` is `""`. */
  stderr?: boolean;
  /** WebSocket subprotocols to offer; see `StdioOptions.protocols`. */
  protocols?: readonly string[];
}

export interface ExecResult {
  /** stdout decoded as UTF-8 (`raw.stdout` has the bytes). */
  stdout: string;
  stderr: string;
  /** 0 on success, the command's exit code, 1 for a failure that has none (read `status.message`); `null` only when the server reported no status. */
  exitCode: number | null;
  /** The `Status` the server sent when the command ended (its `message` explains failures to start). */
  status: Status | undefined;
  raw: { stdout: Buffer; stderr: Buffer };
}

export class ExecAccessor {
  readonly #context: ApiContext<KubernetesObject>;

  constructor(context: ApiContext<KubernetesObject>) {
    this.#context = context;
  }

  /**
   * Opens an exec session. `timeout` bounds the opening; `signal` also ends the session
   * later. Close it with `await using` or `close()`.
   */
  async stream(name: string, options: ExecStreamOptions): Promise<StreamSession> {
    const what = `${this.#context.resource.kind} exec`;
    if (options === undefined || options === null) throw new InvalidRequest(`${what}: options with a command are required`);
    return openStdioSession(this.#context, "exec", name, options, execQuery(what, options));
  }

  /**
   * Runs `command` to the end and returns its output and exit code. `timeout` bounds the
   * whole call (opening, running, collecting); a command that cannot start gives
   * a non-zero `exitCode` and the server's `status.message`.
   */
  async run(name: string, options: ExecRunOptions): Promise<ExecResult> {
    const what = `${this.#context.resource.kind} exec`;
    if (options === undefined || options === null) throw new InvalidRequest(`${what}: options with a command are required`);
    const call = callPart(options, what);
    const label = `exec ${podTarget(this.#context, name, options.namespace, "exec").label}`;
    const deadline = new Deadline(call.signal, effectiveTimeout(call.timeout));
    try {
      const session = await this.stream(name, {
        command: options.command,
        stdin: options.stdin !== undefined,
        ...(options.stdout !== undefined ? { stdout: options.stdout } : {}),
        ...(options.stderr !== undefined ? { stderr: options.stderr } : {}),
        ...(options.protocols !== undefined ? { protocols: options.protocols } : {}),
        ...(options.container !== undefined ? { container: options.container } : {}),
        ...(options.namespace !== undefined ? { namespace: options.namespace } : {}),
        signal: deadline.signal,
      });
      try {
        return await collect(session, options.stdin);
      } finally {
        session.close();
      }
    } catch (error) {
      throw explainAbort(deadline, error, label);
    } finally {
      deadline.dispose();
    }
  }
}

/** Drains stdout and stderr, feeds stdin, and waits for the status. */
async function collect(session: StreamSession, stdin: ExecRunOptions["stdin"]): Promise<ExecResult> {
  const drain = async (source: AsyncIterable<Buffer>): Promise<Buffer> => {
    const chunks: Buffer[] = [];
    for await (const chunk of source) chunks.push(chunk);
    return Buffer.concat(chunks);
  };
  const feed = async (): Promise<void> => {
    if (stdin === undefined) return;
    if (typeof stdin === "string" || stdin instanceof Uint8Array) await session.write(stdin);
    else for await (const chunk of stdin) await session.write(chunk);
    await session.closeStdin();
  };
  const feeding = feed();
  // A command may exit without reading its stdin; a failed write then does not matter.
  feeding.catch(() => undefined);
  const [stdout, stderr, result] = await Promise.all([drain(session.stdout), drain(session.stderr), session.wait()]);
  return {
    stdout: stdout.toString("utf8"),
    stderr: stderr.toString("utf8"),
    exitCode: result.exitCode,
    status: result.status,
    raw: { stdout, stderr },
  };
}

/** Turns whatever an abort of the whole call caused into a `RequestAborted` that says why. */
function explainAbort(deadline: Deadline, error: unknown, label: string): unknown {
  if (!deadline.aborted) return error;
  if (deadline.timedOut) return new RequestAborted(`${label}: took longer than the timeout of ${deadline.timeoutMs} ms`, { cause: error });
  if (error instanceof RequestAborted) return error;
  if (error instanceof KubexClientError || !(error instanceof Error)) return new RequestAborted(`${label}: aborted`, { cause: error });
  return error;
}

export const exec = defineAccessor({
  property: "exec",
  subresource: "exec",
  create: (context) => new ExecAccessor(context),
});

declare module "./registry.js" {
  interface AccessorTypes<T extends KubernetesObject> {
    exec: { marker: HasExec; accessor: ExecAccessor };
  }
}
