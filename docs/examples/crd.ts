import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { parse } from "yaml";
import { Api, createClient, MergePatch } from "@kubex/runtime";
import { CustomResourceDefinition } from "@kubex/k8s-v1-37/apiextensions/v1";
// Written by: npx kubex-gen crd crds/backup.yaml --out crd-types
import { Backup } from "./crd-types/example.com/v1/index.js";

await using client = await createClient();

// Install the CRD (a cluster-scoped kind of the version package) and wait until it is served.
const crds = new Api(CustomResourceDefinition, { client });
await crds.create(parse(readFileSync(new URL("crds/backup.yaml", import.meta.url), "utf8")));
const established = () =>
  crds.get("backups.example.com").then((crd) => crd.status?.conditions?.some((c) => c.type === "Established" && c.status === "True"));
while (!(await established())) await sleep(200);

// The generated class works like a built-in kind; its markers come from the CRD's subresources.
const backups = new Api(Backup, { client, namespace: "default" });
await backups.create(new Backup({ metadata: { name: "nightly" }, spec: { database: "orders", schedule: "0 3 * * *" } }));
await backups.status.patch("nightly", new MergePatch({ status: { phase: "Succeeded" } }));
console.log((await backups.get("nightly")).status?.phase); // Succeeded
// @ts-expect-error the CRD declares no scale subresource
const noScale = () => backups.scale;

await backups.delete("nightly");
await crds.delete("backups.example.com");
