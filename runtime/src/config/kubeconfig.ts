/**
 * The kubeconfig document: bytes or YAML text -> typed entries. Pure (no I/O).
 *
 * Read as client-go reads it (Go's YAML into typed fields): every scalar is its source text,
 * so `name: yes` and `namespace: 0123` are strings; plain `null`, `~` and an empty value are
 * null (no value), never the string "null"; merge keys (`<<: *anchor`) apply; boolean fields
 * take YAML 1.1 spellings. Here the file's structure and field types are checked; what an entry
 * means (an exec plugin without a command, two ways to authenticate) is checked when a context
 * uses it (resolve.ts), so a broken entry nobody uses does not fail the file, as with kubectl.
 *
 * Relative file paths are resolved against the directory of the file that names them, as
 * kubectl does, so entries stay correct after several files are merged.
 */
import path from "node:path";
import jsyaml from "js-yaml";
import { KubexConfigError } from "../errors.js";
import { protectedEntry, protectKubeconfig } from "./protect.js";
import type { Impersonation } from "./types.js";

export type InteractiveMode = "Never" | "IfAvailable" | "Always";

/** `users[].user.exec`: a client-go credential plugin, validated. */
export interface ExecConfig {
  command: string;
  args: string[];
  env: { name: string; value: string }[];
  apiVersion: string;
  installHint?: string;
  provideClusterInfo: boolean;
  interactiveMode: InteractiveMode;
}

/** `users[].user.exec` as written (checked when a context uses the user). */
export interface ExecEntry {
  command?: string;
  args: string[];
  env: { name: string; value: string }[];
  apiVersion?: string;
  installHint?: string;
  provideClusterInfo: boolean;
  /** As written; for v1beta1 an unset mode is `IfAvailable`, as client-go's defaulting does. */
  interactiveMode?: string;
}

export interface KubeconfigCluster {
  name: string;
  /** Where it is written, for messages: `clusters[2] "prod"`. */
  entry: string;
  /** The kubeconfig file this entry came from (undefined for text/object input). */
  file: string | undefined;
  server?: string;
  certificateAuthority?: string;
  certificateAuthorityData?: string;
  tlsServerName?: string;
  insecureSkipTlsVerify: boolean;
  disableCompression: boolean;
  proxyUrl?: string;
  /** `extensions[name=client.authentication.k8s.io/exec].extension`, passed to exec plugins. */
  execExtension?: unknown;
}

export interface KubeconfigUser {
  name: string;
  entry: string;
  file: string | undefined;
  token?: string;
  tokenFile?: string;
  username?: string;
  password?: string;
  clientCertificate?: string;
  clientCertificateData?: string;
  clientKey?: string;
  clientKeyData?: string;
  exec?: ExecEntry;
  /** A legacy `auth-provider` (only `oidc` is supported, as in client-go). */
  authProvider?: { name: string; config: Record<string, string> };
  impersonate?: Impersonation;
}

export interface KubeconfigContext {
  name: string;
  entry: string;
  file: string | undefined;
  cluster?: string;
  user?: string;
  namespace?: string;
}

/** One kubeconfig file (or several merged by kubectl's rules). Its renderings (JSON, inspect) leave secrets out. */
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

const EXEC_EXTENSION = "client.authentication.k8s.io/exec";

/**
 * Scalars as their source text (YAML's failsafe schema), except that a plain `null`, `~` or empty
 * value is null, and `<<` merge keys apply: how client-go's YAML reading fills string fields.
 * Implicit types apply to plain scalars only, so a quoted "null" stays a string.
 */
const yamlTypes = (jsyaml as unknown as { types: { null: jsyaml.Type; merge: jsyaml.Type } }).types; // exported, not in @types/js-yaml
const KUBECONFIG_SCHEMA = jsyaml.FAILSAFE_SCHEMA.extend({ implicit: [yamlTypes.null, yamlTypes.merge] });

/**
 * A kubeconfig file's bytes -> text: UTF-16 (LE or BE, by its byte-order mark; what Windows
 * PowerShell's `>` writes) and UTF-8 with or without a BOM. Invalid UTF-8 is refused, never
 * replaced (a replaced byte inside a token would send a different token).
 */
export function decodeKubeconfigBytes(bytes: Uint8Array, file?: string): string {
  const where = file !== undefined ? { file } : {};
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder("utf-16le").decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder("utf-16be").decode(bytes.subarray(2));
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    const line = 1 + countNewlines(bytes, at);
    throw new KubexConfigError(`kubeconfig is not valid UTF-8 text (first invalid byte at line ${line}, offset ${at})`, {
      ...where,
      hint: "save the file as UTF-8 (or UTF-16 with a byte-order mark); a value with stray bytes is often a paste from a word processor",
    });
  }
}

/** Parses kubeconfig YAML (or JSON) text. Errors name the line but never echo the text (it may hold secrets). */
export function parseKubeconfigText(text: string, options: ParseKubeconfigOptions = {}): Kubeconfig {
  const where = options.file !== undefined ? { file: options.file } : {};
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const documents: unknown[] = [];
  try {
    jsyaml.loadAll(text, (doc) => documents.push(doc), { schema: KUBECONFIG_SCHEMA });
  } catch (error) {
    if (!(error instanceof jsyaml.YAMLException)) throw error;
    // The exception's message quotes the source (which may hold secrets); keep its reason and position only.
    const mark = (error as { mark?: { line: number; column: number } }).mark;
    const at = mark !== undefined ? ` at line ${mark.line + 1}, column ${mark.column + 1}` : "";
    throw new KubexConfigError(`kubeconfig is not valid YAML${at}: ${error.reason}`, {
      ...where,
      hint: "fix the YAML syntax (indentation, quoting) at that line",
    });
  }
  const nonEmptyDocs = documents.filter((doc) => doc !== null && doc !== undefined);
  if (nonEmptyDocs.length > 1) {
    throw new KubexConfigError(
      `kubeconfig file holds ${nonEmptyDocs.length} YAML documents (separated by ---); kubectl reads only the first`,
      {
        ...where,
        hint: "keep one document per file; to combine kubeconfigs, list the files in KUBECONFIG (path1:path2)",
      },
    );
  }
  const value = nonEmptyDocs[0];
  return kubeconfigFromObject(value ?? {}, options);
}

/** Validates a kubeconfig already parsed into plain objects (the shape of the YAML). */
export function kubeconfigFromObject(value: unknown, options: ParseKubeconfigOptions = {}): Kubeconfig {
  const file = options.file;
  const baseDir = file !== undefined ? path.dirname(path.resolve(file)) : path.resolve(options.baseDir ?? ".");
  const fields = new FieldReader(file);
  const root = fields.object(value, "", true) ?? {};
  const kind = fields.optionalString(root, "kind", "");
  if (kind !== undefined && kind !== "" && kind !== "Config") {
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
  const current = fields.optionalString(root, "current-context", "");
  if (current !== undefined && current !== "") {
    config.currentContext = current;
    if (file !== undefined) config.currentContextFile = file;
  }

  for (const [name, body, entry] of fields.namedList(root, "clusters", "cluster")) {
    const at = `${entry}.cluster`;
    const cluster: KubeconfigCluster = protectedEntry<KubeconfigCluster>({
      name,
      entry,
      file,
      insecureSkipTlsVerify: fields.optionalBoolean(body, "insecure-skip-tls-verify", at) ?? false,
      disableCompression: fields.optionalBoolean(body, "disable-compression", at) ?? false,
    });
    assign(cluster, "server", nonEmpty(fields.optionalString(body, "server", at)));
    assign(cluster, "certificateAuthority", resolvePath(fields.optionalString(body, "certificate-authority", at)));
    assign(cluster, "certificateAuthorityData", nonEmpty(fields.optionalString(body, "certificate-authority-data", at)));
    assign(cluster, "tlsServerName", nonEmpty(fields.optionalString(body, "tls-server-name", at)));
    assign(cluster, "proxyUrl", nonEmpty(fields.optionalString(body, "proxy-url", at)));
    for (const [extName, extBody] of fields.namedList(body, "extensions", "extension", `${at}.extensions`)) {
      if (extName === EXEC_EXTENSION) cluster.execExtension = extBody;
    }
    config.clusters.set(name, cluster);
  }

  for (const [name, body, entry] of fields.namedList(root, "users", "user")) {
    const at = `${entry}.user`;
    const user: KubeconfigUser = protectedEntry<KubeconfigUser>({ name, entry, file });
    assign(user, "token", nonEmpty(fields.optionalString(body, "token", at)));
    assign(user, "tokenFile", resolvePath(fields.optionalString(body, "tokenFile", at)));
    assign(user, "username", nonEmpty(fields.optionalString(body, "username", at)));
    assign(user, "password", nonEmpty(fields.optionalString(body, "password", at)));
    assign(user, "clientCertificate", resolvePath(fields.optionalString(body, "client-certificate", at)));
    assign(user, "clientCertificateData", nonEmpty(fields.optionalString(body, "client-certificate-data", at)));
    assign(user, "clientKey", resolvePath(fields.optionalString(body, "client-key", at)));
    assign(user, "clientKeyData", nonEmpty(fields.optionalString(body, "client-key-data", at)));
    const authProvider = fields.object(body["auth-provider"], `${at}.auth-provider`);
    if (authProvider !== undefined) {
      const providerConfig = fields.object(authProvider["config"], `${at}.auth-provider.config`) ?? {};
      const strings: Record<string, string> = {};
      for (const [key, v] of Object.entries(providerConfig))
        if (v !== null && v !== undefined) strings[key] = fields.string(v, `${at}.auth-provider.config.${key}`);
      user.authProvider = { name: fields.optionalString(authProvider, "name", `${at}.auth-provider`) ?? "", config: strings };
    }
    const impersonate: Impersonation = {};
    assign(impersonate, "user", nonEmpty(fields.optionalString(body, "as", at)));
    assign(impersonate, "uid", nonEmpty(fields.optionalString(body, "as-uid", at)));
    const groups = fields.list(body["as-groups"], `${at}.as-groups`).map((g, i) => fields.string(g, `${at}.as-groups[${i}]`));
    if (groups.length > 0) impersonate.groups = groups;
    const extraBody = fields.object(body["as-user-extra"], `${at}.as-user-extra`);
    if (extraBody !== undefined) {
      const extra: Record<string, string[]> = {};
      for (const [key, list] of Object.entries(extraBody)) {
        extra[key] = fields.list(list, `${at}.as-user-extra.${key}`).map((v, i) => fields.string(v, `${at}.as-user-extra.${key}[${i}]`));
      }
      if (Object.keys(extra).length > 0) impersonate.extra = extra;
    }
    if (Object.keys(impersonate).length > 0) user.impersonate = impersonate;
    const exec = fields.object(body["exec"], `${at}.exec`);
    if (exec !== undefined) user.exec = readExec(fields, exec, `${at}.exec`, baseDir);
    config.users.set(name, user);
  }

  for (const [name, body, entry] of fields.namedList(root, "contexts", "context")) {
    const at = `${entry}.context`;
    const context: KubeconfigContext = { name, entry, file };
    assign(context, "cluster", nonEmpty(fields.optionalString(body, "cluster", at)));
    assign(context, "user", nonEmpty(fields.optionalString(body, "user", at)));
    assign(context, "namespace", nonEmpty(fields.optionalString(body, "namespace", at)));
    config.contexts.set(name, context);
  }
  return protectKubeconfig(config);
}

function readExec(fields: FieldReader, exec: Record<string, unknown>, at: string, baseDir: string): ExecEntry {
  const command = nonEmpty(fields.optionalString(exec, "command", at));
  const apiVersion = nonEmpty(fields.optionalString(exec, "apiVersion", at));
  let interactiveMode = nonEmpty(fields.optionalString(exec, "interactiveMode", at));
  if (interactiveMode === undefined && apiVersion === "client.authentication.k8s.io/v1beta1") interactiveMode = "IfAvailable"; // client-go's defaulting
  const args = fields.list(exec["args"], `${at}.args`).map((arg, i) => fields.string(arg ?? "", `${at}.args[${i}]`));
  const env = fields.list(exec["env"], `${at}.env`).map((item, i) => {
    const entry = fields.object(item, `${at}.env[${i}]`, true) ?? {};
    return {
      name: fields.optionalString(entry, "name", `${at}.env[${i}]`) ?? "",
      value: fields.optionalString(entry, "value", `${at}.env[${i}]`) ?? "",
    };
  });
  const result: ExecEntry = {
    args,
    env,
    provideClusterInfo: fields.optionalBoolean(exec, "provideClusterInfo", at) ?? false,
  };
  // A command with a path separator is relative to the kubeconfig file, like client-go; a bare name is looked up on PATH.
  if (command !== undefined)
    result.command = command.includes("/") || command.includes(path.sep) ? path.resolve(baseDir, command) : command;
  assign(result, "apiVersion", apiVersion);
  assign(result, "interactiveMode", interactiveMode);
  const hint = nonEmpty(fields.optionalString(exec, "installHint", at));
  if (hint !== undefined) result.installHint = cleanControlCharacters(hint);
  return result;
}

/**
 * Control characters other than tab and line breaks (an ESC could restyle the terminal) become
 * `U+001B`, as client-go's cleanANSIEscapeCodes does before an install hint is shown.
 */
export function cleanControlCharacters(text: string): string {
  let out = "";
  for (const ch of text) {
    const code = ch.codePointAt(0) as number;
    const allowed = (code >= 0x09 && code <= 0x0d) || /[\p{L}\p{M}\p{N}\p{P}\p{S}\p{Z}]/u.test(ch);
    out += allowed ? ch : `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
  }
  return out;
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
    if (value === undefined || value === null) return required ? {} : undefined;
    if (typeof value !== "object" || Array.isArray(value)) this.fail(field, "a mapping");
    return value as Record<string, unknown>;
  }

  list(value: unknown, field: string): unknown[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) this.fail(field, "a list");
    return value;
  }

  string(value: unknown, field: string): string {
    if (typeof value !== "string") this.fail(field, "a string");
    return value;
  }

  /** `at` is the field path of `obj`; the field's own path is built only for a message. */
  optionalString(obj: Record<string, unknown>, key: string, at: string): string | undefined {
    const value = obj[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value === "string") return value;
    return this.fail(at === "" ? key : `${at}.${key}`, "a string");
  }

  optionalBoolean(obj: Record<string, unknown>, key: string, at: string): boolean | undefined {
    const field = at === "" ? key : `${at}.${key}`;
    const value = obj[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value === "boolean") return value;
    // YAML 1.1 spellings, as Go's yaml library reads them.
    if (typeof value === "string") {
      if (/^(true|yes|on|y)$/i.test(value)) return true;
      if (/^(false|no|off|n)$/i.test(value)) return false;
    }
    return this.fail(field, "true or false");
  }

  /**
   * `clusters: [{name, cluster: {...}}]` -> [name, body, entry label `clusters[2] "prod"`].
   * A name given twice in one file is refused, as client-go does; a missing name is the name "".
   */
  *namedList(
    obj: Record<string, unknown>,
    key: string,
    bodyKey: string,
    field: string = key,
    unique = true,
  ): Generator<[string, Record<string, unknown>, string]> {
    const items = this.list(obj[key], field);
    const seen = new Map<string, number>();
    for (let i = 0; i < items.length; i++) {
      const item = this.object(items[i], `${field}[${i}]`, true) ?? {};
      const name = item["name"] ?? "";
      if (typeof name !== "string") this.fail(`${field}[${i}].name`, "a string");
      const entry = `${field}[${i}] ${JSON.stringify(name)}`;
      const before = seen.get(name);
      if (before !== undefined) {
        if (!unique) continue;
        throw new KubexConfigError(
          `kubeconfig defines the ${bodyKey} name ${JSON.stringify(name)} twice (duplicate name in ${field}[${before}] and ${field}[${i}])`,
          {
            ...where(this.file),
            field: entry,
            hint: `rename or remove one of the two ${key} entries`,
          },
        );
      }
      seen.set(name, i);
      yield [name, this.object(item[bodyKey], `${entry}.${bodyKey}`, true) ?? {}, entry];
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

function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] as number;
    const n = b < 0x80 ? 0 : b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    if (n < 0) return i;
    for (let k = 1; k <= n; k++) if (((bytes[i + k] ?? 0) & 0xc0) !== 0x80) return i;
    i += n + 1;
  }
  return i;
}

function countNewlines(bytes: Uint8Array, end: number): number {
  let n = 0;
  for (let i = 0; i < end; i++) if (bytes[i] === 0x0a) n++;
  return n;
}
