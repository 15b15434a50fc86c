#!/usr/bin/env bash
# The demo data set, loaded by deploy/run.sh once the suite is up: the units of Hà
# Nội the demo agencies work in, risky businesses and a Team 178, a few realistic tips
# submitted by the demo police, social-affairs authority and Team 178, three providers
# of support and two clients walked through the referral loop, each provider acting
# with its own certificate (deploy/demo/data.textproto); the five seed plans
# (deploy/plans/*.json) imported and issued, and two communication activities. Then
# prints commands a newcomer
# can paste. Safe to run again (request ids make it idempotent).
#
# Needs the environment deploy/run.sh exports: PCMD_PLANS_ADDR, PCMD_INTAKE_ADDR,
# PCMD_INSPECTIONS_ADDR, PCMD_REFERRALS_ADDR, PCMD_STATE_DIR, PCMD_BIN_DIR, and
# PCMD_DEMO_DATE (the day the services' clocks run on; empty: today).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin_dir="${PCMD_BIN_DIR:-$REPO/build/release}"
certs="$PCMD_STATE_DIR/certs"

clock=()
[[ -n "${PCMD_DEMO_DATE:-}" ]] && clock=("--clock-date=$PCMD_DEMO_DATE")

"$bin_dir/tools/pcmd-demo" --data="$REPO/deploy/demo/data.textproto" --certs="$certs" \
  --plans="$PCMD_PLANS_ADDR" --intake="$PCMD_INTAKE_ADDR" --inspections="$PCMD_INSPECTIONS_ADDR" \
  --referrals="$PCMD_REFERRALS_ADDR" --plans-dir="$REPO/deploy/plans" ${clock[@]+"${clock[@]}"}

ctl="$bin_dir/tools/pcmdctl/pcmdctl --certs=$certs"
police="--as=police-hanoi --purpose=tip-handling --intake=$PCMD_INTAKE_ADDR"
cat <<EOT

Try it: three commands, over mutual TLS as the Hà Nội police and social-affairs authority.
  # 1. in a second terminal, watch tips change as they happen (Ctrl-C stops it)
  $ctl tips watch $police
  # 2. a hotline tip about a massage parlour in Thanh Trì (it appears in the watch)
  $ctl tips submit $police --channel=hotline --legal-kind=denunciation \\
      --category=establishment --unit-code=268 --place.address="Số 88 đường Ngọc Hồi, Thanh Trì" \\
      --description="Quán massage mở khuya, nghi có hoạt động mua bán dâm"
  # 3. the Hà Nội 2024 plan's targets, measured live (target 6 now counts one more tip;
  #    add --watch to see figures change as you submit more)
  $ctl plans progress --as=social-affairs-hanoi --plans=$PCMD_PLANS_ADDR --plan=plans/hn-2024

Every RPC is a command: $bin_dir/tools/pcmdctl/pcmdctl --help (and GROUP VERB --help).
EOT

demo=("$bin_dir/tools/pcmd-demo" "--certs=$certs" "--intake=$PCMD_INTAKE_ADDR")
demo_inspections=("$bin_dir/tools/pcmd-demo" "--certs=$certs"
  "--inspections=$PCMD_INSPECTIONS_ADDR")
demo_referrals=("$bin_dir/tools/pcmd-demo" "--certs=$certs" "--referrals=$PCMD_REFERRALS_ADDR")
cat <<EOT

More views of the demo data:
  # find the tips that mention "Tây Sơn", typed without diacritics
  ${demo[*]} --mode=list --text="tay son"
  # the tips waiting past a legal or stage deadline (none until days have passed)
  ${demo[*]} --mode=list --overdue
  # the risky businesses of Hà Nội, riskiest first, each with why
  ${demo_inspections[*]} --mode=establishments
  # as the vocational school's own system: its inbox, with the client's fields her
  # consent shares while she is in training (her name, not her phone)
  ${demo_referrals[*]} --mode=inbox --as=provider-nghe-hanoi
  # as the Thanh Trì health centre's: her HIV test is completed, so it keeps the record
  # of the service and no longer sees her
  ${demo_referrals[*]} --mode=inbox --as=provider-yte-thanhtri
  # as the Hà Nội social-affairs authority: its referrals, with state and provider
  # (add --overdue for those that fell through)
  ${demo_referrals[*]} --mode=referrals
EOT
