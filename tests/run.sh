#!/usr/bin/env bash
# Install deps, build, and run the whole test suite with ctest.
#
# Usage: tests/run.sh [--sanitize | --with-sanitizers]
#                     [--type Release|Debug|RelWithDebInfo] [--build-dir DIR]
#
#   --sanitize          ASan+UBSan build in build/asan (passed to deploy/build.sh)
#   --with-sanitizers   the normal run, then the whole suite again under ASan+UBSan
#                       (what CI runs); exits non-zero if either run fails
#   --type T        build type (default Release)
#   --build-dir D   build tree (default: build/release, or build/asan with
#                   --sanitize, or build/<lowercased type>)
#   -h, --help      show this help
#
# Environment:
#   PCMD_CTEST_ARGS  extra ctest arguments, split on spaces
#                    (e.g. PCMD_CTEST_ARGS="-R plans -V")
#   PCMD_JOBS        parallel build jobs (see deploy/build.sh)
#
# Exits with ctest's exit status (0 = all tests passed).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

usage() { awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "${BASH_SOURCE[0]}"; }
die() {
  echo "tests: $*" >&2
  exit 2
}

build_type=Release
sanitize=0
with_sanitizers=0
build_dir=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --sanitize) sanitize=1; shift ;;
    --with-sanitizers) with_sanitizers=1; shift ;;
    --type) [[ $# -ge 2 ]] || die "--type needs a value"; build_type="$2"; shift 2 ;;
    --type=*) build_type="${1#*=}"; shift ;;
    --build-dir) [[ $# -ge 2 ]] || die "--build-dir needs a value"; build_dir="$2"; shift 2 ;;
    --build-dir=*) build_dir="${1#*=}"; shift ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown argument: $1 (try --help)" ;;
  esac
done

if [[ $with_sanitizers -eq 1 ]]; then
  [[ $sanitize -eq 0 && -z "$build_dir" ]] ||
    die "--with-sanitizers picks its own build trees; drop --sanitize/--build-dir"
  rc=0
  "${BASH_SOURCE[0]}" --type "$build_type" || rc=$?
  echo "tests: now the same suite under AddressSanitizer + UndefinedBehaviorSanitizer"
  "${BASH_SOURCE[0]}" --type "$build_type" --sanitize || rc=$?
  exit "$rc"
fi

# Same defaults as deploy/build.sh, so both agree on the tree without parsing
# its output.
if [[ -z "$build_dir" ]]; then
  if [[ $sanitize -eq 1 ]]; then
    build_dir="$REPO/build/asan"
  else
    build_dir="$REPO/build/${build_type,,}"
  fi
elif [[ "$build_dir" != /* ]]; then
  build_dir="$PWD/$build_dir"
fi

build_args=(--type "$build_type" --build-dir "$build_dir")
[[ $sanitize -eq 1 ]] && build_args+=(--sanitize)

"$REPO/deploy/install-deps.sh"
"$REPO/deploy/build.sh" "${build_args[@]}"

if [[ $sanitize -eq 1 ]]; then
  # Stack traces for UBSan reports; respect whatever the caller set.
  export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}"
fi

# --no-tests=error: an empty test list is a broken build, not a pass.
# --timeout: a default per-test limit (tests with their own TIMEOUT keep it)
# so one hung test cannot eat the whole CI budget.
ctest_args=(--test-dir "$build_dir" --output-on-failure -j2 --no-tests=error --timeout 300)
if [[ -n "${PCMD_CTEST_ARGS:-}" ]]; then
  read -ra extra <<<"$PCMD_CTEST_ARGS"
  ctest_args+=("${extra[@]}")
fi

echo "tests: ctest ${ctest_args[*]}"
rc=0
ctest "${ctest_args[@]}" || rc=$?
exit "$rc"
