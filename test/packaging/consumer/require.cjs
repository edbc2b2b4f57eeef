// CommonJS consumer: require() of the ESM packages (Node >= 20.19 without a flag).
const { Api, MergePatch, SubresourceNotSupported } = require("@kubex/runtime");
const { Deployment } = require("@kubex/k8s-v1-37/apps/v1");
const { ConfigMap } = require("@kubex/k8s-v1-36/core/v1");

const deployment = new Deployment({ metadata: { name: "web" }, spec: { replicas: 1 } });
const patch = new MergePatch({ spec: { replicas: 2 } });
console.log(
  JSON.stringify({
    apiVersion: deployment.apiVersion,
    kind: deployment.kind,
    plural: Deployment.resource.plural,
    configMapPlural: ConfigMap.resource.plural,
    patchContentType: patch.contentType,
    api: typeof Api,
    subresourceError: typeof SubresourceNotSupported,
  }),
);
