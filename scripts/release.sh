#!/usr/bin/env bash
# Release builds of tiercel: static binaries for linux, darwin and windows on
# amd64 and arm64, packed as tiercel_<version>_<os>_<arch>.tar.gz (Windows
# 10 and later unpack it with tar), with SHA256SUMS.txt over everything.
#
#   scripts/release.sh [--version v1.2.3] [--out DIR] [--targets "linux/amd64 darwin/arm64 ..."]
#
# The version defaults to `git describe`; it, the commit and the build date
# are stamped into `tiercel version` with -ldflags -X. Builds are
# reproducible (-trimpath, CGO off, no build ID, the commit's time as date).
set -euo pipefail
cd "$(dirname "$0")/.."

version=""
out="dist"
targets="linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64"
while [ $# -gt 0 ]; do
  case "$1" in
    --version) version=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --targets) targets=$2; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "release.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

commit=$(git rev-parse HEAD 2>/dev/null || echo unknown)
date=$(git log -1 --format=%cI 2>/dev/null || date -u +%Y-%m-%dT%H:%M:%SZ)
if [ -z "$version" ]; then
  version=$(git describe --tags --always --dirty 2>/dev/null || echo dev)
fi
pkg=github.com/tiercel/tiercel/internal/cli
ldflags="-s -w -buildid= -X $pkg.buildVersion=$version -X $pkg.buildCommit=$commit -X $pkg.buildDate=$date"

mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

archives=()
for t in $targets; do
  goos=${t%/*}; goarch=${t#*/}
  name="tiercel_${version}_${goos}_${goarch}"
  exe=tiercel; [ "$goos" = windows ] && exe=tiercel.exe
  mkdir -p "$work/$name"
  echo "release: building $name"
  CGO_ENABLED=0 GOOS=$goos GOARCH=$goarch go build -trimpath -ldflags "$ldflags" -o "$work/$name/$exe" ./cmd/tiercel
  cp README.md "$work/$name/"
  # tar.gz everywhere: Windows 10 and later ship tar.
  tar -C "$work" --sort=name --owner=0 --group=0 --numeric-owner --mtime="$date" -czf "$out/$name.tar.gz" "$name"
  archives+=("$name.tar.gz")
  # the bare binary too, for CI smoke tests and copying onto a host
  cp "$work/$name/$exe" "$out/${name}_$exe"
  archives+=("${name}_$exe")
done

(cd "$out" && sha256sum "${archives[@]}" > SHA256SUMS.txt)
echo "release: ${#archives[@]} file(s) and SHA256SUMS.txt in $out"
