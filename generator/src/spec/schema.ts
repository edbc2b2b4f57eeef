/**
 * The subset of OpenAPI v3 / JSON Schema that Kubernetes documents and CRD schemas use,
 * with the Kubernetes extensions. `openapi-types` gives the document shape; schemas are
 * typed here because the Kubernetes extensions matter to every stage.
 */
import type { OpenAPIV3 } from "openapi-types";

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export interface Schema {
  $ref?: string;
  type?: "string" | "integer" | "number" | "boolean" | "array" | "object";
  format?: string;
  description?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  additionalProperties?: Schema | boolean;
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
  enum?: unknown[];
  nullable?: boolean;
  default?: unknown;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  multipleOf?: number;
  uniqueItems?: boolean;
  minProperties?: number;
  maxProperties?: number;
  not?: Schema;
  "x-kubernetes-group-version-kind"?: GroupVersionKind[];
  "x-kubernetes-int-or-string"?: boolean;
  "x-kubernetes-preserve-unknown-fields"?: boolean;
  "x-kubernetes-embedded-resource"?: boolean;
  "x-kubernetes-list-type"?: string;
  "x-kubernetes-list-map-keys"?: string[];
  "x-kubernetes-map-type"?: string;
  "x-kubernetes-validations"?: Array<{ rule: string; message?: string; messageExpression?: string; reason?: string; fieldPath?: string }>;
  [extension: `x-${string}`]: unknown;
}

export interface Operation {
  operationId?: string;
  description?: string;
  "x-kubernetes-action"?: string;
  "x-kubernetes-group-version-kind"?: GroupVersionKind;
  responses?: Record<string, { content?: Record<string, { schema?: Schema }> }>;
}

export type HttpVerb = "get" | "put" | "post" | "patch" | "delete";
export const httpVerbs: readonly HttpVerb[] = ["get", "put", "post", "patch", "delete"];

export type PathItem = Partial<Record<HttpVerb, Operation>> & { parameters?: unknown[] };

/** One OpenAPI v3 document as Kubernetes publishes it (per group-version). */
export type SpecDocument = Omit<OpenAPIV3.Document, "paths" | "components"> & {
  paths?: Record<string, PathItem>;
  components?: { schemas?: Record<string, Schema> };
};

/** `#/components/schemas/NAME` -> `NAME`. */
export function refName(ref: string): string {
  const prefix = "#/components/schemas/";
  return ref.startsWith(prefix) ? ref.slice(prefix.length) : ref;
}
