#!/usr/bin/env bash
# Installs what the project needs on a fresh machine: npm packages and the test
# control plane's binaries (built from the Go module proxy, cached under ~/.cache/kubex).
set -euo pipefail
cd "$(dirname "$0")/.."

command -v node >/dev/null || { echo "setup: Node.js >= 20.18 is required" >&2; exit 1; }
command -v go >/dev/null || { echo "setup: Go is required to build the test cluster's binaries" >&2; exit 1; }
command -v openssl >/dev/null || { echo "setup: installing openssl"; apt-get update -qq && apt-get install -y -qq openssl >/dev/null; }

if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund
fi

versions=test/cluster/versions.json
k8s=$(node -p "require('./$versions').kubernetes")
etcd=$(node -p "require('./$versions').etcd")
kwok=$(node -p "require('./$versions').kwok")
bash test/cluster/build-binaries.sh etcd "$etcd" >/dev/null
bash test/cluster/build-binaries.sh kwok "$kwok" >/dev/null
bash test/cluster/build-binaries.sh kube-apiserver "$k8s" >/dev/null
echo "setup: node modules and cluster binaries (kube-apiserver $k8s, etcd $etcd, kwok $kwok) are ready"
