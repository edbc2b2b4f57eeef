/**
 * Writes refreshed auth-provider tokens back into the kubeconfig file that defines the user, as
 * client-go's persister (clientcmd.ModifyConfig) does. Only the user's `auth-provider.config`
 * values change; the rest of the file (other entries, comments, order) is kept. The new file is
 * written beside the old one and renamed over it, with the old file's permissions.
 */
import { readFile, rename, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import type { YAMLMap } from "yaml";
import { KubexConfigError } from "../errors.js";
import { decodeKubeconfigBytes } from "./kubeconfig.js";

export async function persistAuthProviderConfig(file: string, userName: string, values: Record<string, string>): Promise<void> {
  // yaml's Document API keeps comments and order; loaded here, on the rare write-back, not when the runtime is imported (~60 ms).
  const { isMap, isSeq, parseDocument } = await import("yaml");
  const text = decodeKubeconfigBytes(await readFile(file), file);
  const doc = parseDocument(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  const users = doc.get("users");
  const entry = isSeq(users) ? users.items.find((item) => isMap(item) && String(item.get("name") ?? "") === userName) : undefined;
  if (entry === undefined || !isMap(entry)) {
    throw new KubexConfigError(`user "${userName}" is no longer in the kubeconfig file; the refreshed tokens were not saved`, {
      file,
      hint: "log in again if the next run asks for it",
    });
  }
  const map = entry as YAMLMap;
  for (const [key, value] of Object.entries(values)) map.setIn(["user", "auth-provider", "config", key], value);
  const mode = (await stat(file)).mode & 0o777;
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.kubex-${process.pid}-${Date.now()}`);
  await writeFile(temp, doc.toString({ lineWidth: 0 }), { mode });
  await rename(temp, file);
}
