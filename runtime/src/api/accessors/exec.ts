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
import type { ObjectCallOptions } from "../../request/options.js";
import { resourcePath } from "../../request/paths.js";
import { validateName } from "../../request/validate.js";
import { openStreamSession } from "../../stream/open.js";
import { execQuery } from "../../stream/request.js";
import type { StreamSession } from "../../stream/session.js";
import type { ApiContext } from "../context.js";
import { defineAccessor } from "./registry.js";

export interface ExecStreamOptions extends ObjectCallOptions {
  /** The program and its arguments (no shell unless you run one: `["sh", "-c", "..."]`). */
  command: readonly string[];
  /** Container name; the Pod's only (or default) container when unset. */
  container?: string;
  /** Open stdin (default false). */
  stdin?: boolean;
  /** Open stdout (default true). */
  stdout?: boolean;
  /** Open stderr (default true; always off with `tty`, the terminal merges it into stdout). */
  stderr?: boolean;
  /** Allocate a terminal (default false). */
  tty?: boolean;
  /** Bytes a channel holds unread before reading from the socket pauses (default 1 MiB). */
  highWaterMark?: number;
  /** Bytes a channel holds at most when it must keep reading; beyond that output is dropped and `truncated` set (default 64 MiB). */
  maxBuffered?: number;
}

export interface ExecRunOptions extends ObjectCallOptions {
  command: readonly string[];
  container?: string;
  /** Sent to the command's stdin, which is then closed. */
  stdin?: string | Uint8Array | Readable | AsyncIterable<Uint8Array | string>;
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
    const query = execQuery(what, options);
    const target = this.#target(name, options.namespace);
    const request = { path: target.path, query, description: `exec ${target.label}`, ...callPart(options) };
    const sessionOptions = {
      stdin: options.stdin ?? false,
      stdout: options.stdout ?? true,
      stderr: options.stderr ?? true,
      tty: options.tty ?? false,
      ...(options.highWaterMark !== undefined ? { highWaterMark: options.highWaterMark } : {}),
      ...(options.maxBuffered !== undefined ? { maxBuffered: options.maxBuffered } : {}),
    };
    return openStreamSession(this.#context.client.config, request, sessionOptions);
  }

  /**
   * Runs `command` to the end and returns its output and exit code. `timeout` bounds the
   * whole call (opening, running, collecting); a command that cannot start gives
   * a non-zero `exitCode` and the server's `status.message`.
   */
  async run(name: string, options: ExecRunOptions): Promise<ExecResult> {
    const what = `${this.#context.resource.kind} exec`;
    if (options === undefined || options === null) throw new InvalidRequest(`${what}: options with a command are required`);
    const deadline = new CallDeadline(options.signal, options.timeout);
    try {
      const session = await this.stream(name, {
        command: options.command,
        stdin: options.stdin !== undefined,
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
      throw deadline.explain(error, `exec ${this.#target(name, options.namespace).label}`);
    } finally {
      deadline.dispose();
    }
  }

  #target(name: string, namespace: string | undefined): { path: string; label: string } {
    validateName(this.#context.resource, name);
    const ns = this.#context.objectNamespace(namespace);
    return {
      path: resourcePath(this.#context.resource, { namespace: ns, name, subresource: "exec" }),
      label: ns !== undefined ? `${ns}/${name}` : name,
    };
  }
}

/** Drains stdout and stderr, feeds stdin, and waits for the status. */
export async function collect(session: StreamSession, stdin: ExecRunOptions["stdin"]): Promise<ExecResult> {
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
  return { stdout: stdout.toString("utf8"), stderr: stderr.toString("utf8"), exitCode: result.exitCode, status: result.status, raw: { stdout, stderr } };
}

/** The caller's signal plus a wall-clock bound on the whole call. */
export class CallDeadline {
  readonly signal: AbortSignal;
  readonly #controller = new AbortController();
  readonly #timer: NodeJS.Timeout | undefined;
  readonly #given: AbortSignal | undefined;
  readonly #onAbort: () => void;
  readonly #timeout: number | undefined;
  #timedOut = false;

  constructor(signal: AbortSignal | undefined, timeout: number | undefined) {
    this.signal = this.#controller.signal;
    this.#given = signal;
    this.#timeout = timeout;
    this.#onAbort = () => this.#controller.abort(signal?.reason);
    if (signal?.aborted) this.#onAbort();
    signal?.addEventListener("abort", this.#onAbort, { once: true });
    if (timeout !== undefined && timeout > 0) {
      this.#timer = setTimeout(() => {
        this.#timedOut = true;
        this.#controller.abort();
      }, timeout);
    }
  }

  /** Turns whatever the abort caused into a `RequestAborted` that says why. */
  explain(error: unknown, label: string): unknown {
    if (!this.signal.aborted) return error;
    if (this.#timedOut) return new RequestAborted(`${label}: took longer than the timeout of ${this.#timeout} ms`, { cause: error });
    if (error instanceof RequestAborted) return error;
    if (error instanceof KubexClientError || !(error instanceof Error)) return new RequestAborted(`${label}: aborted`, { cause: error });
    return error;
  }

  dispose(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#given?.removeEventListener("abort", this.#onAbort);
  }
}

export function callPart(options: { signal?: AbortSignal; timeout?: number }): { signal?: AbortSignal; timeout?: number } {
  const part: { signal?: AbortSignal; timeout?: number } = {};
  if (options.signal !== undefined) part.signal = options.signal;
  if (options.timeout !== undefined) part.timeout = options.timeout;
  return part;
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
