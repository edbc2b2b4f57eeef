/**
 * Keeps a ClusterConfig's secrets out of `console.log`, `util.inspect` and `JSON.stringify`:
 * non-enumerable hooks, so spreading and reading the fields work as before.
 */
import { describeConfig } from "./describe.js";
import type { ClusterConfig } from "./types.js";

const inspect = Symbol.for("nodejs.util.inspect.custom");

export function protectConfig(config: ClusterConfig): ClusterConfig {
  const hidden = (value: unknown) => ({ value, enumerable: false, configurable: true, writable: true });
  Object.defineProperties(config, {
    [inspect]: hidden(() => `ClusterConfig { ${describeConfig(config)} }`),
    toString: hidden(() => `ClusterConfig { ${describeConfig(config)} }`),
    toJSON: hidden(() => ({ ...config, tls: redactedTls(config), auth: config.auth !== undefined ? "[provider]" : undefined })),
  });
  Object.defineProperties(config.tls, {
    [inspect]: hidden(() => redactedTls(config)),
    toJSON: hidden(() => redactedTls(config)),
  });
  return config;
}

function redactedTls(config: ClusterConfig): Record<string, unknown> {
  const { key, ...rest } = config.tls;
  return key !== undefined ? { ...rest, key: "[redacted]" } : rest;
}
