/**
 * Structured logging for controllers and leader election: a message and fields. Pass
 * your own (pino, winston, console) through `log`; the default writes warnings and
 * errors to stderr and drops the rest. `jsonLogger()` writes every line as JSON.
 */
export type LogFields = Record<string, unknown>;

export interface ControllerLogger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/** An error as log fields: name and message only (never a request's headers or body). */
export function errorFields(error: unknown): LogFields {
  if (error instanceof Error) return { error: `${error.name}: ${error.message}` };
  return { error: String(error) };
}

function line(level: string, message: string, fields: LogFields | undefined): string {
  return JSON.stringify({ time: new Date().toISOString(), level, msg: message, ...fields });
}

/** Warnings and errors to stderr as JSON lines; debug and info dropped. */
export const defaultLogger: ControllerLogger = {
  debug() {},
  info() {},
  warn: (message, fields) => void process.stderr.write(`${line("warn", message, fields)}\n`),
  error: (message, fields) => void process.stderr.write(`${line("error", message, fields)}\n`),
};

/** Every level as one JSON object per line (`time`, `level`, `msg`, fields) on `write` (default stderr). */
export function jsonLogger(options: { write?: (text: string) => void; debug?: boolean } = {}): ControllerLogger {
  const write = options.write ?? ((text: string) => void process.stderr.write(text));
  return {
    debug: (message, fields) => {
      if (options.debug === true) write(`${line("debug", message, fields)}\n`);
    },
    info: (message, fields) => write(`${line("info", message, fields)}\n`),
    warn: (message, fields) => write(`${line("warn", message, fields)}\n`),
    error: (message, fields) => write(`${line("error", message, fields)}\n`),
  };
}
