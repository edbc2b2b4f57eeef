// A TypeScript CommonJS module (.cts) that require()s the ESM packages: TypeScript >= 5.8
// type-checks it under "module": "NodeNext", and Node >= 20.19 runs the emitted .cjs.
import runtime = require("@kubex/runtime");
import apps = require("@kubex/k8s-v1-37/apps/v1");

const deployment: apps.Deployment = new apps.Deployment({ metadata: { name: "web" }, spec: { selector: {}, template: {} } });
const patch = new runtime.MergePatch({ spec: { replicas: 2 } });
console.log(JSON.stringify({ kind: deployment.kind, apiVersion: deployment.apiVersion, patchType: patch.contentType }));
