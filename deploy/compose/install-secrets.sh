#!/usr/bin/env bash
# Runs inside the pcmd image as root, as the compose service "install-secrets", before the
# services start (on every `docker compose up`): copies what init-secrets.sh made on the
# host (deploy/compose/secrets, mounted read-only at /src) into the volumes the services
# mount read-only (/dst/tls-<service>, /dst/keys), owned by the image's pcmd user
# (uid 10001) and readable by it only.
#
#   /dst/tls-<service>/tls.crt, tls.key, ca.crt   that service's certificate and key and
#                                                 the CA: each service gets only its own
#   /dst/keys/*.key                               the deployment's key folder, for all four
#
# Keys are added and updated, never deleted: an older field-<N>.key still opens the data
# sealed with it. The CA key and the demo agencies' keys are not copied.
set -euo pipefail

# Overridable only to test the script outside the image.
src="${PCMD_SECRETS_SRC:-/src}"
dst="${PCMD_SECRETS_DST:-/dst}"
owner="${PCMD_SECRETS_OWNER:-pcmd:pcmd}"
SERVICES=(plans intake inspections referrals)

missing=()
for f in certs/ca.crt keys/index.key keys/audit.key; do
  [[ -f "$src/$f" ]] || missing+=("$f")
done
for s in "${SERVICES[@]}"; do
  for f in "certs/$s.crt" "certs/$s.key"; do
    [[ -f "$src/$f" ]] || missing+=("$f")
  done
done
compgen -G "$src/keys/field-*.key" >/dev/null || missing+=("keys/field-<N>.key")
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "install-secrets: missing in deploy/compose/secrets: ${missing[*]}" >&2
  echo "install-secrets: run deploy/compose/init-secrets.sh first." >&2
  exit 1
fi

put() { install -o "${owner%%:*}" -g "${owner##*:}" -m 0400 "$1" "$2"; }
seal_dir() {
  chown "$owner" "$1"
  chmod 0500 "$1"
}

for s in "${SERVICES[@]}"; do
  d="$dst/tls-$s"
  [[ -d "$d" ]] || { echo "install-secrets: volume $d is not mounted" >&2; exit 1; }
  chmod 0700 "$d"
  put "$src/certs/$s.crt" "$d/tls.crt"
  put "$src/certs/$s.key" "$d/tls.key"
  put "$src/certs/ca.crt" "$d/ca.crt"
  seal_dir "$d"
done

d="$dst/keys"
[[ -d "$d" ]] || { echo "install-secrets: volume $d is not mounted" >&2; exit 1; }
chmod 0700 "$d"
for f in "$src"/keys/*.key; do put "$f" "$d/"; done
for f in "$d"/*.key; do
  [[ -e "$src/keys/$(basename "$f")" ]] ||
    echo "install-secrets: WARNING: $(basename "$f") is in the keys volume but not in secrets/keys; kept" >&2
done
seal_dir "$d"

echo "install-secrets: certificates of ${SERVICES[*]} and $(find "$d" -name '*.key' | wc -l) keys installed"
