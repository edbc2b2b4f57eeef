#!/usr/bin/env bash
# Builds the clientcmd reference program (main.go here, k8s.io/client-go from the Go module
# proxy) and caches it under ${KUBEX_CACHE:-~/.cache/kubex}/bin/clientcmd-reference-<hash>/,
# where <hash> is a content hash of main.go, go.mod and go.sum: an edit rebuilds, nothing else does.
# Prints the binary's path on the last line of stdout. Concurrent callers wait for one build (flock).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${KUBEX_CACHE:-$HOME/.cache/kubex}
hash=$(cat "$here/main.go" "$here/go.mod" "$here/go.sum" | sha256sum | cut -c1-16)
dest="$cache/bin/clientcmd-reference-$hash"
bin="$dest/clientcmd-reference"
if [[ -x "$bin" ]]; then echo "$bin"; exit 0; fi
command -v go >/dev/null || { echo "clientcmd-reference: 'go' is not on PATH; it is needed to build the conformance reference" >&2; exit 1; }
mkdir -p "$cache/locks" "$cache/logs"
exec 9>"$cache/locks/clientcmd-reference-$hash.lock"
flock 9
if [[ -x "$bin" ]]; then echo "$bin"; exit 0; fi
log="$cache/logs/build-clientcmd-reference-$hash.log"
echo "clientcmd-reference: building (client-go from the Go module proxy; log: $log)" >&2
rm -rf "$dest.tmp" && mkdir -p "$dest.tmp"
if ! (cd "$here" && CGO_ENABLED=0 GOFLAGS=-mod=readonly GOMAXPROCS=${GOMAXPROCS:-2} go build -p 2 -trimpath -ldflags "-s -w" -o "$dest.tmp/clientcmd-reference" .) >"$log" 2>&1; then
  echo "clientcmd-reference: go build failed; log: $log" >&2
  tail -n 20 "$log" >&2
  rm -rf "$dest.tmp"
  exit 1
fi
rm -rf "$dest" && mv "$dest.tmp" "$dest"
echo "$bin"
