/**
 * `attach`: connects to the main process of a running container (its stdin, stdout,
 * stderr, terminal), the way `kubectl attach` does. Same session as `exec.stream`.
 */
import { InvalidRequest } from "../../errors.js";
import type { HasAttach } from "../../model/markers.js";
import type { KubernetesObject } from "../../model/resource.js";
import type { ObjectCallOptions } from "../../request/options.js";
import { resourcePath } from "../../request/paths.js";
import { validateName } from "../../request/validate.js";
import { openStreamSession } from "../../stream/open.js";
import { attachQuery } from "../../stream/request.js";
import type { StreamSession } from "../../stream/session.js";
import type { ApiContext } from "../context.js";
import { callPart } from "./exec.js";
import { defineAccessor } from "./registry.js";

export interface AttachOptions extends ObjectCallOptions {
  container?: string;
  /** Default false. */
  stdin?: boolean;
  /** Default true. */
  stdout?: boolean;
  /** Default true (off with `tty`). */
  stderr?: boolean;
  /** The container must have been started with `tty: true`. Default false. */
  tty?: boolean;
  highWaterMark?: number;
  maxBuffered?: number;
}

export class AttachAccessor {
  readonly #context: ApiContext<KubernetesObject>;

  constructor(context: ApiContext<KubernetesObject>) {
    this.#context = context;
  }

  /** Attaches; `timeout` bounds the opening, `signal` also ends the session later. */
  async stream(name: string, options: AttachOptions = {}): Promise<StreamSession> {
    const what = `${this.#context.resource.kind} attach`;
    if (options === null || typeof options !== "object") throw new InvalidRequest(`${what}: options must be an object`);
    const query = attachQuery(what, options);
    validateName(this.#context.resource, name);
    const namespace = this.#context.objectNamespace(options.namespace);
    const path = resourcePath(this.#context.resource, { namespace, name, subresource: "attach" });
    const label = namespace !== undefined ? `${namespace}/${name}` : name;
    return openStreamSession(
      this.#context.client.config,
      { path, query, description: `attach ${label}`, ...callPart(options) },
      {
        stdin: options.stdin ?? false,
        stdout: options.stdout ?? true,
        stderr: options.stderr ?? true,
        tty: options.tty ?? false,
        ...(options.highWaterMark !== undefined ? { highWaterMark: options.highWaterMark } : {}),
        ...(options.maxBuffered !== undefined ? { maxBuffered: options.maxBuffered } : {}),
      },
    );
  }
}

export const attach = defineAccessor({
  property: "attach",
  subresource: "attach",
  create: (context) => new AttachAccessor(context),
});

declare module "./registry.js" {
  interface AccessorTypes<T extends KubernetesObject> {
    attach: { marker: HasAttach; accessor: AttachAccessor };
  }
}
