/**
 * The parts of an `apiextensions.k8s.io/v1` CustomResourceDefinition the generator reads,
 * and where each one came from (for error messages).
 */
import type { Schema } from "../spec/schema.js";

export interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  deprecated?: boolean;
  deprecationWarning?: string;
  schema?: { openAPIV3Schema?: Schema };
  subresources?: {
    status?: Record<string, never>;
    scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string };
  };
}

export interface CustomResourceDefinition {
  apiVersion: "apiextensions.k8s.io/v1";
  kind: "CustomResourceDefinition";
  metadata: { name: string };
  spec: {
    group: string;
    names: { kind: string; plural: string; singular?: string; listKind?: string; shortNames?: string[]; categories?: string[] };
    scope: "Namespaced" | "Cluster";
    versions: CrdVersion[];
  };
}

/** Where a document came from: a file (and the document's position in it), stdin or a cluster. */
export interface CrdSource {
  /** File path as given, `<stdin>`, or `cluster <server>`. */
  file: string;
  /** Which document of a multi-document file or list, e.g. `document 2` or `items[3]`; absent when it is the only one. */
  document?: string;
}

export interface SourcedDocument {
  source: CrdSource;
  value: unknown;
}

/**
 * One problem with the input: enough to find it (file, CRD, version, JSON path) and what is
 * wrong. Printed on one line by `formatProblem`.
 */
export interface CrdProblem {
  source: CrdSource;
  crd?: string;
  version?: string;
  /** JSON path inside the document, e.g. `spec.versions[0].schema.openAPIV3Schema.properties.spec.type`. */
  path?: string;
  message: string;
}

/** `crds.yaml (document 2)`, or the file alone. */
export function formatSource(source: CrdSource): string {
  return source.document !== undefined ? `${source.file} (${source.document})` : source.file;
}

export function formatProblem(problem: CrdProblem): string {
  const parts = [formatSource(problem.source)];
  if (problem.crd !== undefined) parts.push(`CustomResourceDefinition ${problem.crd}`);
  if (problem.version !== undefined) parts.push(`version ${problem.version}`);
  if (problem.path !== undefined) parts.push(`at ${problem.path}`);
  return `${parts.join(", ")}: ${problem.message}`;
}
