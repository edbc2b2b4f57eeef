/**
 * Stage 1, load: read every OpenAPI v3 document of one Kubernetes version from a folder
 * (or a list of files). Errors name the file and what is wrong with it.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { GeneratorError } from "../errors.js";
import type { SpecDocument } from "./schema.js";

export interface LoadedDocument {
  /** Path of the file, as given, for error messages. */
  file: string;
  document: SpecDocument;
}

export function loadSpecDir(dir: string): LoadedDocument[] {
  let entries: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new GeneratorError("is not a folder of OpenAPI documents", dir);
    entries = readdirSync(dir);
  } catch (error) {
    if (error instanceof GeneratorError) throw error;
    throw new GeneratorError(`cannot read the spec folder (${(error as NodeJS.ErrnoException).code ?? String(error)})`, dir);
  }
  const files = entries.filter((name) => name.endsWith(".json")).sort();
  if (files.length === 0) throw new GeneratorError("has no OpenAPI .json documents", dir);
  return files.map((name) => loadSpecFile(join(dir, name)));
}

export function loadSpecFile(file: string): LoadedDocument {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new GeneratorError(`cannot read the file (${(error as NodeJS.ErrnoException).code ?? String(error)})`, file);
  }
  return { file, document: parseSpecText(text, file) };
}

export function parseSpecText(text: string, file: string): SpecDocument {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new GeneratorError(`is not valid JSON: ${(error as Error).message}`, file);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new GeneratorError("is not an OpenAPI document (expected a JSON object)", file);
  }
  const doc = parsed as Record<string, unknown>;
  if (typeof doc.openapi !== "string" || !doc.openapi.startsWith("3.")) {
    throw new GeneratorError(
      `is not an OpenAPI 3 document (openapi: ${JSON.stringify(doc.openapi ?? null)}); use the v3 documents from api/openapi-spec/v3 or /openapi/v3`,
      file,
    );
  }
  for (const field of ["paths", "components"] as const) {
    if (doc[field] !== undefined && (typeof doc[field] !== "object" || doc[field] === null)) {
      throw new GeneratorError(`field '${field}' must be an object`, file);
    }
  }
  return parsed as SpecDocument;
}
