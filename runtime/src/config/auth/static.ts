/** Credentials fixed in the configuration: a bearer `token` or `username`/`password`. */
import type { AuthProvider } from "../types.js";

/** `Authorization: Bearer <token>`. The token is kept in a private field: it never shows in logs or `inspect`. */
export class BearerTokenAuth implements AuthProvider {
  readonly #token: string;
  constructor(token: string) {
    this.#token = token;
  }
  async headers(): Promise<Record<string, string>> {
    return { authorization: `Bearer ${this.#token}` };
  }
  /** A fixed token cannot get better by asking again. */
  async refresh(): Promise<boolean> {
    return false;
  }
  describe(): string {
    return "bearer token";
  }
}

/** HTTP basic authentication (`username`/`password`). */
export class BasicAuth implements AuthProvider {
  readonly #header: string;
  readonly #username: string;
  constructor(username: string, password: string) {
    this.#username = username;
    this.#header = `Basic ${Buffer.from(`${username}:${password}`, "utf8").toString("base64")}`;
  }
  async headers(): Promise<Record<string, string>> {
    return { authorization: this.#header };
  }
  async refresh(): Promise<boolean> {
    return false;
  }
  describe(): string {
    return `basic auth as "${this.#username}"`;
  }
}
