#!/usr/bin/env bash
# Regenerates the wrapper modules' go.mod/go.sum for a Kubernetes version (and optionally etcd
# and kwok versions), then `go mod tidy`s them. Run it to upgrade; commit go.mod and go.sum; also
# bump KUBE_VERSION in cluster/build.sh and kubernetesVersion in src/local/binaries.ts.
#
# Usage: cluster/update-modules.sh v1.35.4 [etcd v3.6.16] [kwok v0.8.0]
#
# The replace list is derived from kubernetes' own go.mod: every `k8s.io/X => ./staging/...` line
# becomes `k8s.io/X => k8s.io/X v0.<minor>.<patch>` (the staging modules are published with the
# same minor/patch, major 0).
set -euo pipefail
kube="${1:?usage: $0 v1.MINOR.PATCH [etcd vX] [kwok vY]}"
etcd="${2:-}"
kwok="${3:-}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
staging="v0.${kube#v1.}"

modfile="$(go mod download -json "k8s.io/kubernetes@$kube" | sed -n 's/^\t"GoMod": "\(.*\)",$/\1/p')"
[[ -f "$modfile" ]] || { echo "could not download k8s.io/kubernetes@$kube" >&2; exit 1; }

{
  printf 'module berth.local/cluster/kubernetes\n\ngo 1.26.0\n\nrequire k8s.io/kubernetes %s\n\n' "$kube"
  printf 'tool (\n\tk8s.io/kubernetes/cmd/kube-apiserver\n\tk8s.io/kubernetes/cmd/kube-controller-manager\n\tk8s.io/kubernetes/cmd/kube-scheduler\n)\n\n'
  printf 'replace (\n'
  grep -E '^[[:space:]]*k8s\.io/[^ ]+ => \./staging/' "$modfile" | awk -v v="$staging" '{ printf "\t%s => %s %s\n", $1, $1, v }'
  printf ')\n'
} >"$here/kubernetes/go.mod"
echo "kubernetes/go.mod: $(grep -c ' => ' "$here/kubernetes/go.mod") staging replaces at $staging" >&2
(cd "$here/kubernetes" && go mod tidy)

if [[ -n "$etcd" ]]; then
  printf 'module berth.local/cluster/etcd\n\ngo 1.26.0\n\nrequire go.etcd.io/etcd/server/v3 %s\n\ntool go.etcd.io/etcd/server/v3\n' "$etcd" >"$here/etcd/go.mod"
  rm -f "$here/etcd/go.sum"
  (cd "$here/etcd" && go mod tidy)
fi
if [[ -n "$kwok" ]]; then
  printf 'module berth.local/cluster/kwok\n\ngo 1.26.0\n\nrequire sigs.k8s.io/kwok %s\n\ntool sigs.k8s.io/kwok/cmd/kwok\n' "$kwok" >"$here/kwok/go.mod"
  rm -f "$here/kwok/go.sum"
  (cd "$here/kwok" && go mod tidy)
fi
echo "done; now bump KUBE_VERSION in cluster/build.sh and kubernetesVersion in src/local/binaries.ts if it changed" >&2
