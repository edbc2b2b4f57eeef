/**
 * The `oidc` auth-provider (client-go's plugin/pkg/client/auth/oidc), kept by client-go when it
 * removed the others: the `id-token` is the bearer token while its JWT `exp` is more than 10 s
 * away; otherwise the `refresh-token` is exchanged at the issuer's token endpoint (found through
 * `<idp-issuer-url>/.well-known/openid-configuration`) for a new id-token (and maybe a new
 * refresh token), which are written back to the kubeconfig file, as client-go's persister does.
 *
 * The issuer is called over https (with `idp-certificate-authority(-data)` when given); plain
 * http is allowed only for a loopback issuer, so a refresh token never crosses a network in clear.
 */
import type https from "node:https";
import { KubexConfigError } from "../../errors.js";
import type { AuthProvider } from "../types.js";

export interface OidcConfig {
  issuerUrl: string;
  clientId: string;
  clientSecret?: string;
  idToken?: string;
  refreshToken?: string;
  /** PEM CA bundle to verify the issuer with (`idp-certificate-authority` / `-data`). */
  ca?: string;
}

export interface OidcAuthOptions {
  /** Stores refreshed tokens (the kubeconfig loader writes them back to the file that defines the user). */
  persist?: (tokens: { idToken: string; refreshToken?: string }) => Promise<void>;
  /** Where the provider is configured, for errors. */
  source?: { file?: string; context?: string; field?: string };
  /** Milliseconds one issuer request may take (default 30 000). */
  timeout?: number;
  /** Clock, for tests. */
  now?: () => number;
}

/** A token this close to its `exp` counts as expired (client-go's expiryDelta). */
const EXPIRY_DELTA_MS = 10_000;

export class OidcAuth implements AuthProvider {
  readonly #config: OidcConfig;
  readonly #options: OidcAuthOptions;
  readonly #now: () => number;
  #idToken: string | undefined;
  #refreshToken: string | undefined;
  #refreshing: Promise<string> | undefined;

  constructor(config: OidcConfig, options: OidcAuthOptions = {}) {
    if (config.issuerUrl === "")
      throw this.#error("oidc auth-provider has no idp-issuer-url", "set auth-provider.config.idp-issuer-url to the issuer's URL");
    if (config.clientId === "")
      throw this.#error("oidc auth-provider has no client-id", "set auth-provider.config.client-id", options.source);
    this.#config = config;
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#idToken = config.idToken;
    this.#refreshToken = config.refreshToken;
    const issuer = this.#url(config.issuerUrl, "idp-issuer-url");
    if (issuer.protocol === "http:" && !isLoopback(issuer.hostname)) {
      throw this.#error("oidc idp-issuer-url must be https (the refresh token would travel in clear)", "use the issuer's https:// URL");
    }
  }

  get issuerUrl(): string {
    return this.#config.issuerUrl;
  }

  async headers(): Promise<Record<string, string>> {
    const token = this.#idToken;
    if (token !== undefined && this.#valid(token)) return { authorization: `Bearer ${token}` };
    return { authorization: `Bearer ${await this.#refresh()}` };
  }

  /** After a 401: exchange the refresh token again; true when that gave a new id-token. */
  async refresh(): Promise<boolean> {
    if (this.#refreshToken === undefined) return false;
    const before = this.#idToken;
    return (await this.#refresh()) !== before;
  }

  describe(): string {
    return `oidc auth-provider (issuer ${this.#config.issuerUrl})`;
  }

  toJSON(): { type: string; issuer: string } {
    return { type: "oidc", issuer: this.#config.issuerUrl };
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return `OidcAuth { ${this.describe()} }`;
  }

  #valid(token: string): boolean {
    const parts = token.split(".");
    if (parts.length !== 3) throw this.#error("oidc id-token is not a valid JWT", "log in again to get a new id-token");
    let exp: unknown;
    try {
      exp = (JSON.parse(Buffer.from(parts[1] as string, "base64url").toString("utf8")) as { exp?: unknown }).exp;
    } catch {
      throw this.#error("oidc id-token's claims cannot be read", "log in again to get a new id-token");
    }
    if (typeof exp !== "number") return false;
    return this.#now() + EXPIRY_DELTA_MS < exp * 1000;
  }

  /** One refresh at a time; concurrent callers share it. */
  #refresh(): Promise<string> {
    this.#refreshing ??= this.#refreshOnce().finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  async #refreshOnce(): Promise<string> {
    const refreshToken = this.#refreshToken;
    if (refreshToken === undefined) {
      throw this.#error(
        "oidc id-token has expired and there is no refresh-token to renew it",
        "log in again (for example with your identity provider's kubectl login tool)",
      );
    }
    const endpoint = await this.#tokenEndpoint();
    const body = new URLSearchParams({ grant_type: "refresh_token", refresh_token: refreshToken });
    const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded", accept: "application/json" };
    if (this.#config.clientSecret !== undefined) {
      // RFC 6749 2.3.1: form-encoded id and secret in basic auth (golang.org/x/oauth2 does the same).
      headers["authorization"] =
        `Basic ${Buffer.from(`${encodeURIComponent(this.#config.clientId)}:${encodeURIComponent(this.#config.clientSecret)}`).toString("base64")}`;
    } else {
      body.set("client_id", this.#config.clientId);
    }
    const { status, json } = await this.#call(endpoint, { method: "POST", headers, body: body.toString() });
    if (status !== 200) {
      const reason =
        typeof json?.["error"] === "string"
          ? `: ${short(json["error"])}${typeof json["error_description"] === "string" ? ` (${short(json["error_description"])})` : ""}`
          : "";
      throw this.#error(
        `oidc token endpoint answered ${status} to the refresh${reason}`,
        "the refresh token may be expired or revoked: log in again",
      );
    }
    const idToken = json?.["id_token"];
    if (typeof idToken !== "string" || idToken === "") {
      throw this.#error(
        "oidc token response has no id_token",
        'the provider must return id tokens on refresh (request the "openid" scope at login)',
      );
    }
    const newRefresh =
      typeof json?.["refresh_token"] === "string" && json["refresh_token"] !== "" ? (json["refresh_token"] as string) : undefined;
    const tokens: { idToken: string; refreshToken?: string } = { idToken };
    if (newRefresh !== undefined && newRefresh !== refreshToken) tokens.refreshToken = newRefresh;
    if (this.#options.persist !== undefined) {
      try {
        await this.#options.persist(tokens);
      } catch (error) {
        throw this.#error(
          `could not write the refreshed oidc tokens back to the kubeconfig (${(error as NodeJS.ErrnoException).code ?? "error"})`,
          "check that the kubeconfig file is writable",
          undefined,
          error,
        );
      }
    }
    this.#idToken = idToken;
    if (tokens.refreshToken !== undefined) this.#refreshToken = tokens.refreshToken;
    return idToken;
  }

  async #tokenEndpoint(): Promise<string> {
    const wellKnown = `${this.#config.issuerUrl.replace(/\/+$/, "")}/.well-known/openid-configuration`;
    const { status, json } = await this.#call(wellKnown, { method: "GET", headers: { accept: "application/json" } });
    if (status !== 200) throw this.#error(`oidc issuer's discovery document answered ${status}`, "check idp-issuer-url");
    const endpoint = json?.["token_endpoint"];
    if (typeof endpoint !== "string" || endpoint === "")
      throw this.#error("oidc issuer's discovery document has no token_endpoint", "check idp-issuer-url");
    const url = this.#url(endpoint, "token_endpoint");
    if (url.protocol === "http:" && !isLoopback(url.hostname))
      throw this.#error("oidc token_endpoint is not https", "the issuer must publish an https token endpoint");
    return endpoint;
  }

  /** One request to the issuer (node's http(s): this runs a few times an hour, and keeps undici's main entry unloaded). */
  async #call(
    url: string,
    init: { method: "GET" | "POST"; headers: Record<string, string>; body?: string },
  ): Promise<{ status: number; json: Record<string, unknown> | undefined }> {
    const target = new URL(url);
    const timeout = this.#options.timeout ?? 30_000;
    let status: number;
    let text: string;
    try {
      ({ status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
        const options: https.RequestOptions = { method: init.method, headers: init.headers, signal: AbortSignal.timeout(timeout) };
        if (this.#config.ca !== undefined) options.ca = this.#config.ca;
        const req = process.getBuiltinModule(target.protocol === "https:" ? "node:https" : "node:http").request(target, options, (res) => {
          let body = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => {
            body += chunk;
            if (body.length > 1 << 20) req.destroy(new Error("response too large"));
          });
          res.on("end", () => resolve({ status: res.statusCode ?? 0, text: body }));
          res.on("error", reject);
        });
        req.on("error", reject);
        req.end(init.body);
      }));
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      throw this.#error(
        `oidc issuer ${target.origin} cannot be reached (${typeof code === "string" ? code : (error as Error).name})`,
        "check idp-issuer-url and the network",
        undefined,
        error,
      );
    }
    let json: Record<string, unknown> | undefined;
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed !== null && typeof parsed === "object") json = parsed as Record<string, unknown>;
    } catch {
      json = undefined;
    }
    return { status, json };
  }

  #url(text: string, field: string): URL {
    try {
      return new URL(text);
    } catch {
      throw this.#error(`oidc ${field} is not a valid URL`, "write it as https://HOST/...");
    }
  }

  #error(message: string, hint: string, source = this.#options?.source, cause?: unknown): KubexConfigError {
    // The cause of a network failure carries no token; anything from the token response is never attached.
    return new KubexConfigError(message, {
      ...(source ?? {}),
      hint,
      ...(cause !== undefined ? { cause: new Error(String((cause as Error).message ?? cause)) } : {}),
    });
  }
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "[::1]" || host === "::1" || /^127\./.test(host);
}

function short(text: string): string {
  const clean = text.replace(/[^\x20-\x7e]/g, "?");
  return clean.length > 200 ? `${clean.slice(0, 200)}...` : clean;
}
