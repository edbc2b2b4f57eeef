import path from "node:path";
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { loadClusterConfig, kubeconfigPaths } from "@kubex/runtime";
import { fixture, isolatedEnv } from "./helpers.js";

const first = fixture("merge-first.yaml");
const second = fixture("nested/merge-second.yaml");
const third = fixture("merge-third.yaml");
const list = (...files: string[]) => files.join(path.delimiter);

describe("several kubeconfig files (kubectl's merge rules)", () => {
  it("current-context comes from the first file that sets it", async () => {
    const config = await loadClusterConfig({ env: isolatedEnv({ KUBECONFIG: list(first, second, third) }) });
    expect(config.source).toMatchObject({ context: "second-ctx", files: [first, second, third] });
    const reversed = await loadClusterConfig({ env: isolatedEnv({ KUBECONFIG: list(third, second) }) });
    expect(reversed.source).toMatchObject({ context: "third-ctx" });
  });

  it("an entry defined in two files is taken whole from the first, nothing mixed in from the second", async () => {
    const config = await loadClusterConfig({ context: "shared-ctx", env: isolatedEnv({ KUBECONFIG: list(first, second) }) });
    // context, cluster and user "shared*" all come from the first file
    expect(config.namespace).toBe("from-first");
    expect(config.server).toBe("https://first.invalid:6443");
    expect(config.tls.insecureSkipTlsVerify).toBeUndefined(); // set only by the second file's "shared"
    expect(config.tls.ca).toBe(await readFile(fixture("certs/ca.crt"), "utf8"));
    expect(await config.auth?.headers()).toEqual({ authorization: "Bearer fixture-first-token-aa11" });

    const swapped = await loadClusterConfig({ context: "shared-ctx", env: isolatedEnv({ KUBECONFIG: list(second, first) }) });
    expect(swapped.namespace).toBe("from-second");
    expect(swapped.server).toBe("https://second-only.invalid:6443");
  });

  it("a context may use a cluster and user from other files; paths are relative to the file that names them", async () => {
    // second-ctx (file 2) -> cluster second-only (file 2, CA path relative to nested/) + user shared-user (file 1 wins)
    const config = await loadClusterConfig({ env: isolatedEnv({ KUBECONFIG: list(first, second) }) });
    expect(config.server).toBe("https://second-only.invalid:6443");
    expect(config.tls.ca).toBe(await readFile(fixture("nested/other-ca.crt"), "utf8"));
    expect(await config.auth?.headers()).toEqual({ authorization: "Bearer fixture-first-token-aa11" });
  });

  it("KUBECONFIG entries that do not exist and empty entries are skipped", async () => {
    const env = isolatedEnv({ KUBECONFIG: ["", fixture("missing-1.yaml"), second, "", fixture("missing-2.yaml")].join(path.delimiter) });
    expect(kubeconfigPaths(undefined, env)).toEqual([fixture("missing-1.yaml"), second, fixture("missing-2.yaml")]);
    const config = await loadClusterConfig({ env });
    expect(config.source).toMatchObject({ files: [second], context: "second-ctx" });
  });

  it("the kubeconfig option takes a list and merges it the same way", async () => {
    const config = await loadClusterConfig({ kubeconfig: [first, second], context: "shared-ctx", env: isolatedEnv({ KUBECONFIG: third }) });
    expect(config.source).toMatchObject({ files: [first, second] });
    expect(config.namespace).toBe("from-first");
  });

  it("without KUBECONFIG, ~/.kube/config is read", async () => {
    expect(kubeconfigPaths(undefined, { HOME: "/home/someone" })).toEqual(["/home/someone/.kube/config"]);
  });
});
