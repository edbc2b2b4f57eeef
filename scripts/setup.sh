#!/usr/bin/env bash
# Installs what the project needs on a fresh machine: npm packages and the test
# control plane's binaries (built from the Go module proxy, cached under ~/.cache/kubex).
set -euo pipefail
cd "$(dirname "$0")/.."

command -v node >/dev/null || { echo "setup: Node.js >= 20.18 is required" >&2; exit 1; }
command -v go >/dev/null || { echo "setup: Go is required to build the test cluster's binaries" >&2; exit 1; }
# Commands the cluster harness runs (test/cluster/pki.ts: openssl; build-binaries.sh: flock),
# mapped to the Debian package that provides each; installed with apt-get (sudo unless root).
declare -A packages=([openssl]=openssl [flock]=util-linux)
missing=()
for cmd in "${!packages[@]}"; do command -v "$cmd" >/dev/null || missing+=("${packages[$cmd]}"); done
if ((${#missing[@]})); then
  command -v apt-get >/dev/null || { echo "setup: please install ${missing[*]} (no apt-get here)" >&2; exit 1; }
  sudo=""; [[ $(id -u) -eq 0 ]] || sudo="sudo"
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

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
# The kubeconfig conformance suite's reference: client-go's clientcmd (cached by a hash of its source).
bash test/conformance/reference/build.sh >/dev/null
echo "setup: node modules, cluster binaries (kube-apiserver $k8s, etcd $etcd, kwok $kwok) and the clientcmd reference are ready"
