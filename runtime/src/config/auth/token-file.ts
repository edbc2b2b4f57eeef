/**
 * A bearer token read from a file and read again as it rotates (kubeconfig `tokenFile`,
 * the in-cluster service-account token): re-read when the copy in memory is older than
 * `maxAge`, and at once on `refresh()` after a 401. A failed re-read keeps the last good token.
 */
import { readFile } from "node:fs/promises";
import { KubexConfigError } from "../../errors.js";
import type { AuthProvider } from "../types.js";

export interface TokenFileAuthOptions {
  /** Milliseconds a token read from the file is used before the file is read again (default 60 000). */
  maxAge?: number;
  /** For error messages: the kubeconfig file, context and field that named the token file. */
  source?: { file?: string; context?: string; field?: string };
  /** Clock, for tests. */
  now?: () => number;
}

export class TokenFileAuth implements AuthProvider {
  readonly path: string;
  readonly #maxAge: number;
  readonly #source: { file?: string; context?: string; field?: string };
  readonly #now: () => number;
  #token: string | undefined;
  #readAt = 0;
  #reading: Promise<string> | undefined;

  constructor(path: string, options: TokenFileAuthOptions = {}) {
    this.path = path;
    this.#maxAge = options.maxAge ?? 60_000;
    this.#source = options.source ?? {};
    this.#now = options.now ?? Date.now;
  }

  async headers(): Promise<Record<string, string>> {
    const fresh = this.#token !== undefined && this.#now() - this.#readAt < this.#maxAge;
    const token = fresh ? (this.#token as string) : await this.#read();
    return { authorization: `Bearer ${token}` };
  }

  /** Reads the file again; true when it holds a different token than the one in use. */
  async refresh(): Promise<boolean> {
    const before = this.#token;
    try {
      return (await this.#read()) !== before;
    } catch {
      return false;
    }
  }

  describe(): string {
    return `token file ${this.path}`;
  }

  /** One read at a time; concurrent callers share it. */
  #read(): Promise<string> {
    this.#reading ??= this.#readOnce().finally(() => {
      this.#reading = undefined;
    });
    return this.#reading;
  }

  async #readOnce(): Promise<string> {
    let text: string;
    try {
      text = await readFile(this.path, "utf8");
    } catch (error) {
      if (this.#token !== undefined) return this.#token; // keep the last good token while the file is being replaced
      const code = (error as NodeJS.ErrnoException).code;
      throw new KubexConfigError(
        code === "ENOENT" ? `token file ${this.path} does not exist` : `token file ${this.path} cannot be read (${code ?? "error"})`,
        { ...this.#source, hint: "check the path and its permissions", cause: error },
      );
    }
    const token = text.trim();
    if (token === "") {
      if (this.#token !== undefined) return this.#token;
      throw new KubexConfigError(`token file ${this.path} is empty`, { ...this.#source, hint: "write the bearer token into the file" });
    }
    this.#token = token;
    this.#readAt = this.#now();
    return token;
  }
}
