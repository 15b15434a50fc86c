#!/usr/bin/env bash
# Install what pcmd needs and is missing, nothing else:
#   1. Debian packages listed in deploy/packages.txt (apt-get, only if any missing);
#   2. the buf protobuf linter, pinned in tools/buf/package-lock.json (npm ci,
#      only if tools/buf/node_modules/.bin/buf is missing or broken).
# Idempotent; prints a single line when everything is already there.
#
# Usage: deploy/install-deps.sh
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PKG_LIST="$REPO/deploy/packages.txt"
BUF_DIR="$REPO/tools/buf"
BUF_BIN="$BUF_DIR/node_modules/.bin/buf"

if [[ $# -gt 0 ]]; then
  case "$1" in
    -h | --help)
      awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "${BASH_SOURCE[0]}"
      exit 0
      ;;
    *)
      echo "install-deps: unknown argument: $1 (try --help)" >&2
      exit 2
      ;;
  esac
fi

# Package names from packages.txt: drop comments, allow several names per line.
mapfile -t wanted < <(awk '{ sub(/#.*/, ""); for (i = 1; i <= NF; i++) print $i }' "$PKG_LIST")

# One dpkg-query call for the whole system (fast): remember every installed
# package and every virtual name an installed package Provides. The latter
# matters for e.g. NodeSource's nodejs, which bundles npm, "Provides: npm" and
# conflicts with Debian's npm package, so asking apt for npm would fail.
declare -A present=()
while IFS=$'\t' read -r name status provides; do
  [[ "$status" == "install ok installed" ]] || continue
  present["$name"]=1
  IFS=',' read -ra virtuals <<<"$provides"
  for v in "${virtuals[@]}"; do
    v="${v%%(*}"           # strip a version constraint "(= 1.2)"
    v="${v//[[:space:]]/}"
    [[ -n "$v" ]] && present["$v"]=1
  done
done < <(dpkg-query -W -f='${Package}\t${Status}\t${Provides}\n' 2>/dev/null || true)

missing=()
for p in "${wanted[@]}"; do
  [[ -n "${present[$p]:-}" ]] || missing+=("$p")
done

did_something=0

if [[ ${#missing[@]} -gt 0 ]]; then
  did_something=1
  sudo_cmd=()
  if [[ $EUID -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1; then
      # Without a terminal (CI) sudo cannot ask for a password: fail fast with sudo's
      # own message instead of hanging.
      if [[ -t 0 ]]; then sudo_cmd=(sudo); else sudo_cmd=(sudo -n); fi
    else
      echo "install-deps: missing Debian packages: ${missing[*]}" >&2
      echo "install-deps: need root or sudo to install them; run as root or install sudo." >&2
      exit 1
    fi
  fi
  echo "deps: installing ${#missing[@]} Debian package(s): ${missing[*]}"
  # apt-get update only here: a machine with everything present stays offline.
  "${sudo_cmd[@]}" apt-get update -q
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# buf: a broken install (e.g. a missing platform binary) is as bad as none,
# so probe it rather than just testing that the file exists.
if [[ ! -x "$BUF_BIN" ]] || ! "$BUF_BIN" --version >/dev/null 2>&1; then
  did_something=1
  if ! command -v npm >/dev/null 2>&1; then
    echo "install-deps: npm not found after installing packages; cannot install buf." >&2
    exit 1
  fi
  echo "deps: installing buf linter into tools/buf (npm ci)"
  # --include=dev: buf is a devDependency; keep it even if NODE_ENV=production.
  (cd "$BUF_DIR" && npm ci --no-audit --no-fund --include=dev --loglevel=error)
  if ! "$BUF_BIN" --version >/dev/null 2>&1; then
    echo "install-deps: buf still does not run after npm ci: $BUF_BIN" >&2
    exit 1
  fi
fi

if [[ $did_something -eq 0 ]]; then
  echo "deps: all present"
else
  echo "deps: ready (buf $("$BUF_BIN" --version 2>/dev/null))"
fi
