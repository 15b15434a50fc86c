#!/usr/bin/env bash
# Makes the development certificates and keys for deploy/compose/compose.yaml in
# deploy/compose/secrets/:
#   certs/  deploy/certs.sh: a development CA (ca.crt, ca.key), the four services, an
#           operator and the demo agencies (<name>.crt, <name>.key)
#   keys/   pcmd-keys generate: field-1.key, index.key, audit.key
# Both run inside the pcmd image as the calling user (docker run --user), so the host
# needs only Docker and the files stay the caller's. `docker compose up` then copies
# what the services need into their volumes (compose service "install-secrets",
# install-secrets.sh); the CA key and the demo agencies' keys never enter a container
# that serves.
#
# Usage: deploy/compose/init-secrets.sh [--image IMAGE]
#   --image IMAGE   the pcmd image (default: $PCMD_IMAGE, else pcmd:latest). Build it
#                   first, from the repository root:
#                     docker build -f deploy/container/Dockerfile -t pcmd:latest .
#
# Idempotent: an existing CA, certificates and keys are kept (certs.sh reissues only a
# certificate whose identity changed). Keys are never regenerated: new keys would make
# every sealed field and the audit chain unreadable. Back up secrets/keys.
#
# Production takes certificates from the deployment's PKI and keys from its secret
# store, in the same layout (deploy/DEPLOYMENT.md).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
image="${PCMD_IMAGE:-pcmd:latest}"

die() {
  echo "init-secrets: $*" >&2
  exit 1
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --image) [[ $# -ge 2 ]] || die "--image needs a value"; image="$2"; shift 2 ;;
    --image=*) image="${1#*=}"; shift ;;
    -h | --help)
      awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "${BASH_SOURCE[0]}"
      exit 0
      ;;
    *) echo "init-secrets: unknown argument: $1 (try --help)" >&2; exit 2 ;;
  esac
done

command -v docker >/dev/null 2>&1 || die "docker not found"
docker image inspect "$image" >/dev/null 2>&1 ||
  die "image $image not found; build it from $REPO with:
  docker build -f deploy/container/Dockerfile -t $image ."

secrets="$HERE/secrets"
mkdir -p "$secrets"
chmod 700 "$secrets"

# No network, the caller's uid/gid, only the secrets folder writable.
in_image() {
  docker run --rm --network none --user "$(id -u):$(id -g)" -v "$secrets:/out" "$@"
}

in_image -v "$REPO/deploy/certs.sh:/opt/pcmd/certs.sh:ro" --entrypoint bash "$image" \
  /opt/pcmd/certs.sh /out/certs

if [[ -f "$secrets/keys/index.key" ]]; then
  echo "init-secrets: keys kept in $secrets/keys"
else
  in_image --entrypoint pcmd-keys "$image" generate /out/keys
fi
in_image --entrypoint pcmd-keys "$image" check /out/keys

cat <<MSG
init-secrets: ready in $secrets
  certs/ca.crt            the development CA (ca.key beside it: keep it off servers)
  certs/<service>.crt     plans, intake, inspections, referrals (copied into volumes)
  certs/operator.crt      for pcmd-events and other operator tools on this host
  keys/                   the deployment's keys: back them up, never regenerate them
Next: docker compose -f deploy/compose/compose.yaml up -d
MSG
