/** `logs`: a container's log, read at once (`get`) or line by line as it grows (`stream`). */
import type { HasLogs } from "../../model/markers.js";
import type { KubernetesObject } from "../../model/resource.js";
import { callPart } from "../../request/call.js";
import type { ObjectCallOptions } from "../../request/options.js";
import { logQuery, type LogQueryOptions } from "../../request/streaming.js";
import type { HttpRequest } from "../../transport/types.js";
import type { ApiContext } from "../context.js";
import { LineSplitter, readLines } from "../../watch/lines.js";
import { defineAccessor } from "./registry.js";
import { podTarget } from "./streaming.js";

export interface LogOptions extends ObjectCallOptions, Omit<LogQueryOptions, "follow"> {}

export interface LogStreamOptions extends LogOptions {
  /** Keep reading as the container writes (default true). `timeout` then bounds only the wait for the answer's headers. */
  follow?: boolean;
}

export class LogsAccessor {
  readonly #context: ApiContext<KubernetesObject>;

  constructor(context: ApiContext<KubernetesObject>) {
    this.#context = context;
  }

  /** The log as one string. */
  async get(name: string, options: LogOptions = {}): Promise<string> {
    return this.#context.client.transport.text(this.#request(name, { ...options, follow: false }));
  }

  /**
   * The log line by line (without the trailing newline), following it by default.
   * Leaving the loop or aborting `signal` closes the connection at once.
   */
  stream(name: string, options: LogStreamOptions = {}): AsyncIterable<string> {
    // Built now, so bad options throw here rather than on the first iteration.
    const request = this.#request(name, { ...options, follow: options.follow ?? true });
    const transport = this.#context.client.transport;
    return {
      async *[Symbol.asyncIterator]() {
        const response = await transport.stream(request);
        try {
          yield* lines(response.body);
        } finally {
          response.close();
        }
      },
    };
  }

  #request(name: string, options: LogStreamOptions): HttpRequest {
    const what = `${this.#context.resource.kind} logs`;
    return {
      method: "GET",
      path: podTarget(this.#context, name, options.namespace, "log").path,
      query: logQuery(what, options),
      ...callPart(options, what),
    };
  }
}

/**
 * The lines of a log body, blank lines included; a last line without a newline is
 * yielded at the end. `\r\n` ends a line as `\n` does.
 */
export async function* lines(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<string, void, undefined> {
  const rest = { pending: "" };
  yield* readLines(chunks, rest, new LineSplitter(Number.POSITIVE_INFINITY, { keepEmptyLines: true, what: "a log line" }));
  if (rest.pending.length > 0) yield rest.pending;
}

export const logs = defineAccessor({
  property: "logs",
  subresource: "log",
  create: (context) => new LogsAccessor(context),
});

declare module "./registry.js" {
  interface AccessorTypes<T extends KubernetesObject> {
    logs: { marker: HasLogs; accessor: LogsAccessor };
  }
}
