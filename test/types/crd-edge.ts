/**
 * Type tests of classes generated from test/fixtures/crds/edge (golden output in
 * test/fixtures/crd-golden): kinds named like TypeScript's globals and the runtime's
 * exports, properties named like Object.prototype members. The module compiles, and the
 * names mean what the CRD says, not what the global or the prototype says.
 */
import { Api, type Client, type ObjectMeta as KubexObjectMeta } from "@kubex/runtime";
import {
  Array as ArrayKind,
  IntOrString,
  KubernetesObject,
  ObjectMeta,
  Record,
  type RecordSpec,
} from "../fixtures/crd-golden/globals.kubex.example.com/v1/index.js";
import { Prototype, type PrototypeSpec } from "../fixtures/crd-golden/prototype.kubex.example.com/v1/index.js";

declare const client: Client;

export async function globals(): Promise<void> {
  const records = new Api(Record, { client, namespace: "default" });
  const r: Record = await records.status.get("www");
  // TypeScript's Record is still there for the caller; the kind is a class of its own.
  const map: globalThis.Record<string, string> | undefined = r.spec?.labels;
  const meta: KubexObjectMeta | undefined = r.metadata;
  void map;
  void meta;
  const spec: RecordSpec = {
    type: "CNAME",
    ttl: 300,
    port: "http",
    values: [1, "two"],
    raw: { anything: [1] },
    targets: { a: { name: "x" } },
  };
  // @ts-expect-error type is required
  const noType: RecordSpec = { ttl: 300 };
  // @ts-expect-error type is an enum
  const badType: RecordSpec = { type: "MX" };
  // @ts-expect-error port is int-or-string, not boolean
  const badPort: RecordSpec = { type: "A", port: true };
  void [spec, noType, badType, badPort];

  // Array has /status and /scale; KubernetesObject only /scale; IntOrString neither.
  await new Api(ArrayKind, { client, namespace: "default" }).scale.get("a");
  await new Api(KubernetesObject, { client, namespace: "default" }).scale.get("k");
  // @ts-expect-error the KubernetesObject kind's CRD declares no /status
  void new Api(KubernetesObject, { client, namespace: "default" }).status;
  // @ts-expect-error the IntOrString kind's CRD declares no /scale
  void new Api(IntOrString, { client, namespace: "default" }).scale;
  const om = new ObjectMeta({ metadata: { name: "m" }, spec: { replicas: 1 } });
  const apiVersion: "globals.kubex.example.com/v1" = om.apiVersion;
  void apiVersion;
}

export function prototypeKeys(): void {
  const spec: PrototypeSpec = {
    constructor: "c",
    ["__proto__"]: { constructor: 1, valueOf: true },
    toString: "t",
    hasOwnProperty: true,
    "a.b": "x",
    default: "d",
  };
  // @ts-expect-error constructor is a required string here, not Object's constructor
  const badConstructor: PrototypeSpec = { constructor: 1, ["__proto__"]: {} };
  // @ts-expect-error hasOwnProperty is a boolean field
  const badHas: PrototypeSpec = { constructor: "c", ["__proto__"]: {}, hasOwnProperty: "yes" };
  void [spec, badConstructor, badHas];
  const p = new Prototype({ constructor: { name: "top" }, spec });
  const top: string | undefined = p.constructor?.name;
  void top;
}
