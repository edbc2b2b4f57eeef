import { createClient, type CreateClientOptions } from "../client.js";
import type { KubernetesObject, ResourceClass } from "../model/resource.js";
import type { Client } from "../transport/types.js";
import { adoptClient, Api } from "./api.js";

export interface CreateApiOptions extends Omit<CreateClientOptions, "namespace"> {
  /** Use this client; otherwise one is made from the other options (and closed by `api.close()`). */
  client?: Client;
  /** As in `ApiOptions`: unset uses the client's namespace, `null` none. */
  namespace?: string | null;
}

/**
 * An `Api` for `kind`, making a client (kubeconfig, else in-cluster) when none is given:
 *
 *     await using pods = await createApi(Pod, { namespace: "default" });
 */
export async function createApi<T extends KubernetesObject>(kind: ResourceClass<T>, options: CreateApiOptions = {}): Promise<Api<T>> {
  const { client, namespace, ...clientOptions } = options;
  if (client !== undefined) return new Api(kind, namespace === undefined ? { client } : { client, namespace });
  const made = await createClient(clientOptions);
  try {
    const api = new Api(kind, namespace === undefined ? { client: made } : { client: made, namespace });
    adoptClient(api);
    return api;
  } catch (error) {
    await made.close();
    throw error;
  }
}
