import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { KubexConfigError, TokenFileAuth, loadClusterConfig, loadInClusterConfig } from "@kubex/runtime";
import { isolatedEnv, tempDir, thrown } from "./helpers.js";

const CA = "-----BEGIN CERTIFICATE-----\nSU4tQ0xVU1RFUg==\n-----END CERTIFICATE-----\n";
let dir: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
  await writeFile(path.join(dir, "token"), "sa-token-one\n");
  await writeFile(path.join(dir, "ca.crt"), CA);
  await writeFile(path.join(dir, "namespace"), "kube-apps");
});
afterEach(() => cleanup());

const podEnv = (host = "10.96.0.1", port = "443") => isolatedEnv({ KUBERNETES_SERVICE_HOST: host, KUBERNETES_SERVICE_PORT: port });

describe("in-cluster configuration", () => {
  it("reads host, port, token, CA and namespace", async () => {
    const config = await loadInClusterConfig({ env: podEnv(), serviceAccountDir: dir });
    expect(config.server).toBe("https://10.96.0.1:443");
    expect(config.tls).toEqual({ ca: CA });
    expect(config.namespace).toBe("kube-apps");
    expect(config.source).toEqual({ type: "in-cluster" });
    expect(await config.auth?.headers()).toEqual({ authorization: "Bearer sa-token-one" });
  });

  it("brackets an IPv6 service host", async () => {
    const config = await loadInClusterConfig({ env: podEnv("fd00:10:96::1", "6443"), serviceAccountDir: dir });
    expect(config.server).toBe("https://[fd00:10:96::1]:6443");
    expect(new URL(config.server).hostname).toBe("[fd00:10:96::1]");
  });

  it("is the fallback when no kubeconfig file exists, and the namespace option wins", async () => {
    const config = await loadClusterConfig({ env: podEnv(), serviceAccountDir: dir, namespace: "mine" });
    expect(config.source).toEqual({ type: "in-cluster" });
    expect(config.namespace).toBe("mine");
  });

  it('defaults the namespace to "default" when the namespace file is absent', async () => {
    const { rm } = await import("node:fs/promises");
    await rm(path.join(dir, "namespace"));
    const config = await loadInClusterConfig({ env: podEnv(), serviceAccountDir: dir });
    expect(config.namespace).toBe("default");
  });

  it("re-reads the rotated token when the copy is older than its max age, and on refresh()", async () => {
    const config = await loadInClusterConfig({ env: podEnv(), serviceAccountDir: dir, tokenMaxAge: 0 });
    await writeFile(path.join(dir, "token"), "sa-token-two\n");
    expect(await config.auth?.headers()).toEqual({ authorization: "Bearer sa-token-two" });

    let now = 1_000_000;
    const auth = new TokenFileAuth(path.join(dir, "token"), { now: () => now });
    expect(await auth.headers()).toEqual({ authorization: "Bearer sa-token-two" });
    await writeFile(path.join(dir, "token"), "sa-token-three\n");
    now += 59_000;
    expect(await auth.headers()).toEqual({ authorization: "Bearer sa-token-two" }); // still fresh: not re-read
    now += 2_000;
    expect(await auth.headers()).toEqual({ authorization: "Bearer sa-token-three" }); // older than a minute
    await writeFile(path.join(dir, "token"), "sa-token-four\n");
    expect(await auth.refresh()).toBe(true); // after a 401: read at once
    expect(await auth.headers()).toEqual({ authorization: "Bearer sa-token-four" });
    expect(await auth.refresh()).toBe(false); // same token: a retry would not help
  });

  it("keeps the last good token while the file is briefly missing during rotation", async () => {
    const { rm } = await import("node:fs/promises");
    const auth = new TokenFileAuth(path.join(dir, "token"), { maxAge: 0 });
    expect(await auth.headers()).toEqual({ authorization: "Bearer sa-token-one" });
    await rm(path.join(dir, "token"));
    expect(await auth.headers()).toEqual({ authorization: "Bearer sa-token-one" });
  });

  it("forced in-cluster outside a Pod, or without a mounted token, is a clear error", async () => {
    const outside = await thrown(() => loadClusterConfig({ inCluster: true, env: isolatedEnv(), serviceAccountDir: dir }));
    expect(outside).toBeInstanceOf(KubexConfigError);
    expect(outside.message).toContain("KUBERNETES_SERVICE_HOST");
    const noToken = await thrown(() => loadInClusterConfig({ env: podEnv(), serviceAccountDir: path.join(dir, "missing") }));
    expect(noToken).toBeInstanceOf(KubexConfigError);
    expect(noToken.message).toContain(path.join(dir, "missing", "token"));
    expect(noToken.message).toContain("does not exist");
  });
});
