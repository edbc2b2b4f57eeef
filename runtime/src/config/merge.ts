/**
 * kubectl's rules for several kubeconfig files (the KUBECONFIG list): the first file to
 * set a value or a map key wins, and a later file never changes it. A cluster, user or
 * context defined in two files is taken whole from the first; nothing of the second's
 * entry is mixed in. `current-context` comes from the first file that sets it.
 */
import type { Kubeconfig } from "./kubeconfig.js";
import { protectKubeconfig } from "./protect.js";

export function mergeKubeconfigs(configs: readonly Kubeconfig[]): Kubeconfig {
  const merged: Kubeconfig = { files: [], clusters: new Map(), users: new Map(), contexts: new Map() };
  for (const config of configs) {
    merged.files.push(...config.files);
    if (merged.currentContext === undefined && config.currentContext !== undefined) {
      merged.currentContext = config.currentContext;
      if (config.currentContextFile !== undefined) merged.currentContextFile = config.currentContextFile;
    }
    for (const [name, cluster] of config.clusters) if (!merged.clusters.has(name)) merged.clusters.set(name, cluster);
    for (const [name, user] of config.users) if (!merged.users.has(name)) merged.users.set(name, user);
    for (const [name, context] of config.contexts) if (!merged.contexts.has(name)) merged.contexts.set(name, context);
  }
  return protectKubeconfig(merged);
}
