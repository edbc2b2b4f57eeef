import { InvalidRequest } from "../errors.js";
import { isPort } from "./validate.js";

/**
 * Query strings of the streaming subresources (pure): exec, attach, port-forward, log.
 * `what` prefixes error messages, e.g. `Pod exec`.
 */

export interface ExecQueryOptions {
  command: readonly string[];
  container?: string;
  stdin?: boolean;
  stdout?: boolean;
  stderr?: boolean;
  tty?: boolean;
}

export interface AttachQueryOptions {
  container?: string;
  stdin?: boolean;
  stdout?: boolean;
  stderr?: boolean;
  tty?: boolean;
}

export interface LogQueryOptions {
  container?: string;
  follow?: boolean;
  previous?: boolean;
  sinceSeconds?: number;
  /** An RFC 3339 time or a `Date`; only one of `sinceSeconds` / `sinceTime`. */
  sinceTime?: string | Date;
  tailLines?: number;
  timestamps?: boolean;
  limitBytes?: number;
  /** Ask the server to pretty-print (`pretty=true`); kept for parity with the API, logs are text either way. */
  pretty?: boolean;
}

function streamsQuery(what: string, options: AttachQueryOptions): URLSearchParams {
  const query = new URLSearchParams();
  if (options.container !== undefined) query.set("container", nonEmpty(what, "container", options.container));
  const stdin = options.stdin ?? false;
  const stdout = options.stdout ?? true;
  const stderr = (options.stderr ?? true) && options.tty !== true;
  if (!stdin && !stdout && !stderr) {
    throw new InvalidRequest(`${what}: at least one of stdin, stdout and stderr must be true`);
  }
  query.set("stdin", String(stdin));
  query.set("stdout", String(stdout));
  query.set("stderr", String(stderr));
  query.set("tty", String(options.tty ?? false));
  return query;
}

export function execQuery(what: string, options: ExecQueryOptions): URLSearchParams {
  const command = options.command as unknown;
  if (!Array.isArray(command) || command.length === 0 || command.some((part) => typeof part !== "string")) {
    throw new InvalidRequest(`${what}: command must be a non-empty array of strings, e.g. ["sh", "-c", "echo hi"]`);
  }
  if ((command[0] as string).length === 0) throw new InvalidRequest(`${what}: command[0] (the program) is empty`);
  const query = streamsQuery(what, options);
  for (const part of command as string[]) query.append("command", part);
  return query;
}

export function attachQuery(what: string, options: AttachQueryOptions): URLSearchParams {
  return streamsQuery(what, options);
}

/** Validated ports of a forward() call, as `ports=` parameters. */
export function portForwardQuery(what: string, ports: readonly number[]): URLSearchParams {
  const given = ports as unknown;
  if (!Array.isArray(given) || given.length === 0) {
    throw new InvalidRequest(`${what}: ports must be a non-empty array of port numbers`);
  }
  const seen = new Set<number>();
  const query = new URLSearchParams();
  for (const port of given as unknown[]) {
    if (!isPort(port, false)) throw new InvalidRequest(`${what}: port ${JSON.stringify(port)} must be an integer from 1 to 65535`);
    if (seen.has(port)) throw new InvalidRequest(`${what}: port ${port} is listed twice`);
    seen.add(port);
    query.append("ports", String(port));
  }
  return query;
}

export function logQuery(what: string, options: LogQueryOptions): URLSearchParams {
  const query = new URLSearchParams();
  if (options.container !== undefined) query.set("container", nonEmpty(what, "container", options.container));
  if (options.follow === true) query.set("follow", "true");
  if (options.previous === true) query.set("previous", "true");
  if (options.timestamps === true) query.set("timestamps", "true");
  if (options.pretty === true) query.set("pretty", "true");
  if (options.sinceSeconds !== undefined && options.sinceTime !== undefined) {
    throw new InvalidRequest(`${what}: give sinceSeconds or sinceTime, not both`);
  }
  if (options.sinceSeconds !== undefined) query.set("sinceSeconds", String(positive(what, "sinceSeconds", options.sinceSeconds)));
  if (options.sinceTime !== undefined) query.set("sinceTime", rfc3339(what, options.sinceTime));
  if (options.tailLines !== undefined) query.set("tailLines", String(nonNegative(what, "tailLines", options.tailLines)));
  if (options.limitBytes !== undefined) query.set("limitBytes", String(positive(what, "limitBytes", options.limitBytes)));
  return query;
}

function nonEmpty(what: string, name: string, value: unknown): string {
  if (typeof value !== "string" || value.length === 0) {
    throw new InvalidRequest(`${what}: ${name} must be a non-empty string, got ${JSON.stringify(value)}`);
  }
  return value;
}

function positive(what: string, name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    throw new InvalidRequest(`${what}: ${name} must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

function nonNegative(what: string, name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    throw new InvalidRequest(`${what}: ${name} must be a non-negative integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

function rfc3339(what: string, value: string | Date): string {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) {
    throw new InvalidRequest(`${what}: sinceTime ${JSON.stringify(String(value))} is not a valid time (use a Date or an RFC 3339 string)`);
  }
  // The API takes whole seconds in UTC.
  return `${date.toISOString().slice(0, 19)}Z`;
}

/**
 * Checks a caller's choice of WebSocket subprotocols against the ones the session
 * speaks (`allowed`, e.g. EXEC_PROTOCOLS), keeping the caller's order of preference.
 * Unset: all of `allowed`, in its order.
 */
export function channelProtocols(what: string, given: readonly string[] | undefined, allowed: readonly string[]): readonly string[] {
  if (given === undefined) return allowed;
  const list = given as unknown;
  if (!Array.isArray(list) || list.length === 0) {
    throw new InvalidRequest(`${what}: protocols must be a non-empty array, a subset of ${allowed.join(", ")}`);
  }
  const seen = new Set<string>();
  for (const protocol of list as unknown[]) {
    if (typeof protocol !== "string" || !allowed.includes(protocol)) {
      throw new InvalidRequest(`${what}: protocol ${JSON.stringify(protocol)} is not one this session speaks (${allowed.join(", ")})`);
    }
    if (seen.has(protocol)) throw new InvalidRequest(`${what}: protocol ${protocol} is listed twice`);
    seen.add(protocol);
  }
  return [...(list as string[])];
}
