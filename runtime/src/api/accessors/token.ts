/** `token`: a ServiceAccount token from the TokenRequest API. */
import type { HasToken } from "../../model/markers.js";
import type { ObjectMeta, Time } from "../../model/meta.js";
import type { KubernetesObject } from "../../model/resource.js";
import type { WriteOptions } from "../../request/options.js";
import type { ApiContext } from "../context.js";
import { defineAccessor } from "./registry.js";
import { createSubresource, type SubresourceSpec } from "./shared.js";

/** `authentication.k8s.io/v1 TokenRequest`. */
export interface TokenRequest {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  spec: {
    /** Who the token is for; the API server's own audiences when empty. */
    audiences?: string[];
    expirationSeconds?: number;
    boundObjectRef?: { apiVersion?: string; kind?: string; name?: string; uid?: string };
  };
  /** Filled by the server: the token and when it expires. Secret: never log it. */
  status?: { token: string; expirationTimestamp: Time };
}

const spec: SubresourceSpec<TokenRequest> = {
  subresource: "token",
  identity: { apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest" },
  decode: (body) => body as TokenRequest,
};

export class TokenAccessor {
  readonly #context: ApiContext<KubernetesObject>;

  constructor(context: ApiContext<KubernetesObject>) {
    this.#context = context;
  }

  /** Issues a token for ServiceAccount `name`; the answer's `status.token` holds it. */
  create(name: string, request: TokenRequest = { spec: {} }, options?: WriteOptions): Promise<TokenRequest> {
    return createSubresource(this.#context, spec, name, request, options);
  }
}

export const token = defineAccessor({
  property: "token",
  subresource: "token",
  create: (context) => new TokenAccessor(context),
});

declare module "./registry.js" {
  interface AccessorTypes<T extends KubernetesObject> {
    token: { marker: HasToken; accessor: TokenAccessor };
  }
}
