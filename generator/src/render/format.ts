/**
 * Stage 6, format: prettier, with one fixed configuration so output does not depend on
 * the machine's prettier config, and the file path given. The parser is `babel-ts`: the
 * same output as `typescript` for what the templates write (generate:check and the CRD
 * corpus compare every byte) in about 60% of the time on large CRD modules (argo-cd's).
 */
import * as prettier from "prettier";
import { GeneratorError } from "../errors.js";

const options: prettier.Options = {
  parser: "babel-ts",
  printWidth: 100,
  tabWidth: 2,
  semi: true,
  singleQuote: false,
  trailingComma: "all",
  bracketSpacing: true,
  endOfLine: "lf",
};

/** Where prettier found the generated code not to parse (1-based line), when it says. */
export class FormatError extends GeneratorError {
  constructor(
    message: string,
    file: string,
    readonly line: number | undefined,
  ) {
    super(message, file);
  }
}

export async function formatTypeScript(source: string, file: string): Promise<string> {
  try {
    return await prettier.format(source, { ...options, filepath: file });
  } catch (error) {
    const first = (error as Error).message.split("\n")[0];
    const line = (error as { loc?: { start?: { line?: unknown } } }).loc?.start?.line;
    throw new FormatError(
      `generated code does not parse (a template or model bug): ${first}`,
      file,
      typeof line === "number" ? line : undefined,
    );
  }
}
