#!/usr/bin/env bash
# The demo data set, loaded by deploy/run.sh once the suite is up: the units of Hà
# Nội the demo agencies work in, risky businesses and a Team 178, and a few realistic tips (deploy/demo/data.textproto)
# submitted by the demo police, social-affairs authority and Team 178. Then prints
# commands a newcomer can paste. Safe to run again (request ids make it idempotent).
#
# Needs the environment deploy/run.sh exports: PCMD_PLANS_ADDR, PCMD_INTAKE_ADDR,
# PCMD_INSPECTIONS_ADDR, PCMD_STATE_DIR, PCMD_BIN_DIR.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin_dir="${PCMD_BIN_DIR:-$REPO/build/release}"
certs="$PCMD_STATE_DIR/certs"

"$bin_dir/tools/pcmd-demo" --data="$REPO/deploy/demo/data.textproto" --certs="$certs" \
  --plans="$PCMD_PLANS_ADDR" --intake="$PCMD_INTAKE_ADDR" --inspections="$PCMD_INSPECTIONS_ADDR"

demo=("$bin_dir/tools/pcmd-demo" "--certs=$certs" "--intake=$PCMD_INTAKE_ADDR")
demo_inspections=("$bin_dir/tools/pcmd-demo" "--certs=$certs"
  "--inspections=$PCMD_INSPECTIONS_ADDR")
cat <<EOT

Try it (as the Hà Nội police, over mutual TLS):
  # find the tips that mention "Tây Sơn", typed without diacritics
  ${demo[*]} --mode=list --text="tay son"
  # watch tips change in real time (leave it running; Ctrl-C stops it)
  ${demo[*]} --mode=watch
  # the tips waiting past a legal or stage deadline (none until days have passed)
  ${demo[*]} --mode=list --overdue
  # the risky businesses of Hà Nội, riskiest first, each with why
  ${demo_inspections[*]} --mode=establishments
EOT
