/**
 * `attach`: connects to the main process of a running container (its stdin, stdout,
 * stderr, terminal), the way `kubectl attach` does. Same session as `exec.stream`.
 */
import { InvalidRequest } from "../../errors.js";
import type { HasAttach } from "../../model/markers.js";
import type { KubernetesObject } from "../../model/resource.js";
import { attachQuery } from "../../request/streaming.js";
import type { StreamSession } from "../../stream/session.js";
import type { ApiContext } from "../context.js";
import { defineAccessor } from "./registry.js";
import { openStdioSession, type StdioOptions } from "./streaming.js";

/** The stdio options of exec; with `tty`, the container must have been started with `tty: true`. */
export interface AttachOptions extends StdioOptions {}

export class AttachAccessor {
  readonly #context: ApiContext<KubernetesObject>;

  constructor(context: ApiContext<KubernetesObject>) {
    this.#context = context;
  }

  /** Attaches; `timeout` bounds the opening, `signal` also ends the session later. */
  async stream(name: string, options: AttachOptions = {}): Promise<StreamSession> {
    const what = `${this.#context.resource.kind} attach`;
    if (options === null || typeof options !== "object") throw new InvalidRequest(`${what}: options must be an object`);
    return openStdioSession(this.#context, "attach", name, options, attachQuery(what, options));
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
