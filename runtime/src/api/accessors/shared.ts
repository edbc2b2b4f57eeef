/**
 * The shapes subresource accessors share, written once: get / replace / patch of a
 * subresource (status, scale, ephemeralcontainers, resize, approval), create (eviction,
 * binding, token) and replace alone (finalize). An accessor file states only its path
 * suffix, the body's apiVersion/kind and how an answer is decoded.
 */
import type { KubernetesObject, ResourceInit } from "../../model/resource.js";
import type { Patch } from "../../patch/patch.js";
import { buildCreate, buildGet, buildPatch, buildReplace } from "../../request/build.js";
import type { ObjectCallOptions, PatchOptions, WriteOptions } from "../../request/options.js";
import { withIdentity, type BodyIdentity } from "../body.js";
import type { ApiContext } from "../context.js";

export interface SubresourceSpec<B> {
  /** Path suffix after the object's name, e.g. `status`. */
  readonly subresource: string;
  /** `apiVersion` / `kind` of the body the endpoint takes (filled in when missing, sent with apply). */
  readonly identity: BodyIdentity;
  /** Turns a parsed answer into the accessor's result type. */
  decode(body: unknown): B;
}

/** The spec of a subresource whose body is the object itself (status, ephemeralcontainers, resize, approval, finalize). */
export function objectSubresource<T extends KubernetesObject>(context: ApiContext<T>, subresource: string): SubresourceSpec<T> {
  return {
    subresource,
    identity: { apiVersion: context.apiVersion, kind: context.resource.kind },
    decode: (body) => context.decode(body),
  };
}

function target(context: ApiContext<KubernetesObject>, spec: SubresourceSpec<unknown>, name: string, namespace: string | undefined) {
  return { resource: context.resource, namespace: context.objectNamespace(namespace), name, subresource: spec.subresource };
}

export async function getSubresource<B>(
  context: ApiContext<KubernetesObject>,
  spec: SubresourceSpec<B>,
  name: string,
  options: ObjectCallOptions = {},
): Promise<B> {
  const request = buildGet(target(context, spec, name, options.namespace), options);
  return spec.decode(await context.send(request));
}

export async function replaceSubresource<B>(
  context: ApiContext<KubernetesObject>,
  spec: SubresourceSpec<B>,
  name: string,
  body: unknown,
  options: WriteOptions = {},
): Promise<B> {
  const request = buildReplace(target(context, spec, name, options.namespace), withIdentity(body, spec.identity, name), options);
  return spec.decode(await context.send(request));
}

export async function patchSubresource<B>(
  context: ApiContext<KubernetesObject>,
  spec: SubresourceSpec<B>,
  name: string,
  patch: Patch,
  options: PatchOptions = {},
): Promise<B> {
  const request = buildPatch(target(context, spec, name, options.namespace), patch, spec.identity, options);
  return spec.decode(await context.send(request));
}

/** POST to a subresource; the body's `metadata.name` (and namespace) default to the object's. */
export async function createSubresource<B>(
  context: ApiContext<KubernetesObject>,
  spec: SubresourceSpec<B>,
  name: string,
  body: unknown,
  options: WriteOptions = {},
): Promise<B> {
  const to = target(context, spec, name, options.namespace);
  const request = buildCreate(to, withIdentity(body, spec.identity, name, to.namespace), options);
  return spec.decode(await context.send(request));
}

/** get / replace / patch of one subresource, returning `B` and taking `In` as the replace body. */
export class ReadWriteAccessor<B, In = B> {
  protected readonly context: ApiContext<KubernetesObject>;
  protected readonly spec: SubresourceSpec<B>;

  constructor(context: ApiContext<KubernetesObject>, spec: SubresourceSpec<B>) {
    this.context = context;
    this.spec = spec;
  }

  /** Reads the subresource of object `name`. */
  get(name: string, options?: ObjectCallOptions): Promise<B> {
    return getSubresource(this.context, this.spec, name, options);
  }

  /** Replaces it (PUT); include `metadata.resourceVersion` for an optimistic-concurrency check. */
  replace(name: string, body: In, options?: WriteOptions): Promise<B> {
    return replaceSubresource(this.context, this.spec, name, body, options);
  }

  /** Patches it; the patch class picks the content type. */
  patch(name: string, patch: Patch, options?: PatchOptions): Promise<B> {
    return patchSubresource(this.context, this.spec, name, patch, options);
  }
}

/** A `ReadWriteAccessor` whose body is the object itself. */
export class ObjectSubresourceAccessor<T extends KubernetesObject> extends ReadWriteAccessor<T, T | ResourceInit<T>> {
  constructor(context: ApiContext<T>, subresource: string) {
    super(context as unknown as ApiContext<KubernetesObject>, objectSubresource(context, subresource) as SubresourceSpec<T>);
  }
}
