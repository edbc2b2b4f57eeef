#!/usr/bin/env bash
# The README's first command: on a fresh machine, install what the project needs,
# build the local control plane (cached after the first run), start it, run the demo
# (examples/demo.ts) against it with the generated SDK, and stop the cluster again.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
npm run --silent cluster:up
trap 'npm run --silent cluster:down' EXIT
KUBECONFIG="$PWD/.kubex/cluster/kubeconfig" npm run --silent demo
