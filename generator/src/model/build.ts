/**
 * Stage 4, model: decide what to emit. Groups definitions into modules (one per
 * group/version), makes a class for each top-level kind (resource description and
 * markers) and an interface or alias for every other definition, and works out each
 * module's imports. Plain data out; rendering is the next stage's job.
 */
import { apiVersionOf, markerBySubresource as runtimeMarkers } from "@kubex/runtime";
import type { DetectedResource } from "../detect/resources.js";
import { refName, type Schema } from "../spec/schema.js";
import { docLines } from "./docs.js";
import { locate, propertyKey, relativeImport, runtimeProvided, type DefinitionLocation } from "./names.js";
import { tsType, type TypeResolver } from "./types.js";

/** Marker interface for each subresource path suffix that has one: the runtime owns the list. */
export const markerBySubresource: Readonly<Record<string, string>> = runtimeMarkers;

export interface PropertyModel {
  key: string;
  optional: boolean;
  type: string;
  doc: string[];
}

export interface ClassModel {
  template: "class";
  name: string;
  doc: string[];
  /** Marker interfaces, as written in this module (aliased when a local name has theirs). */
  markers: string[];
  /** The runtime's KubernetesObject and ResourceInit, as written in this module. */
  base: string;
  init: string;
  /** Fields a class cannot declare (`constructor`): they go on the class's companion interface. */
  interfaceProperties: PropertyModel[];
  /** The static resource description as a TypeScript object literal. */
  resource: string;
  apiVersion: string;
  kind: string;
  properties: PropertyModel[];
  /** Whether `init` may be omitted (no required field). */
  initOptional: boolean;
}

export interface InterfaceModel {
  template: "interface";
  name: string;
  doc: string[];
  properties: PropertyModel[];
}

export interface AliasModel {
  template: "alias";
  name: string;
  doc: string[];
  type: string;
}

export type DeclarationModel = ClassModel | InterfaceModel | AliasModel;

export interface ImportModel {
  from: string;
  /** `Name` or `Name as Alias`, sorted. */
  names: string[];
  typeOnly: boolean;
}

export interface ModuleModel {
  /** Module path inside the package, e.g. `apps/v1`. */
  path: string;
  imports: ImportModel[];
  /** Runtime types this module re-exports under its own path (meta/v1's Time etc.). */
  reexports: string[];
  declarations: DeclarationModel[];
}

export interface BuildInput {
  schemas: Record<string, Schema>;
  resources: DetectedResource[];
  /** Where a definition lives; defaults to the Kubernetes package layout. */
  locate?: (definition: string) => DefinitionLocation;
  /** Module that imports of the runtime come from. */
  runtimeModule?: string;
  /**
   * Extra TSDoc tag lines for a property (`where.property` set) or a definition's own doc
   * (`@format`, `@deprecated`, ...); front ends that know more than the schema says use it.
   */
  docTags?: DocTagsHook;
}

export type DocTagsHook = (schema: Schema, where: { definition: string; property?: string }) => string[];

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function defaultTag(value: unknown): string[] {
  if (value === undefined) return [];
  if (typeof value === "object" && value !== null && Object.keys(value).length === 0) return [];
  return [`@defaultValue ${JSON.stringify(value)}`];
}

/** Tag lines after a doc's text, separated from it by a blank line. */
function tagBlock(tags: string[]): string[] {
  return tags.length > 0 ? ["", ...tags] : [];
}

function resourceLiteral(resource: DetectedResource): string {
  const fields: Array<[string, unknown]> = [
    ["group", resource.group],
    ["version", resource.version],
    ["kind", resource.kind],
    ["plural", resource.plural],
    ["scope", resource.scope],
    ["listKind", resource.listKind],
    ["verbs", resource.verbs],
    ["subresources", resource.subresources],
    ...(resource.customResourceDefinition !== undefined
      ? ([["customResourceDefinition", resource.customResourceDefinition]] as Array<[string, unknown]>)
      : []),
  ];
  return `{ ${fields.map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join(", ")} }`;
}

class ModuleBuilder {
  private readonly refs = new Map<string, DefinitionLocation>();
  private readonly runtimeTypes = new Set<string>();
  private readonly runtimeValues = new Set<string>();
  private aliases = new Map<string, string>();

  constructor(
    readonly path: string,
    private readonly localNames: Set<string>,
    private readonly locateDefinition: (definition: string) => DefinitionLocation,
    readonly docTags: DocTagsHook = () => [],
  ) {}

  readonly resolver: TypeResolver = {
    definition: (name) => {
      const location = this.locateDefinition(name);
      if (location.module === undefined) {
        this.runtimeTypes.add(location.name);
        return this.runtimeName(location.name);
      }
      if (location.module === this.path) return location.name;
      this.refs.set(name, location);
      return this.aliases.get(name) ?? location.name;
    },
    runtime: (name) => {
      this.runtimeTypes.add(name);
      return this.runtimeName(name);
    },
    shadowed: (name) => this.localNames.has(name),
  };

  /**
   * How a runtime export is written here: its own name, or `Runtime<Name>` when a local
   * declaration has that name (a CRD kind called ObjectMeta or KubernetesObject).
   */
  runtimeName(name: string): string {
    if (!this.localNames.has(name)) return name;
    let alias = `Runtime${name}`;
    for (let n = 2; this.localNames.has(alias); n++) alias = `Runtime${name}${n}`;
    return alias;
  }

  useRuntimeType(name: string): void {
    this.runtimeTypes.add(name);
  }

  useRuntimeValue(name: string): void {
    this.runtimeValues.add(name);
  }

  /** After a first pass: alias imported names that clash with local or other imported names. */
  settleAliases(): void {
    const byName = new Map<string, string[]>();
    for (const [definition, location] of this.refs) {
      byName.set(location.name, [...(byName.get(location.name) ?? []), definition]);
    }
    for (const [name, definitions] of byName) {
      const clashes = this.localNames.has(name) || this.runtimeTypes.has(name) || definitions.length > 1;
      if (!clashes) continue;
      for (const definition of definitions) {
        const module = this.refs.get(definition)!.module!;
        const prefix = module
          .split("/")
          .map((part) => part.replace(/(^|[^A-Za-z0-9])([a-z])/g, (_m, _s, c: string) => c.toUpperCase()).replace(/[^A-Za-z0-9]/g, ""))
          .join("");
        this.aliases.set(definition, `${prefix}${name}`);
      }
    }
    this.refs.clear();
  }

  imports(runtimeModule: string): ImportModel[] {
    const out: ImportModel[] = [];
    const runtimeNames = [...this.runtimeValues].sort(compare);
    const runtimeTypeNames = [...this.runtimeTypes].filter((n) => !this.runtimeValues.has(n)).sort(compare);
    const entry = (n: string): string => (this.runtimeName(n) === n ? n : `${n} as ${this.runtimeName(n)}`);
    if (runtimeNames.length > 0 || runtimeTypeNames.length > 0) {
      out.push({
        from: runtimeModule,
        names: [...runtimeNames.map(entry), ...runtimeTypeNames.map((n) => (runtimeNames.length > 0 ? `type ${entry(n)}` : entry(n)))],
        typeOnly: runtimeNames.length === 0,
      });
    }
    const byModule = new Map<string, string[]>();
    for (const [definition, location] of this.refs) {
      const alias = this.aliases.get(definition);
      const entry = alias ? `${location.name} as ${alias}` : location.name;
      byModule.set(location.module!, [...(byModule.get(location.module!) ?? []), entry]);
    }
    for (const module of [...byModule.keys()].sort(compare)) {
      out.push({ from: relativeImport(this.path, module), names: [...new Set(byModule.get(module))].sort(compare), typeOnly: true });
    }
    return out;
  }
}

export function buildModules(input: BuildInput): ModuleModel[] {
  const locateDefinition = input.locate ?? locate;
  const runtimeModule = input.runtimeModule ?? "@kubex/runtime";
  const resourceBySchema = new Map(input.resources.map((r) => [r.schema, r]));

  const members = new Map<string, string[]>();
  for (const definition of Object.keys(input.schemas).sort(compare)) {
    const location = locateDefinition(definition);
    if (location.module === undefined) continue;
    members.set(location.module, [...(members.get(location.module) ?? []), definition]);
  }
  // Modules that re-export runtime scalars under their Kubernetes home (meta/v1's Time).
  const reexports = new Map<string, string[]>();
  for (const definition of Object.keys(input.schemas)) {
    const name = runtimeProvided[definition];
    if (!name) continue;
    const parts = definition.split(".");
    parts.pop();
    const home = locateDefinition(parts.concat("_").join(".")).module;
    if (home && members.has(home)) reexports.set(home, [...(reexports.get(home) ?? []), name].sort(compare));
  }

  const modules: ModuleModel[] = [];
  for (const [path, definitions] of [...members].sort(([a], [b]) => compare(a, b))) {
    const localNames = new Set(definitions.map((d) => locateDefinition(d).name));
    const builder = new ModuleBuilder(path, localNames, locateDefinition, input.docTags);
    const build = (): DeclarationModel[] =>
      definitions.map((definition) =>
        declaration(definition, input.schemas[definition]!, resourceBySchema.get(definition), builder, locateDefinition, resourceBySchema),
      );
    build(); // first pass records references
    builder.settleAliases();
    const declarations = build().sort((a, b) => compare(a.name, b.name));
    modules.push({ path, imports: builder.imports(runtimeModule), reexports: reexports.get(path) ?? [], declarations });
  }
  return modules;
}

/**
 * Members every object has from Object.prototype. An optional property with one of these
 * names (a CRD field `toString`) reads as the inherited member when it is absent, and an
 * object literal without it would not be assignable otherwise: its type says so.
 */
const objectMembers = new Set([
  "constructor",
  "toString",
  "toLocaleString",
  "valueOf",
  "hasOwnProperty",
  "isPrototypeOf",
  "propertyIsEnumerable",
]);

function properties(
  definition: string,
  schema: Schema,
  builder: ModuleBuilder,
  skip: Set<string>,
  literalTypes: Record<string, string> = {},
): PropertyModel[] {
  const required = new Set(schema.required ?? []);
  const props = Object.keys(schema.properties ?? {})
    .filter((name) => !skip.has(name))
    .sort(compare)
    .map((name) => {
      const property = schema.properties![name]!;
      let type = Object.hasOwn(literalTypes, name) ? literalTypes[name]! : tsType(property, builder.resolver);
      if (objectMembers.has(name) && !required.has(name))
        type = `${type} | ${builder.resolver.shadowed?.("Object") ? "globalThis." : ""}Object[${JSON.stringify(name)}]`;
      return {
        key: propertyKey(name),
        optional: !required.has(name),
        type,
        doc: docLines({
          description: property.description,
          tags: [...defaultTag(property.default), ...builder.docTags(property, { definition, property: name })],
        }),
      };
    });
  // An object that keeps unknown fields (x-kubernetes-preserve-unknown-fields) next to
  // its known ones: an index signature, so the known fields stay typed.
  if (schema["x-kubernetes-preserve-unknown-fields"] && props.length > 0) {
    props.push({ key: "[field: string]", optional: false, type: "unknown", doc: [] });
  }
  return props;
}

function declaration(
  definition: string,
  schema: Schema,
  resource: DetectedResource | undefined,
  builder: ModuleBuilder,
  locateDefinition: (definition: string) => DefinitionLocation,
  resourceBySchema: ReadonlyMap<string, DetectedResource>,
): DeclarationModel {
  const name = locateDefinition(definition).name;
  const gvks = schema["x-kubernetes-group-version-kind"] ?? [];

  if (resource) {
    builder.useRuntimeValue("KubernetesObject");
    builder.useRuntimeType("ResourceInit");
    const markers = resource.subresources.map((s) => markerBySubresource[s]).filter((m): m is string => m !== undefined);
    if (resource.createAnswersStatus) markers.push("CreatesStatus");
    for (const marker of markers) builder.useRuntimeType(marker);
    const all = properties(definition, schema, builder, new Set(["apiVersion", "kind"])).filter((p) => !p.key.startsWith("["));
    // A class cannot declare a field named constructor; its companion interface can.
    const classUnsafe = (p: PropertyModel): boolean => p.key === "constructor" || p.key === '"constructor"';
    const props = all.filter((p) => !classUnsafe(p));
    const scopeText = resource.scope === "Namespaced" ? "namespaced" : "cluster-scoped";
    const subText = resource.subresources.length > 0 ? `; subresources: ${resource.subresources.map((s) => `\`/${s}\``).join(", ")}` : "";
    return {
      template: "class",
      name,
      doc: docLines({ description: schema.description }).concat(
        schema.description ? [""] : [],
        [`\`${apiVersionOf(resource)}\` ${resource.kind}, ${scopeText} (\`${resource.plural}\`)${subText}.`],
        tagBlock(builder.docTags(schema, { definition })),
      ),
      markers: markers.map((m) => builder.runtimeName(m)),
      base: builder.runtimeName("KubernetesObject"),
      init: builder.runtimeName("ResourceInit"),
      interfaceProperties: all.filter(classUnsafe),
      resource: resourceLiteral(resource),
      apiVersion: apiVersionOf(resource),
      kind: resource.kind,
      properties: props,
      initOptional: all.every((p) => p.optional),
    };
  }

  const hasProperties = schema.properties && Object.keys(schema.properties).length > 0;
  if (hasProperties && !schema.oneOf && !schema.anyOf) {
    // A kind that is not a resource of its own (Scale, Eviction, TokenRequest, lists):
    // type apiVersion and kind as the literals the server sends.
    const literalTypes: Record<string, string> = {};
    if (gvks.length > 0) {
      literalTypes.apiVersion = [...new Set(gvks.map((g) => JSON.stringify(apiVersionOf(g))))].join(" | ");
      literalTypes.kind = [...new Set(gvks.map((g) => JSON.stringify(g.kind)))].join(" | ");
    }
    // A raw list of a resource kind: the server leaves apiVersion and kind out of its
    // items (Api.list fills them in), so the items are the runtime's ListItem<Kind>.
    const itemRef = schema.properties!.items?.items?.$ref;
    if (itemRef !== undefined && gvks.length > 0 && gvks.every((g) => g.kind.endsWith("List")) && resourceBySchema.has(refName(itemRef))) {
      const item = builder.resolver.definition(refName(itemRef));
      literalTypes.items = `${builder.resolver.runtime("ListItem")}<${item}>[]`;
    }
    return {
      template: "interface",
      name,
      doc: docLines({ description: schema.description, tags: builder.docTags(schema, { definition }) }),
      properties: properties(definition, schema, builder, new Set(), literalTypes),
    };
  }
  return {
    template: "alias",
    name,
    doc: docLines({ description: schema.description }),
    type: tsType(schema, builder.resolver),
  };
}
