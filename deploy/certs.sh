#!/usr/bin/env bash
# Issues a development certificate authority and certificates for pcmd's four services
# and a set of demo agencies, with openssl. Production takes certificates from the
# agencies' own PKI; only the encoding below matters:
#
#   subjectAltName URI:urn:pcmd:agency:<kind>:<unit>:<code>   (the identity pcmd reads)
#   subject        /O=pcmd/OU=<kind>/CN=<code>                 (for people reading it)
#   extendedKeyUsage serverAuth,clientAuth
#
# Usage: deploy/certs.sh DIR        (creates DIR/ca.crt, DIR/<name>.crt, DIR/<name>.key)
# Idempotent: an existing CA and existing certificates are kept.
set -euo pipefail

dir="${1:?usage: deploy/certs.sh DIR}"
mkdir -p "$dir"
chmod 700 "$dir"
cd "$dir"

if [[ ! -f ca.key || ! -f ca.crt ]]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout ca.key -out ca.crt -days 3650 \
    -subj "/O=pcmd development/CN=pcmd development CA" 2>/dev/null
  chmod 600 ca.key
fi

# issue NAME KIND UNIT CODE
issue() {
  local name="$1" kind="$2" unit="$3" code="$4"
  # Kept when it exists with the same identity; reissued when the identity changed
  # (e.g. a kind renamed between versions), so an old state folder keeps working.
  if [[ -f "$name.crt" && -f "$name.key" ]] &&
    openssl x509 -in "$name.crt" -noout -ext subjectAltName 2>/dev/null |
    grep -qF "URI:urn:pcmd:agency:${kind}:${unit}:${code}"; then
    return 0
  fi
  local ext
  ext="$(mktemp)"
  # Services are also servers on loopback: localhost and 127.0.0.1 are in the SAN.
  printf '%s\n' \
    "subjectAltName=URI:urn:pcmd:agency:${kind}:${unit}:${code},DNS:localhost,IP:127.0.0.1" \
    "extendedKeyUsage=serverAuth,clientAuth" \
    "basicConstraints=critical,CA:FALSE" \
    "keyUsage=critical,digitalSignature" >"$ext"
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$name.key" -out "$name.csr" -subj "/O=pcmd/OU=${kind}/CN=${code}" 2>/dev/null
  openssl x509 -req -in "$name.csr" -CA ca.crt -CAkey ca.key -CAcreateserial \
    -out "$name.crt" -days 825 -extfile "$ext" 2>/dev/null
  chmod 600 "$name.key"
  rm -f "$name.csr" "$ext"
}

# pcmd's own services (kind "service", national unit).
for s in plans intake inspections referrals; do issue "$s" service VN "pcmd-$s"; done
# An operator of pcmd (event administration, directory upkeep).
issue operator operator VN pcmd-operator
# Demo agencies in Hà Nội (unit 01) and Thanh Trì (268), at least one of every kind.
issue police-hanoi police 01 CA-HN-PC02                 # Criminal police, Hà Nội
issue social-affairs-hanoi social_affairs 01 SYT-HN-PCTNXH  # Dept. of Health, social evils
issue team178-thanhtri inspection_team 268 DKT178-TT   # Team 178 of Thanh Trì
issue provider-hanoi provider 01 CTXH-HN               # Hà Nội social-work centre
issue provider-yte-thanhtri provider 268 YTE-TT        # Thanh Trì district health centre
issue provider-nghe-hanoi provider 01 TCN-HN           # Hà Nội vocational school
issue ministry-health ministry VN BYT                  # Ministry of Health's system
issue procuracy-hanoi procuracy 01 VKSND-HN            # People's Procuracy of Hà Nội
issue court-hanoi court 01 TAND-HN                     # People's Court of Hà Nội
issue culture-hanoi culture 01 SVHTT-HN                # Dept. of Culture, Sports and Tourism
issue health-hanoi health 01 SYT-HN                    # Dept. of Health, Hà Nội
# An agency of another province, Hưng Yên (unit 33), for checks of unit scope.
issue police-hungyen police 33 CA-HY-PC02              # Criminal police, Hưng Yên
echo "certs: CA and certificates in $PWD"
