#!/usr/bin/env bash
# The operator tutorial (docs/operator.md) in one command: set up, start the local control
# plane (etcd, kube-apiserver, kube-scheduler, kube-controller-manager, kwok nodes), run
# examples/operator/demo.ts against it, stop the cluster.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
npm run --silent cluster:up
trap 'npm run --silent cluster:down' EXIT
KUBECONFIG="$PWD/.kubex/cluster/kubeconfig" npx tsx --conditions=kubex-source examples/operator/demo.ts
