#!/usr/bin/env bash
# Configure and build pcmd with CMake + Ninja.
#
# Usage: deploy/build.sh [--type Release|Debug|RelWithDebInfo] [--sanitize]
#                        [--build-dir DIR] [--target T]...
#
#   --type T        CMAKE_BUILD_TYPE (default Release)
#   --sanitize      build with ASan+UBSan (-DPCMD_SANITIZE=ON)
#   --build-dir D   build tree (default build/asan with --sanitize, else
#                   build/<lowercased type>, e.g. build/release); a relative
#                   path is taken from the directory you run the script in
#   --target T      build only target T (may be repeated; default: all)
#   -h, --help      show this help
#
# Environment:
#   PCMD_JOBS       parallel build jobs (default: nproc)
#
# Uses ccache as compiler launcher when it is installed. Works from any cwd.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

usage() { awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "${BASH_SOURCE[0]}"; }
die() {
  echo "build: $*" >&2
  exit 2
}

build_type=Release
sanitize=0
build_dir=""
targets=()

# Accept both "--opt value" and "--opt=value".
while [[ $# -gt 0 ]]; do
  case "$1" in
    --type) [[ $# -ge 2 ]] || die "--type needs a value"; build_type="$2"; shift 2 ;;
    --type=*) build_type="${1#*=}"; shift ;;
    --sanitize) sanitize=1; shift ;;
    --build-dir) [[ $# -ge 2 ]] || die "--build-dir needs a value"; build_dir="$2"; shift 2 ;;
    --build-dir=*) build_dir="${1#*=}"; shift ;;
    --target) [[ $# -ge 2 ]] || die "--target needs a value"; targets+=("$2"); shift 2 ;;
    --target=*) targets+=("${1#*=}"); shift ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown argument: $1 (try --help)" ;;
  esac
done

case "$build_type" in
  Release | Debug | RelWithDebInfo) ;;
  *) die "--type must be Release, Debug or RelWithDebInfo (got '$build_type')" ;;
esac

if [[ -z "$build_dir" ]]; then
  if [[ $sanitize -eq 1 ]]; then
    build_dir="$REPO/build/asan"
  else
    build_dir="$REPO/build/${build_type,,}"
  fi
elif [[ "$build_dir" != /* ]]; then
  # Relative to the caller's cwd, resolved before we cd to the repo root.
  build_dir="$PWD/$build_dir"
fi

cd "$REPO"

cmake_args=(-S . -B "$build_dir" -G Ninja "-DCMAKE_BUILD_TYPE=$build_type")
# Always pass PCMD_SANITIZE so reusing a build dir can also switch it off.
if [[ $sanitize -eq 1 ]]; then
  cmake_args+=(-DPCMD_SANITIZE=ON)
else
  cmake_args+=(-DPCMD_SANITIZE=OFF)
fi
if command -v ccache >/dev/null 2>&1; then
  cmake_args+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  # Paths under the repository count as relative, so a fresh clone elsewhere (CI)
  # reuses what an earlier build cached.
  export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$REPO}"
fi

# A tree configured with another generator makes "cmake -G Ninja" fail with a
# confusing message; say what to do instead.
cache="$build_dir/CMakeCache.txt"
if [[ -f "$cache" ]] && ! grep -q '^CMAKE_GENERATOR:INTERNAL=Ninja$' "$cache"; then
  die "$build_dir was configured with another CMake generator; remove it or pick another --build-dir"
fi

cmake "${cmake_args[@]}"

build_args=(--build "$build_dir" -j"${PCMD_JOBS:-$(nproc)}")
if [[ ${#targets[@]} -gt 0 ]]; then
  build_args+=(--target "${targets[@]}")
fi
cmake "${build_args[@]}"
