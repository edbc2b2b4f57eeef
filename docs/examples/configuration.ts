import { BearerTokenAuth, createClient, describeConfig, KubexConfigError, loadClusterConfig } from "@kubex/runtime";

// kubectl's rules: KUBECONFIG (several files merge), else ~/.kube/config, else in-cluster.
await using fromDefaults = await createClient();
console.log(fromDefaults.namespace);

// Pick a context, and set client-wide defaults: a timeout per request and the retry policy.
await using tuned = await createClient({
  context: process.env.KUBE_CONTEXT, // undefined: the kubeconfig's current-context
  timeout: 30_000,
  retry: { maxRetries: 5, maxDelayMs: 10_000 }, // GET only, unless you widen `methods`
  userAgent: "docs-example/1.0",
});

// Load without connecting; describeConfig prints a summary with no secrets in it.
const config = await loadClusterConfig();
console.log(describeConfig(config));

// An explicit configuration: nothing is read from disk.
const explicit = await createClient({
  config: {
    server: config.server,
    tls: { ca: config.tls.ca },
    auth: new BearerTokenAuth(process.env.KUBE_TOKEN ?? "token"),
    namespace: "default",
    source: { type: "explicit" },
  },
});
await explicit.close();

// Bad configuration is a KubexConfigError naming the file and field to fix.
try {
  await createClient({ kubeconfig: "/nonexistent/kubeconfig", inCluster: false });
} catch (error) {
  if (!(error instanceof KubexConfigError)) throw error;
  console.log(error.message);
}
console.log(tuned.config.server);
