import type { Status } from "./model/meta.js";

/** Base of every error kubex throws. */
export class KubexError extends Error {
  override name = "KubexError";
}

/**
 * A configuration problem: kubeconfig, in-cluster files, exec credential plugins.
 * Names the file, context and field where it can, and says how to fix it.
 */
export class KubexConfigError extends KubexError {
  override name = "KubexConfigError";
  readonly file: string | undefined;
  readonly context: string | undefined;
  readonly field: string | undefined;
  readonly hint: string | undefined;

  constructor(message: string, details: { file?: string; context?: string; field?: string; hint?: string; cause?: unknown } = {}) {
    const where = [
      details.file !== undefined ? `file ${details.file}` : undefined,
      details.context !== undefined ? `context "${details.context}"` : undefined,
      details.field !== undefined ? `field ${details.field}` : undefined,
    ].filter((part) => part !== undefined);
    const text = [message, where.length > 0 ? ` (${where.join(", ")})` : "", details.hint ? `. Hint: ${details.hint}` : ""].join("");
    super(text, details.cause !== undefined ? { cause: details.cause } : undefined);
    this.file = details.file;
    this.context = details.context;
    this.field = details.field;
    this.hint = details.hint;
  }
}

/** A message that says how often the request was sent, when it was more than once. */
function withAttempts(message: string, attempts: number | undefined): string {
  return attempts !== undefined && attempts > 1 ? `${message} (gave up after ${attempts} attempts)` : message;
}

/** A failure on the client side: connection, TLS, timeout, abort, a response that is not what the API sends. */
export class KubexClientError extends KubexError {
  override name = "KubexClientError";
  /** How many times the request was sent before giving up (set when retries were allowed). */
  readonly attempts: number | undefined;
  constructor(message: string, options?: { cause?: unknown; attempts?: number }) {
    super(withAttempts(message, options?.attempts), options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.attempts = options?.attempts;
  }
}

/** `16 MiB`, `512 KiB`, `100 bytes`: a byte count as a person reads it. */
function formatBytes(bytes: number): string {
  if (bytes >= 1 << 20 && bytes % (1 << 20) === 0) return `${bytes / (1 << 20)} MiB`;
  if (bytes >= 1 << 10 && bytes % (1 << 10) === 0) return `${bytes / (1 << 10)} KiB`;
  return `${bytes} bytes`;
}

/**
 * A response part larger than its limit: a 2xx body, or one watch event (client-go caps a
 * watch frame at 16 MiB too). Reading stopped at the limit and the connection was closed.
 */
export class ResponseTooLarge extends KubexClientError {
  override name = "ResponseTooLarge";
  /** The limit in bytes. */
  readonly limit: number;
  /** The option that sets the limit, e.g. `maxResponseBytes` or `maxEventBytes`. */
  readonly option: string;
  constructor(what: string, limit: number, option: string) {
    super(
      `${what} is larger than ${formatBytes(limit)}, the ${option} limit; reading stopped there (raise ${option} if it really is that large)`,
    );
    this.limit = limit;
    this.option = option;
  }
}

/** The request was aborted by its `signal` or ran past its `timeout`. */
export class RequestAborted extends KubexClientError {
  override name = "RequestAborted";
}

/** The client was closed while the request was in flight, or before it was sent. */
export class ClientClosed extends KubexClientError {
  override name = "ClientClosed";
}

/**
 * A 2xx answer whose body is not what the API sends: not a JSON object (`null`, `42`, an
 * array), or a list with an item that is not an object. Names what was expected and what came.
 */
export class UnexpectedResponse extends KubexClientError {
  override name = "UnexpectedResponse";
}

/** A subresource was used on a kind whose API does not have it (reached only from plain JavaScript or casts). */
export class SubresourceNotSupported extends KubexError {
  override name = "SubresourceNotSupported";
  readonly kind: string;
  readonly subresource: string;
  constructor(kind: string, subresource: string, apiVersion: string, customResourceDefinition?: string) {
    super(
      customResourceDefinition === undefined
        ? `${kind} (${apiVersion}) has no /${subresource} subresource in this Kubernetes version`
        : `${kind} (${apiVersion}) has no /${subresource} subresource: its CustomResourceDefinition ${customResourceDefinition} does not declare subresources.${subresource} for version ${apiVersion.slice(apiVersion.lastIndexOf("/") + 1)} (regenerate after adding it)`,
    );
    this.kind = kind;
    this.subresource = subresource;
  }
}

/** A request that was rejected before it was sent (bad name, namespace rules, invalid options). */
export class InvalidRequest extends KubexError {
  override name = "InvalidRequest";
}

/** Any non-2xx answer of the API server. Carries the server's `Status`. */
export class KubexApiError extends KubexError {
  override name = "KubexApiError";
  /** HTTP status code. */
  readonly code: number;
  /** The `Status` the server sent (synthesised when it sent something else). */
  readonly status: Status;
  /** Seconds the server asked to wait before retrying, from `Retry-After` or `details.retryAfterSeconds`. */
  readonly retryAfterSeconds: number | undefined;

  /** How many times the request was sent before giving up (set when it was retried). */
  readonly attempts: number | undefined;

  constructor(code: number, status: Status, retryAfterSeconds?: number, attempts?: number) {
    const message =
      status.message && status.message.length > 0
        ? status.message
        : `the API server answered ${code}${status.reason ? ` ${status.reason}` : ""}`;
    super(withAttempts(message, attempts));
    this.code = code;
    this.status = status;
    this.retryAfterSeconds = retryAfterSeconds ?? status.details?.retryAfterSeconds;
    this.attempts = attempts;
  }

  /** `Status.reason`, e.g. `NotFound`, `AlreadyExists`, `Conflict`, `Invalid`. */
  get reason(): string | undefined {
    return this.status.reason;
  }
}

export class BadRequest extends KubexApiError {
  override name = "BadRequest";
}
export class Unauthorized extends KubexApiError {
  override name = "Unauthorized";
}
export class Forbidden extends KubexApiError {
  override name = "Forbidden";
}
export class NotFound extends KubexApiError {
  override name = "NotFound";
}
export class MethodNotAllowed extends KubexApiError {
  override name = "MethodNotAllowed";
}
export class NotAcceptable extends KubexApiError {
  override name = "NotAcceptable";
}
export class Conflict extends KubexApiError {
  override name = "Conflict";
}
export class Gone extends KubexApiError {
  override name = "Gone";
}
/** 413: the request body is larger than the API server accepts (3 MiB by default; etcd's limit is 1.5 MiB per object). */
export class RequestEntityTooLarge extends KubexApiError {
  override name = "RequestEntityTooLarge";
}
export class UnsupportedMediaType extends KubexApiError {
  override name = "UnsupportedMediaType";
}
export class UnprocessableEntity extends KubexApiError {
  override name = "UnprocessableEntity";
}
export class TooManyRequests extends KubexApiError {
  override name = "TooManyRequests";
}
export class InternalServerError extends KubexApiError {
  override name = "InternalServerError";
}
export class ServiceUnavailable extends KubexApiError {
  override name = "ServiceUnavailable";
}
export class GatewayTimeout extends KubexApiError {
  override name = "GatewayTimeout";
}

const byCode: Record<number, new (code: number, status: Status, retryAfterSeconds?: number, attempts?: number) => KubexApiError> = {
  400: BadRequest,
  401: Unauthorized,
  403: Forbidden,
  404: NotFound,
  405: MethodNotAllowed,
  406: NotAcceptable,
  409: Conflict,
  410: Gone,
  413: RequestEntityTooLarge,
  415: UnsupportedMediaType,
  422: UnprocessableEntity,
  429: TooManyRequests,
  500: InternalServerError,
  503: ServiceUnavailable,
  504: GatewayTimeout,
};

/** The error class for an HTTP status code and the server's `Status`. */
export function apiErrorFor(code: number, status: Status, retryAfterSeconds?: number, attempts?: number): KubexApiError {
  const ErrorClass = byCode[code] ?? KubexApiError;
  return new ErrorClass(code, status, retryAfterSeconds, attempts);
}
