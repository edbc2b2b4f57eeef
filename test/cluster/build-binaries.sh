#!/usr/bin/env bash
# Builds the test control plane's binaries from the Go module proxy and caches them
# per version under ${KUBEX_CACHE:-~/.cache/kubex}/bin/<name>-<version>/.
#
#   build-binaries.sh kube-apiserver 1.36.3
#   build-binaries.sh kube-controller-manager 1.36.3
#   build-binaries.sh kube-scheduler 1.36.3
#   build-binaries.sh etcd 3.6.16
#   build-binaries.sh kwok 0.8.0
#
# The three Kubernetes components come from one `go build` of k8s.io/kubernetes (they share
# most packages, so one build costs far less than three); asking for any of them builds and
# caches all three, under one lock named kubernetes-<version>.
#
# Prints the path of the built binary on the last line of stdout. A cached binary is
# reused; a failed build leaves nothing in the cache and names its log file. Concurrent
# callers asking for the same binary wait for one build (flock on a lock file) instead of
# building it twice. Each step's start and the total time are written to the log.
set -euo pipefail

usage="usage: build-binaries.sh <kube-apiserver|kube-controller-manager|kube-scheduler|etcd|kwok> <version>"
name=${1:?$usage}
version=${2:?$usage}
version=${version#v}
cache=${KUBEX_CACHE:-$HOME/.cache/kubex}
dest="$cache/bin/$name-$version"
bin="$dest/$name"

if [[ -x "$bin" ]]; then
  echo "$bin"
  exit 0
fi

command -v go >/dev/null || { echo "build-binaries: 'go' is not on PATH; it is needed to build $name" >&2; exit 1; }

k8s_components=(kube-apiserver kube-controller-manager kube-scheduler)
build_unit=$name
case "$name" in kube-apiserver|kube-controller-manager|kube-scheduler) build_unit=kubernetes ;; esac

# One build per binary and version at a time: a second caller waits, then reuses the result.
mkdir -p "$cache/locks" "$cache/logs"
exec 9>"$cache/locks/$build_unit-$version.lock"
if ! flock -n 9; then
  echo "build-binaries: another process is building $name $version; waiting for it" >&2
  flock 9
fi
if [[ -x "$bin" ]]; then
  echo "$bin"
  exit 0
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/kubex-build-$name-XXXXXX")
log="$cache/logs/build-$build_unit-$version.log"
: >"$log"
trap 'rm -rf "$work"; for c in "${k8s_components[@]}" "$name"; do rm -rf "$cache/bin/$c-$version.tmp"; done' EXIT
started=$(date +%s)
echo "build-binaries: building $build_unit $version (cold builds take minutes; log: $log)" >&2

# Keep the linker and compiler within a 2-core / few-GB budget.
export GOFLAGS="${GOFLAGS:+$GOFLAGS }-mod=mod"
# A pre-release may need a newer Go than the machine's (1.38.0-beta.0: go >= 1.27.0); go then
# fetches that toolchain from the module proxy. An explicit GOTOOLCHAIN wins.
export GOTOOLCHAIN="${GOTOOLCHAIN:-auto}"
export CGO_ENABLED=0
export GOMAXPROCS=${GOMAXPROCS:-2}
p_flag=(-p 2)

fail() {
  echo "build-binaries: building $build_unit $version failed at step '$1'; log: $log" >&2
  if [[ $(df -Pk "${TMPDIR:-/tmp}" | awk 'NR==2{print $4}') -lt 2097152 ]]; then
    echo "build-binaries: less than 2 GB free under ${TMPDIR:-/tmp}; a Kubernetes build needs about 4 GB (Go build cache included)" >&2
  fi
  tail -n 30 "$log" >&2 || true
  exit 1
}

step() {
  local label=$1; shift
  echo "== $label ($(date -u +%FT%TZ), +$(( $(date +%s) - started ))s)" >>"$log"
  (cd "$work" && "$@") >>"$log" 2>&1 || fail "$label"
}

case "$name" in
  kube-apiserver|kube-controller-manager|kube-scheduler)
    minor=$(echo "$version" | cut -d. -f2)
    # k8s.io/X v0.NN.P matches Kubernetes v1.NN.P, pre-releases too (1.38.0-beta.0 -> v0.38.0-beta.0).
    staging_version="v0.${version#*.}"
    step "download k8s.io/kubernetes@v$version" go mod download -json "k8s.io/kubernetes@v$version"
    moddir=$(go env GOMODCACHE)/k8s.io/kubernetes@v$version
    [[ -f "$moddir/go.mod" ]] || fail "locate module k8s.io/kubernetes@v$version"
    {
      echo "module kubex.local/build/kubernetes"
      echo
      echo "go $(awk '/^go /{print $2; exit}' "$moddir/go.mod")"
      echo
      echo "require k8s.io/kubernetes v$version"
      echo
      echo "replace ("
      # Every staging module k8s.io/kubernetes replaces with ./staging/... is published as v0.NN.P.
      awk '/=> \.\/staging\//{print "\t" $1 " => " $1 " '"$staging_version"'"}' "$moddir/go.mod"
      echo ")"
    } >"$work/go.mod"
    cat "$work/go.mod" >>"$log"
    step "resolve dependencies" go get "k8s.io/kubernetes/cmd/kube-apiserver@v$version"
    ldflags="-s -w"
    ldflags+=" -X k8s.io/component-base/version.gitVersion=v$version"
    ldflags+=" -X k8s.io/component-base/version.gitMajor=1"
    ldflags+=" -X k8s.io/component-base/version.gitMinor=$minor"
    ldflags+=" -X k8s.io/component-base/version.gitTreeState=clean"
    step "resolve controller-manager and scheduler" go get "k8s.io/kubernetes/cmd/kube-controller-manager@v$version" "k8s.io/kubernetes/cmd/kube-scheduler@v$version"
    mkdir -p "$work/out"
    step "go build ${k8s_components[*]}" go build "${p_flag[@]}" -trimpath -ldflags "$ldflags" -o "$work/out/" \
      k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler
    ;;
  etcd)
    {
      echo "module kubex.local/build/etcd"
      echo
      echo "go 1.23"
    } >"$work/go.mod"
    step "resolve dependencies" go get "go.etcd.io/etcd/server/v3@v$version"
    step "go build etcd" go build "${p_flag[@]}" -trimpath -ldflags "-s -w" -o "$work/out/$name" go.etcd.io/etcd/server/v3
    ;;
  kwok)
    {
      echo "module kubex.local/build/kwok"
      echo
      echo "go 1.23"
    } >"$work/go.mod"
    step "resolve dependencies" go get "sigs.k8s.io/kwok/cmd/kwok@v$version"
    step "go build kwok" go build "${p_flag[@]}" -trimpath -ldflags "-s -w" -o "$work/out/$name" sigs.k8s.io/kwok/cmd/kwok
    ;;
  *)
    echo "build-binaries: unknown binary '$name' (expected kube-apiserver, kube-controller-manager, kube-scheduler, etcd or kwok)" >&2
    exit 2
    ;;
esac

# Move every binary the build made into its own cache directory (atomically per binary).
outputs=("$name")
[[ $build_unit == kubernetes ]] && outputs=("${k8s_components[@]}")
for out in "${outputs[@]}"; do
  d="$cache/bin/$out-$version"
  mkdir -p "$d.tmp"
  mv "$work/out/$out" "$d.tmp/$out"
  rm -rf "$d"
  mv "$d.tmp" "$d"
done
elapsed=$(( $(date +%s) - started ))
echo "== built ${outputs[*]} $version in ${elapsed}s ($(date -u +%FT%TZ))" >>"$log"
echo "build-binaries: built ${outputs[*]} $version in ${elapsed}s" >&2
echo "$bin"
