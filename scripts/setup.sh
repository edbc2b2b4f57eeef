#!/usr/bin/env bash
# Installs what the project needs on a fresh machine: npm packages and the test
# control plane's binaries (built from the Go module proxy, cached under ~/.cache/kubex):
# etcd, kwok, and kube-apiserver, kube-controller-manager and kube-scheduler of the pinned
# Kubernetes version (test/cluster/versions.json).
#
#   bash scripts/setup.sh              the pinned version only
#   bash scripts/setup.sh 1.30 1.33.2  also these Kubernetes versions (a minor means the patch
#                                      in specs/versions.json); CI passes the oldest minor
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
extra=()
for wanted in "$@"; do
  # The same resolution as `npm run cluster:up -- --version`: a minor is the patch its spec came from.
  if [[ $wanted =~ ^v?1\.[0-9]+$ ]]; then
    full=$(node -p "require('./specs/versions.json')['${wanted#v}'] ?? ''")
    [[ -n $full ]] || { echo "setup: Kubernetes $wanted has no spec in specs/versions.json; use one of: $(node -p "Object.keys(require('./specs/versions.json')).join(' ')")" >&2; exit 1; }
    extra+=("${full#v}")
  elif [[ $wanted =~ ^v?1\.[0-9]+\.[0-9]+(-(alpha|beta|rc)\.[0-9]+)?$ ]]; then
    extra+=("${wanted#v}")
  else
    echo "setup: '$wanted' is not a Kubernetes version (use 1.NN or 1.NN.P)" >&2
    exit 1
  fi
done
# One build at a time: each Go build already uses both cores (-p 2), so running them side by
# side only makes them compete; the Go build cache is shared, so later builds reuse packages.
bash test/cluster/build-binaries.sh etcd "$etcd" >/dev/null
bash test/cluster/build-binaries.sh kwok "$kwok" >/dev/null
for version in "$k8s" "${extra[@]}"; do
  # One go build makes all three; asking for the other two then finds them cached.
  for component in kube-apiserver kube-controller-manager kube-scheduler; do
    bash test/cluster/build-binaries.sh "$component" "$version" >/dev/null
  done
done
# The kubeconfig conformance suite's reference: client-go's clientcmd (cached by a hash of its source).
bash test/conformance/reference/build.sh >/dev/null
echo "setup: node modules, cluster binaries (Kubernetes $k8s${extra[*]:+ and ${extra[*]}}, etcd $etcd, kwok $kwok) and the clientcmd reference are ready"
