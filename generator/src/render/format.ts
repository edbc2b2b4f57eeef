/**
 * Stage 6, format: prettier, with one fixed configuration so output does not depend on
 * the machine's prettier config.
 */
import * as prettier from "prettier";
import { GeneratorError } from "../errors.js";

const options: prettier.Options = {
  parser: "typescript",
  printWidth: 100,
  tabWidth: 2,
  semi: true,
  singleQuote: false,
  trailingComma: "all",
  bracketSpacing: true,
  endOfLine: "lf",
};

export async function formatTypeScript(source: string, file: string): Promise<string> {
  try {
    return await prettier.format(source, options);
  } catch (error) {
    const first = (error as Error).message.split("\n")[0];
    throw new GeneratorError(`generated code does not parse (a template or model bug): ${first}`, file);
  }
}
