export type { ClusterConfig, TlsConfig, AuthProvider, ConfigSource, Impersonation } from "./types.js";
export { loadClusterConfig, configFromKubeconfigText, configFromKubeconfigObject, kubeconfigPaths } from "./load.js";
export type { LoadConfigOptions, KubeconfigTextOptions } from "./load.js";
export type { SelectOptions } from "./resolve.js";
export { loadInClusterConfig, inClusterPossible, SERVICE_ACCOUNT_DIR } from "./in-cluster.js";
export type { InClusterOptions } from "./in-cluster.js";
export { parseKubeconfigText, kubeconfigFromObject, decodeKubeconfigBytes } from "./kubeconfig.js";
export type {
  Kubeconfig,
  ParseKubeconfigOptions,
  KubeconfigCluster,
  KubeconfigUser,
  KubeconfigContext,
  ExecConfig,
  ExecEntry,
  InteractiveMode,
} from "./kubeconfig.js";
export { mergeKubeconfigs } from "./merge.js";
export { describeConfig } from "./describe.js";
export { BearerTokenAuth, BasicAuth } from "./auth/static.js";
export { TokenFileAuth } from "./auth/token-file.js";
export type { TokenFileAuthOptions } from "./auth/token-file.js";
export { ExecCredentialAuth } from "./auth/exec.js";
export type { ExecCredentialAuthOptions } from "./auth/exec.js";
export type { ExecClusterInfo } from "./auth/exec-credential.js";
export { OidcAuth } from "./auth/oidc.js";
export type { OidcConfig, OidcAuthOptions } from "./auth/oidc.js";
export { impersonationHeaders } from "./impersonation.js";
