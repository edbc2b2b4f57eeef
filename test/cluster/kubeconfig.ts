import { readFileSync, writeFileSync } from "node:fs";

export interface KubeconfigInput {
  server: string;
  caFile: string;
  clientCertFile: string;
  clientKeyFile: string;
  tokens?: { admin: string; unprivileged: string };
}

const b64 = (file: string) => readFileSync(file).toString("base64");
const q = (s: string) => JSON.stringify(s); // a JSON string is a valid YAML double-quoted scalar

/**
 * Writes a kubeconfig with credentials embedded (portable: it can be copied anywhere).
 * Context `kubex` (current) uses the client certificate; with tokens, `kubex-token-admin`
 * and `kubex-unprivileged` use the static bearer tokens.
 */
export function writeKubeconfig(file: string, input: KubeconfigInput): void {
  const lines = [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "- name: kubex",
    "  cluster:",
    `    server: ${q(input.server)}`,
    `    certificate-authority-data: ${b64(input.caFile)}`,
    "users:",
    "- name: kubex-admin",
    "  user:",
    `    client-certificate-data: ${b64(input.clientCertFile)}`,
    `    client-key-data: ${b64(input.clientKeyFile)}`,
  ];
  if (input.tokens) {
    lines.push("- name: kubex-token-admin", "  user:", `    token: ${q(input.tokens.admin)}`);
    lines.push("- name: kubex-unprivileged", "  user:", `    token: ${q(input.tokens.unprivileged)}`);
  }
  lines.push("contexts:", "- name: kubex", "  context:", "    cluster: kubex", "    user: kubex-admin", "    namespace: default");
  if (input.tokens) {
    lines.push("- name: kubex-token-admin", "  context:", "    cluster: kubex", "    user: kubex-token-admin");
    lines.push("- name: kubex-unprivileged", "  context:", "    cluster: kubex", "    user: kubex-unprivileged");
  }
  lines.push("current-context: kubex", "preferences: {}", "");
  writeFileSync(file, lines.join("\n"), { mode: 0o600 });
}
