/**
 * The kubeconfig document: YAML text -> validated, typed entries. Pure (no I/O).
 * Relative file paths are resolved against the directory of the file that names them,
 * as kubectl does, so entries stay correct after several files are merged.
 */
import path from "node:path";
import { LineCounter, parseDocument } from "yaml";
import { KubexConfigError } from "../errors.js";

export type InteractiveMode = "Never" | "IfAvailable" | "Always";

/** `users[].user.exec`: a client-go credential plugin. */
export interface ExecConfig {
  command: string;
  args: string[];
  env: { name: string; value: string }[];
  apiVersion: string;
  installHint?: string;
  provideClusterInfo: boolean;
  interactiveMode: InteractiveMode;
}

export interface KubeconfigCluster {
  name: string;
  /** The kubeconfig file this entry came from (undefined for text/object input). */
  file: string | undefined;
  server?: string;
  certificateAuthority?: string;
  certificateAuthorityData?: string;
  tlsServerName?: string;
  insecureSkipTlsVerify: boolean;
  proxyUrl?: string;
  /** `extensions[name=client.authentication.k8s.io/exec].extension`, passed to exec plugins. */
  execExtension?: unknown;
}

export interface KubeconfigUser {
  name: string;
  file: string | undefined;
  token?: string;
  tokenFile?: string;
  username?: string;
  password?: string;
  clientCertificate?: string;
  clientCertificateData?: string;
  clientKey?: string;
  clientKeyData?: string;
  exec?: ExecConfig;
  /** Name of a legacy `auth-provider` (unsupported; reported clearly). */
  authProvider?: string;
}

export interface KubeconfigContext {
  name: string;
  file: string | undefined;
  cluster?: string;
  user?: string;
  namespace?: string;
}

/** One kubeconfig file (or several merged by kubectl's rules). */
export interface Kubeconfig {
  /** Files it was read from, in order. */
  files: string[];
  currentContext?: string;
  /** File that set `current-context`. */
  currentContextFile?: string;
  clusters: Map<string, KubeconfigCluster>;
  users: Map<string, KubeconfigUser>;
  contexts: Map<string, KubeconfigContext>;
}

export interface ParseKubeconfigOptions {
  /** Path of the file the text came from: named in errors, base of relative paths. */
  file?: string;
  /** Base of relative paths when `file` is not given (default: the working directory). */
  baseDir?: string;
}

const EXEC_API_VERSIONS = ["client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"];
const EXEC_EXTENSION = "client.authentication.k8s.io/exec";

/** Parses kubeconfig YAML (or JSON) text. Errors name the line but never echo the text (it may hold secrets). */
export function parseKubeconfigText(text: string, options: ParseKubeconfigOptions = {}): Kubeconfig {
  // Every scalar as its source text (the failsafe schema), as kubectl reads a string field:
  // `name: yes` or `namespace: 0123` are strings; boolean fields are interpreted below.
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { schema: "failsafe", lineCounter, prettyErrors: false, uniqueKeys: true });
  const problem = doc.errors[0];
  if (problem !== undefined) {
    const line = lineCounter.linePos(problem.pos[0]);
    const where = ` at line ${line.line}, column ${line.col}`;
    // The yaml library's message carries an excerpt of the source; keep only its first clause.
    const what = (problem.message.split("\n")[0] ?? "").replace(/ at line \d+, column \d+:?$/, "");
    throw new KubexConfigError(`kubeconfig is not valid YAML${where}: ${what} (${problem.code})`, {
      ...(options.file !== undefined ? { file: options.file } : {}),
      hint: "fix the YAML syntax (indentation, quoting) at that line",
    });
  }
  return kubeconfigFromObject(doc.toJS() ?? {}, options);
}

/** Validates a kubeconfig already parsed into plain objects (the shape of the YAML). */
export function kubeconfigFromObject(value: unknown, options: ParseKubeconfigOptions = {}): Kubeconfig {
  const file = options.file;
  const baseDir = file !== undefined ? path.dirname(path.resolve(file)) : path.resolve(options.baseDir ?? ".");
  const fields = new FieldReader(file);
  const root = fields.object(value, "", true) ?? {};
  const kind = fields.optionalString(root, "kind", "kind");
  if (kind !== undefined && kind !== "Config") {
    throw new KubexConfigError(`kubeconfig has kind "${short(kind)}", expected "Config"`, {
      ...where(file),
      field: "kind",
      hint: "point at a kubeconfig file (kind: Config)",
    });
  }
  const resolvePath = (p: string | undefined): string | undefined =>
    p === undefined || p === "" ? undefined : path.isAbsolute(p) ? p : path.resolve(baseDir, p);

  const config: Kubeconfig = {
    files: file !== undefined ? [file] : [],
    clusters: new Map(),
    users: new Map(),
    contexts: new Map(),
  };
  const current = fields.optionalString(root, "current-context", "current-context");
  if (current !== undefined && current !== "") {
    config.currentContext = current;
    if (file !== undefined) config.currentContextFile = file;
  }

  for (const [name, body, at] of fields.namedList(root, "clusters", "cluster")) {
    if (config.clusters.has(name)) continue; // first entry of a name wins, as across files
    const cluster: KubeconfigCluster = {
      name,
      file,
      insecureSkipTlsVerify: fields.optionalBoolean(body, "insecure-skip-tls-verify", `${at}.insecure-skip-tls-verify`) ?? false,
    };
    assign(cluster, "server", fields.optionalString(body, "server", `${at}.server`));
    assign(cluster, "certificateAuthority", resolvePath(fields.optionalString(body, "certificate-authority", `${at}.certificate-authority`)));
    assign(cluster, "certificateAuthorityData", nonEmpty(fields.optionalString(body, "certificate-authority-data", `${at}.certificate-authority-data`)));
    assign(cluster, "tlsServerName", nonEmpty(fields.optionalString(body, "tls-server-name", `${at}.tls-server-name`)));
    assign(cluster, "proxyUrl", nonEmpty(fields.optionalString(body, "proxy-url", `${at}.proxy-url`)));
    for (const [extName, extBody] of fields.namedList(body, "extensions", "extension", `${at}.extensions`)) {
      if (extName === EXEC_EXTENSION) cluster.execExtension = extBody;
    }
    config.clusters.set(name, cluster);
  }

  for (const [name, body, at] of fields.namedList(root, "users", "user")) {
    if (config.users.has(name)) continue;
    const user: KubeconfigUser = { name, file };
    assign(user, "token", nonEmpty(fields.optionalString(body, "token", `${at}.token`)));
    assign(user, "tokenFile", resolvePath(fields.optionalString(body, "tokenFile", `${at}.tokenFile`)));
    assign(user, "username", nonEmpty(fields.optionalString(body, "username", `${at}.username`)));
    assign(user, "password", nonEmpty(fields.optionalString(body, "password", `${at}.password`)));
    assign(user, "clientCertificate", resolvePath(fields.optionalString(body, "client-certificate", `${at}.client-certificate`)));
    assign(user, "clientCertificateData", nonEmpty(fields.optionalString(body, "client-certificate-data", `${at}.client-certificate-data`)));
    assign(user, "clientKey", resolvePath(fields.optionalString(body, "client-key", `${at}.client-key`)));
    assign(user, "clientKeyData", nonEmpty(fields.optionalString(body, "client-key-data", `${at}.client-key-data`)));
    const authProvider = fields.object(body["auth-provider"], `${at}.auth-provider`);
    if (authProvider !== undefined) user.authProvider = fields.optionalString(authProvider, "name", `${at}.auth-provider.name`) ?? "(unnamed)";
    for (const key of ["as", "as-uid", "as-groups", "as-user-extra"]) {
      const value = body[key];
      if (value !== undefined && value !== null && value !== "" && !(Array.isArray(value) && value.length === 0)) {
        // Silently dropping impersonation would send requests as the (usually more privileged) real user.
        throw new KubexConfigError("impersonation in a kubeconfig user is not supported", {
          ...where(file),
          field: `${at}.${key}`,
          hint: "remove the as/as-groups fields, or use a user that authenticates as the identity you need",
        });
      }
    }
    const exec = fields.object(body["exec"], `${at}.exec`);
    if (exec !== undefined) user.exec = readExec(fields, exec, `${at}.exec`, baseDir);
    config.users.set(name, user);
  }

  for (const [name, body, at] of fields.namedList(root, "contexts", "context")) {
    if (config.contexts.has(name)) continue;
    const context: KubeconfigContext = { name, file };
    assign(context, "cluster", nonEmpty(fields.optionalString(body, "cluster", `${at}.cluster`)));
    assign(context, "user", nonEmpty(fields.optionalString(body, "user", `${at}.user`)));
    assign(context, "namespace", nonEmpty(fields.optionalString(body, "namespace", `${at}.namespace`)));
    config.contexts.set(name, context);
  }
  return config;
}

function readExec(fields: FieldReader, exec: Record<string, unknown>, at: string, baseDir: string): ExecConfig {
  const command = fields.optionalString(exec, "command", `${at}.command`);
  if (command === undefined || command === "") {
    throw new KubexConfigError("exec credential plugin has no command", { ...where(fields.file), field: `${at}.command`, hint: "set the plugin's executable name or path" });
  }
  const apiVersion = fields.optionalString(exec, "apiVersion", `${at}.apiVersion`);
  if (apiVersion === undefined || !EXEC_API_VERSIONS.includes(apiVersion)) {
    throw new KubexConfigError(
      apiVersion === undefined ? "exec credential plugin has no apiVersion" : `exec credential plugin apiVersion "${short(apiVersion)}" is not supported`,
      { ...where(fields.file), field: `${at}.apiVersion`, hint: `use one of ${EXEC_API_VERSIONS.join(", ")}` },
    );
  }
  const mode = fields.optionalString(exec, "interactiveMode", `${at}.interactiveMode`);
  let interactiveMode: InteractiveMode;
  if (mode === undefined || mode === "") {
    if (apiVersion === "client.authentication.k8s.io/v1") {
      throw new KubexConfigError("exec credential plugin of apiVersion client.authentication.k8s.io/v1 must set interactiveMode", {
        ...where(fields.file),
        field: `${at}.interactiveMode`,
        hint: "set interactiveMode to Never, IfAvailable or Always",
      });
    }
    interactiveMode = "IfAvailable"; // the v1beta1 default
  } else if (mode === "Never" || mode === "IfAvailable" || mode === "Always") {
    interactiveMode = mode;
  } else {
    throw new KubexConfigError(`exec credential plugin interactiveMode "${short(mode)}" is not valid`, {
      ...where(fields.file),
      field: `${at}.interactiveMode`,
      hint: "use Never, IfAvailable or Always",
    });
  }
  const args = fields.list(exec["args"], `${at}.args`).map((arg, i) => fields.string(arg, `${at}.args[${i}]`));
  const env = fields.list(exec["env"], `${at}.env`).map((entry, i) => {
    const item = fields.object(entry, `${at}.env[${i}]`, true) ?? {};
    return {
      name: fields.optionalString(item, "name", `${at}.env[${i}].name`) ?? "",
      value: fields.optionalString(item, "value", `${at}.env[${i}].value`) ?? "",
    };
  });
  const result: ExecConfig = {
    // A command with a path separator is relative to the kubeconfig file, like client-go; a bare name is looked up on PATH.
    command: command.includes("/") || command.includes(path.sep) ? path.resolve(baseDir, command) : command,
    args,
    env: env.filter((e) => e.name !== ""),
    apiVersion,
    provideClusterInfo: fields.optionalBoolean(exec, "provideClusterInfo", `${at}.provideClusterInfo`) ?? false,
    interactiveMode,
  };
  assign(result, "installHint", nonEmpty(fields.optionalString(exec, "installHint", `${at}.installHint`)));
  return result;
}

/** Reads typed fields and names the field (never its value) when the type is wrong. */
class FieldReader {
  constructor(readonly file: string | undefined) {}

  fail(field: string, expected: string): never {
    throw new KubexConfigError(`kubeconfig field must be ${expected}`, {
      ...where(this.file),
      field: field === "" ? "(document)" : field,
      hint: `write ${field === "" ? "the document" : field} as ${expected}`,
    });
  }

  object(value: unknown, field: string, required = false): Record<string, unknown> | undefined {
    if (value === undefined || value === null || value === "") return required ? {} : undefined;
    if (typeof value !== "object" || Array.isArray(value)) this.fail(field, "a mapping");
    return value as Record<string, unknown>;
  }

  list(value: unknown, field: string): unknown[] {
    if (value === undefined || value === null || value === "") return [];
    if (!Array.isArray(value)) this.fail(field, "a list");
    return value;
  }

  string(value: unknown, field: string): string {
    if (typeof value !== "string") this.fail(field, "a string");
    return value;
  }

  optionalString(obj: Record<string, unknown>, key: string, field: string): string | undefined {
    const value = obj[key];
    return value === undefined || value === null ? undefined : this.string(value, field);
  }

  optionalBoolean(obj: Record<string, unknown>, key: string, field: string): boolean | undefined {
    const value = obj[key];
    if (value === undefined || value === null || value === "") return undefined;
    if (typeof value === "boolean") return value;
    // YAML 1.1 spellings, as Go's yaml library reads them.
    if (typeof value === "string") {
      if (/^(true|yes|on|y)$/i.test(value)) return true;
      if (/^(false|no|off|n)$/i.test(value)) return false;
    }
    return this.fail(field, "true or false");
  }

  /** `clusters: [{name, cluster: {...}}]` -> [name, body, field path of body]. */
  *namedList(obj: Record<string, unknown>, key: string, bodyKey: string, field: string = key): Generator<[string, Record<string, unknown>, string]> {
    const items = this.list(obj[key], field);
    for (let i = 0; i < items.length; i++) {
      const item = this.object(items[i], `${field}[${i}]`, true) ?? {};
      const name = item["name"];
      if (typeof name !== "string" || name === "") this.fail(`${field}[${i}].name`, "a non-empty string");
      const at = `${field}[${JSON.stringify(name)}].${bodyKey}`;
      yield [name, this.object(item[bodyKey], at, true) ?? {}, at];
    }
  }
}

function where(file: string | undefined): { file?: string } {
  return file !== undefined ? { file } : {};
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === "" ? undefined : value;
}

function assign<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}

/** A value from the file, cut short for a message (only for non-secret fields). */
function short(value: string): string {
  return value.length > 60 ? `${value.slice(0, 60)}...` : value;
}
