#!/usr/bin/env bash
# Run pcmd locally: install deps, build (Release, build/release), start Redis
# and the four services, wait until all are healthy, serve until Ctrl-C.
#
# Usage: deploy/run.sh [options]
#
# Options (each also settable through the environment variable shown):
#   --state-dir DIR         PCMD_STATE_DIR         data, logs (default: <repo>/.state)
#   --host HOST             PCMD_HOST              services' listen host (default 127.0.0.1)
#   --redis-port PORT       PCMD_REDIS_PORT        Redis port on 127.0.0.1 (default 6390)
#   --plans-port PORT       PCMD_PLANS_PORT        default 50051
#   --intake-port PORT      PCMD_INTAKE_PORT       default 50052
#   --inspections-port PORT PCMD_INSPECTIONS_PORT  default 50053
#   --referrals-port PORT   PCMD_REFERRALS_PORT    default 50054
#   --log-level LEVEL       PCMD_LOG_LEVEL         services' --log-level (default info)
#   --no-build              PCMD_NO_BUILD=1        skip install-deps.sh and build.sh
#   --no-demo               PCMD_NO_DEMO=1         do not run deploy/demo.sh
#   --demo-date DATE        PCMD_DEMO_DATE         the day the services' clocks run on
#                                                  (default 2024-06-10, inside the Hà Nội
#                                                  2024 plan's year, a week before its
#                                                  six-monthly reports are due, so that
#                                                  the demo's work counts towards it);
#                                                  "today": the system clock
#   --insecure              PCMD_INSECURE=1        plaintext gRPC, for local debugging only
#                                                  (default: mutual TLS with the development
#                                                  certificates in <state>/certs)
#   -h, --help                                     show this help
#
# More environment variables:
#   PCMD_BIN_DIR            build tree to run binaries from (default <repo>/build/release):
#                           $PCMD_BIN_DIR/services/<name>/pcmd-<name> and
#                           $PCMD_BIN_DIR/tools/pcmd-health
#   PCMD_STARTUP_TIMEOUT    seconds to wait for Redis and for all services to be
#                           SERVING (default 60)
#   PCMD_STOP_GRACE         seconds a service gets to stop after SIGTERM before
#                           SIGKILL (default 15)
#
# Layout under the state dir: redis/ (Redis data + AOF), <service>/<service>.db
# (SQLite), logs/<name>.log (previous run's log kept as <name>.log.prev).
#
# After all services are healthy, an executable deploy/demo.sh (if present) is
# run with PCMD_PLANS_ADDR, PCMD_INTAKE_ADDR, PCMD_INSPECTIONS_ADDR,
# PCMD_REFERRALS_ADDR, PCMD_REDIS_ADDR, PCMD_STATE_DIR, PCMD_BIN_DIR and PCMD_DEMO_DATE
# exported; its failure
# only prints a warning.
#
# Stop with Ctrl-C or SIGTERM: services get SIGTERM (SIGKILL after the grace
# period), then Redis is shut down (writing its AOF). Exit status: 0 after a
# clean stop; 1 if startup failed, a process died, or something had to be
# SIGKILLed; 2 for bad usage. If a port is busy (e.g. another pcmd instance is
# running) it exits 1 before starting anything.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SERVICES=(plans intake inspections referrals)
declare -A HEALTH_NAME=(
  [plans]=pcmd.plans.v1.DirectoryService
  [intake]=pcmd.intake.v1.IntakeService
  [inspections]=pcmd.inspections.v1.InspectionsService
  [referrals]=pcmd.referrals.v1.ReferralsService
)

usage() { awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "${BASH_SOURCE[0]}"; }
log() { echo "run: $*"; }
warn() { echo "run: WARNING: $*" >&2; }
usage_error() {
  echo "run: $*" >&2
  exit 2
}

# ---- configuration: defaults < environment < flags -------------------------
state_dir="${PCMD_STATE_DIR:-$REPO/.state}"
host="${PCMD_HOST:-127.0.0.1}"
log_level="${PCMD_LOG_LEVEL:-info}"
no_build="${PCMD_NO_BUILD:-0}"
no_demo="${PCMD_NO_DEMO:-0}"
demo_date="${PCMD_DEMO_DATE:-2024-06-10}"
insecure="${PCMD_INSECURE:-0}"
bin_dir="${PCMD_BIN_DIR:-$REPO/build/release}"
startup_timeout="${PCMD_STARTUP_TIMEOUT:-60}"
stop_grace="${PCMD_STOP_GRACE:-15}"
declare -A PORT=(
  [redis]="${PCMD_REDIS_PORT:-6390}"
  [plans]="${PCMD_PLANS_PORT:-50051}"
  [intake]="${PCMD_INTAKE_PORT:-50052}"
  [inspections]="${PCMD_INSPECTIONS_PORT:-50053}"
  [referrals]="${PCMD_REFERRALS_PORT:-50054}"
)

while [[ $# -gt 0 ]]; do
  opt="$1"
  val=""
  case "$opt" in
    --*=*) val="${opt#*=}"; opt="${opt%%=*}"; shift ;;
    --state-dir | --host | --log-level | --demo-date | --*-port)
      [[ $# -ge 2 ]] || usage_error "$opt needs a value"
      val="$2"; shift 2 ;;
    *) shift ;;
  esac
  case "$opt" in
    --state-dir) state_dir="$val" ;;
    --host) host="$val" ;;
    --log-level) log_level="$val" ;;
    --demo-date) demo_date="$val" ;;
    --redis-port | --plans-port | --intake-port | --inspections-port | --referrals-port)
      name="${opt#--}"; PORT[${name%-port}]="$val" ;;
    --no-build) no_build=1 ;;
    --no-demo) no_demo=1 ;;
    --insecure) insecure=1 ;;
    -h | --help) usage; exit 0 ;;
    *) usage_error "unknown argument: $opt (try --help)" ;;
  esac
done

for n in redis "${SERVICES[@]}"; do
  p="${PORT[$n]}"
  if ! [[ "$p" =~ ^[0-9]{1,5}$ ]] || ((10#$p < 1 || 10#$p > 65535)); then
    usage_error "bad $n port: '$p'"
  fi
done
[[ "$demo_date" == today ]] && demo_date=""
[[ -z "$demo_date" || "$demo_date" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}$ ]] ||
  usage_error "--demo-date must be YYYY-MM-DD or today (got '$demo_date')"
[[ "$startup_timeout" =~ ^[0-9]+$ ]] ||
  usage_error "PCMD_STARTUP_TIMEOUT must be a whole number of seconds (got '$startup_timeout')"
[[ "$stop_grace" =~ ^[0-9]+$ ]] ||
  usage_error "PCMD_STOP_GRACE must be a whole number of seconds (got '$stop_grace')"
# Two of our own processes on one port can never work.
mapfile -t dup_ports < <(printf '%s\n' "${PORT[@]}" | sort | uniq -d)
[[ ${#dup_ports[@]} -eq 0 ]] || usage_error "the same port is configured twice: ${dup_ports[*]}"

# Absolute paths: Redis chdirs into its --dir, and logs are printed to the user.
[[ "$state_dir" == /* ]] || state_dir="$PWD/$state_dir"
[[ "$bin_dir" == /* ]] || bin_dir="$PWD/$bin_dir"

# gRPC wants IPv6 literals in brackets: [::1]:50051.
addr_of() {
  local h="$1" p="$2"
  if [[ "$h" == *:* && "$h" != \[* ]]; then h="[$h]"; fi
  echo "$h:$p"
}

# ---- port check --------------------------------------------------------------
# Busy if anything listens on that TCP port on any local address.
check_ports() {
  local n p owner busy=0
  for n in redis "${SERVICES[@]}"; do
    p="${PORT[$n]}"
    if [[ -n "$(ss -ltnH "sport = :$p")" ]]; then
      # Name the owner when ss may show it (root or same user).
      owner="$(ss -ltnpH "sport = :$p" | grep -o 'users:(([^)]*))' | head -n1 || true)"
      echo "run: port $p ($n) is already in use${owner:+ by $owner}." >&2
      busy=1
    fi
  done
  if [[ $busy -eq 1 ]]; then
    cat >&2 <<EOF
run: another pcmd instance (or another program) may be running.
run: stop it, or choose other ports, e.g.
run:   PCMD_REDIS_PORT=6391 PCMD_PLANS_PORT=51051 PCMD_INTAKE_PORT=51052 \\
run:   PCMD_INSPECTIONS_PORT=51053 PCMD_REFERRALS_PORT=51054 \\
run:   PCMD_STATE_DIR=/tmp/pcmd2 deploy/run.sh
run: (or the --redis-port/--plans-port/... and --state-dir flags; see --help).
EOF
    exit 1
  fi
}

# ---- process bookkeeping and shutdown ----------------------------------------
declare -A PID=()   # name -> pid of what we started (only ours are ever signalled)
stopping=0
force_kill=0
had_to_kill=0

alive() { kill -0 "$1" 2>/dev/null; }

log_file() { echo "$state_dir/logs/$1.log"; }

show_log_tail() {
  local f
  f="$(log_file "$1")"
  echo "----- last lines of $f -----" >&2
  tail -n 40 "$f" >&2 2>/dev/null || echo "(no log)" >&2
  echo "----- end of $f -----" >&2
}

# Wait until every pid in "$@" has exited, up to $1 seconds (or until a second
# Ctrl-C sets force_kill). Polling, not `wait`, because a trapped signal would
# cut `wait` short. Returns 1 if some are still running.
wait_gone() {
  local secs="$1" i pid any
  shift
  for ((i = 0; i < secs * 10; i++)); do
    any=0
    for pid in "$@"; do alive "$pid" && any=1; done
    [[ $any -eq 0 ]] && return 0
    [[ $force_kill -eq 1 ]] && return 1
    sleep 0.1
  done
  return 1
}

# Each child is a session/process-group leader (setsid), so also signal the
# group: nothing it might have spawned is left behind.
kill_tree() {
  local sig="$1" pid="$2"
  kill "-$sig" -- "-$pid" 2>/dev/null || kill "-$sig" "$pid" 2>/dev/null || true
}

stop_all() {
  [[ $stopping -eq 1 ]] && return 0
  stopping=1
  local n pid pids=() names=()
  for n in "${SERVICES[@]}"; do
    pid="${PID[$n]:-}"
    if [[ -n "$pid" ]] && alive "$pid"; then
      pids+=("$pid")
      names+=("$n")
    fi
  done
  if [[ ${#pids[@]} -gt 0 ]]; then
    log "stopping ${names[*]} (SIGTERM, up to ${stop_grace}s; Ctrl-C again to force)..."
    for pid in "${pids[@]}"; do kill_tree TERM "$pid"; done
    if ! wait_gone "$stop_grace" "${pids[@]}"; then
      for n in "${names[@]}"; do
        if alive "${PID[$n]}"; then
          warn "$n (pid ${PID[$n]}) did not stop in time; sending SIGKILL"
          kill_tree KILL "${PID[$n]}"
          had_to_kill=1
        fi
      done
      wait_gone 5 "${pids[@]}" || true
    fi
  fi
  # Reap what we stopped and report a non-zero status (143: SIGTERM not
  # handled, 137: SIGKILL). Ones that died earlier were reported already.
  for n in "${names[@]}"; do
    local rc=0
    wait "${PID[$n]}" 2>/dev/null || rc=$?
    [[ $rc -eq 0 || $rc -eq 127 ]] || log "$n exited with status $rc"
  done
  for n in "${SERVICES[@]}"; do
    # Only our own pid files: a failed second instance must not touch the first's.
    [[ -n "${PID[$n]:-}" ]] && rm -f "$state_dir/run/$n.pid"
  done

  # A second Ctrl-C was meant for the services; Redis still gets its clean
  # SHUTDOWN (only a further Ctrl-C cuts that short).
  force_kill=0
  pid="${PID[redis]:-}"
  if [[ -n "$pid" ]] && alive "$pid"; then
    log "stopping redis (SHUTDOWN, writes the AOF)..."
    # SHUTDOWN closes the connection, so redis-cli's own status says nothing.
    redis-cli -h 127.0.0.1 -p "${PORT[redis]}" shutdown >/dev/null 2>&1 || true
    if ! wait_gone 10 "$pid"; then
      kill_tree TERM "$pid"
      if ! wait_gone "$stop_grace" "$pid"; then
        warn "redis (pid $pid) did not stop in time; sending SIGKILL"
        kill_tree KILL "$pid"
        had_to_kill=1
        wait_gone 5 "$pid" || true
      fi
    fi
  fi
  if [[ -n "$pid" ]]; then
    wait "$pid" 2>/dev/null || true
    rm -f "$state_dir/run/redis.pid"
  fi
  [[ ${#PID[@]} -gt 0 ]] && log "stopped."
  return 0
}

on_signal() {
  if [[ $stopping -eq 1 ]]; then
    # Second Ctrl-C while stopping: stop waiting, SIGKILL what is left.
    force_kill=1
    return 0
  fi
  echo
  log "received SIG$1"
  stop_all
  [[ $had_to_kill -eq 0 ]] && exit 0
  exit 1
}

# EXIT covers every other way out (errors, crashes, startup failures).
trap 'stop_all' EXIT
trap 'on_signal INT' INT
trap 'on_signal TERM' TERM
trap 'on_signal HUP' HUP

# ---- 1. fail fast if ports are busy (before a possibly long build) ------------
if command -v ss >/dev/null 2>&1; then check_ports; fi

# ---- 2. deps + build -----------------------------------------------------------
if [[ "$no_build" != 1 ]]; then
  "$REPO/deploy/install-deps.sh"
  # Build where the binaries are taken from, so PCMD_BIN_DIR never runs stale ones.
  "$REPO/deploy/build.sh" --type Release --build-dir "$bin_dir"
fi

health_bin="$bin_dir/tools/pcmd-health"
for n in "${SERVICES[@]}"; do
  [[ -x "$bin_dir/services/$n/pcmd-$n" ]] || {
    echo "run: missing binary $bin_dir/services/$n/pcmd-$n (build failed or PCMD_BIN_DIR wrong?)" >&2
    exit 1
  }
done
[[ -x "$health_bin" ]] || {
  echo "run: missing health probe $health_bin (build failed or PCMD_BIN_DIR wrong?)" >&2
  exit 1
}
for tool in redis-server redis-cli ss flock setsid; do
  if ! command -v "$tool" >/dev/null; then
    echo "run: $tool not found (run deploy/install-deps.sh)" >&2
    exit 1
  fi
done

# ---- 3. claim the state dir, re-check ports ------------------------------------
mkdir -p "$state_dir/logs" "$state_dir/run" "$state_dir/redis"
for n in "${SERVICES[@]}"; do mkdir -p "$state_dir/$n"; done

# One instance per state dir (two would share the SQLite files and Redis data).
# flock is released by the kernel when its holders die: it can never go stale.
# Children inherit the fd, so orphans of a killed run.sh still hold it.
exec 9>>"$state_dir/run/lock"
if ! flock -n 9; then
  echo "run: state dir $state_dir is in use by another pcmd instance (pid $(cat "$state_dir/run/owner" 2>/dev/null || echo '?'))." >&2
  echo "run: (or by processes a killed run.sh left behind). Stop it, or use another --state-dir / PCMD_STATE_DIR." >&2
  exit 1
fi
echo $$ >"$state_dir/run/owner"
check_ports

# Keep one previous log per process; a new run starts a fresh file.
rotate_log() {
  local f
  f="$(log_file "$1")"
  if [[ -s "$f" ]]; then mv -f "$f" "$f.prev"; fi
  : >"$f"
}

# ---- 3b. certificates: every service and caller is identified by mutual TLS ----------
certs_dir="$state_dir/certs"
tls_flags=()
probe_tls=()
if [[ "$insecure" == 1 ]]; then
  warn "--insecure: services run WITHOUT TLS; callers name their own agency in the x-pcmd-insecure-agency header. Local debugging only."
  tls_flags=(--insecure)
else
  # Idempotent: an existing development CA and certificates are kept.
  "$REPO/deploy/certs.sh" "$certs_dir" >/dev/null
  probe_tls=("--tls-ca=$certs_dir/ca.crt" "--tls-cert=$certs_dir/operator.crt"
    "--tls-key=$certs_dir/operator.key")
fi

# ---- 3c. keys: field encryption, blind indexes, the audit chain ------------------
keys_dir="$state_dir/keys"
if [[ ! -f "$keys_dir/index.key" ]]; then
  "$bin_dir/tools/pcmd-keys" generate "$keys_dir" >/dev/null
  log "generated development keys in $keys_dir"
fi

# ---- 4. Redis ------------------------------------------------------------------
rotate_log redis
redis_log="$(log_file redis)"
log "starting redis on 127.0.0.1:${PORT[redis]} (data: $state_dir/redis)"
# setsid: own process group, so the terminal's Ctrl-C reaches only this script
# and shutdown happens in order (services first, then Redis). Redis appends to
# --logfile itself; stdout/stderr catch what it prints before opening it.
# shellcheck disable=SC2094  # both only append to the log, nothing reads it
setsid redis-server \
  --bind 127.0.0.1 --port "${PORT[redis]}" \
  --dir "$state_dir/redis" \
  --appendonly yes --appendfsync everysec \
  --daemonize no --protected-mode yes \
  --logfile "$redis_log" \
  </dev/null >>"$redis_log" 2>&1 &
PID[redis]=$!
echo "${PID[redis]}" >"$state_dir/run/redis.pid"

deadline=$((SECONDS + startup_timeout))
until [[ "$(redis-cli -h 127.0.0.1 -p "${PORT[redis]}" ping 2>/dev/null)" == PONG ]]; do
  if ! alive "${PID[redis]}"; then
    echo "run: redis exited during startup." >&2
    show_log_tail redis
    exit 1
  fi
  if ((SECONDS >= deadline)); then
    echo "run: redis did not answer PING within ${startup_timeout}s." >&2
    show_log_tail redis
    exit 1
  fi
  sleep 0.2
done

# ---- 5. services -----------------------------------------------------------------
for n in "${SERVICES[@]}"; do
  rotate_log "$n"
  if [[ "$insecure" != 1 ]]; then
    tls_flags=("--tls-cert=$certs_dir/$n.crt" "--tls-key=$certs_dir/$n.key"
      "--tls-ca=$certs_dir/ca.crt")
  fi
  peer_flags=()
  # Intake checks the establishments tips name with inspections, as itself.
  [[ "$n" == intake ]] && peer_flags=("--inspections=127.0.0.1:${PORT[inspections]}")
  # Plans creates the units and agencies of the shipped directory at start.
  [[ "$n" == plans ]] &&
    peer_flags=("--directory-seed=$REPO/services/plans/data/directory.textproto")
  [[ -n "$demo_date" ]] && peer_flags+=("--clock-date=$demo_date")
  setsid "$bin_dir/services/$n/pcmd-$n" \
    "--listen=$(addr_of "$host" "${PORT[$n]}")" \
    "--db=$state_dir/$n/$n.db" \
    "--redis=127.0.0.1:${PORT[redis]}" \
    "--log-level=$log_level" \
    "--keys=$keys_dir" \
    ${peer_flags[@]+"${peer_flags[@]}"} \
    ${tls_flags[@]+"${tls_flags[@]}"} \
    </dev/null >>"$(log_file "$n")" 2>&1 &
  PID[$n]=$!
  echo "${PID[$n]}" >"$state_dir/run/$n.pid"
  log "started $n (pid ${PID[$n]}) on $(addr_of "$host" "${PORT[$n]}")"
done

# ---- 6. wait for SERVING ---------------------------------------------------------
declare -A healthy=()
deadline=$((SECONDS + startup_timeout))
while [[ ${#healthy[@]} -lt ${#SERVICES[@]} ]]; do
  for n in "${SERVICES[@]}"; do
    [[ -n "${healthy[$n]:-}" ]] && continue
    if ! alive "${PID[$n]}"; then
      rc=0
      wait "${PID[$n]}" || rc=$?
      echo "run: $n exited during startup (status $rc)." >&2
      show_log_tail "$n"
      exit 1
    fi
    if "$health_bin" "--target=$(addr_of "$host" "${PORT[$n]}")" \
      "--service=${HEALTH_NAME[$n]}" --timeout-ms=1000 \
      ${probe_tls[@]+"${probe_tls[@]}"} >/dev/null 2>&1; then
      healthy[$n]=1
      log "$n is SERVING"
    fi
  done
  [[ ${#healthy[@]} -eq ${#SERVICES[@]} ]] && break
  if ((SECONDS >= deadline)); then
    for n in "${SERVICES[@]}"; do
      if [[ -z "${healthy[$n]:-}" ]]; then
        echo "run: $n did not report SERVING within ${startup_timeout}s." >&2
        show_log_tail "$n"
      fi
    done
    exit 1
  fi
  sleep 0.5
done

# ---- 7. endpoints, demo hook -------------------------------------------------------
export PCMD_PLANS_ADDR PCMD_INTAKE_ADDR PCMD_INSPECTIONS_ADDR PCMD_REFERRALS_ADDR
export PCMD_REDIS_ADDR PCMD_STATE_DIR PCMD_BIN_DIR PCMD_DEMO_DATE
PCMD_DEMO_DATE="$demo_date"
PCMD_BIN_DIR="$bin_dir"
PCMD_PLANS_ADDR="$(addr_of "$host" "${PORT[plans]}")"
PCMD_INTAKE_ADDR="$(addr_of "$host" "${PORT[intake]}")"
PCMD_INSPECTIONS_ADDR="$(addr_of "$host" "${PORT[inspections]}")"
PCMD_REFERRALS_ADDR="$(addr_of "$host" "${PORT[referrals]}")"
PCMD_REDIS_ADDR="127.0.0.1:${PORT[redis]}"
PCMD_STATE_DIR="$state_dir"

echo
echo "pcmd is up (state dir: $state_dir)"
[[ -n "$demo_date" ]] &&
  echo "The services' clocks run on $demo_date (--demo-date; --demo-date=today for the real one)."
printf '  %-12s %-22s %s\n' SERVICE ADDRESS LOG
for n in "${SERVICES[@]}"; do
  printf '  %-12s %-22s %s\n' "$n" "$(addr_of "$host" "${PORT[$n]}")" "$(log_file "$n")"
done
printf '  %-12s %-22s %s\n' redis "$PCMD_REDIS_ADDR" "$(log_file redis)"
echo
if [[ "$insecure" != 1 ]]; then
  echo "Mutual TLS: every caller needs a certificate from $certs_dir/ca.crt."
  echo "Demo agency certificates are in $certs_dir (police-hanoi, social-affairs-hanoi,"
  echo "team178-thanhtri, provider-hanoi, provider-yte-thanhtri, provider-nghe-hanoi, health-hanoi,"
  echo "ministry-health; operator for pcmd's own tools), e.g."
  echo "  $bin_dir/tools/pcmd-events stats --target=$(addr_of "$host" "${PORT[plans]}") \\"
  echo "    --tls-ca=$certs_dir/ca.crt --tls-cert=$certs_dir/operator.crt --tls-key=$certs_dir/operator.key"
  echo
fi

if [[ "$no_demo" != 1 && -x "$REPO/deploy/demo.sh" ]]; then
  log "running deploy/demo.sh"
  if ! "$REPO/deploy/demo.sh"; then
    warn "deploy/demo.sh failed; the services keep running."
  fi
fi

echo "Press Ctrl-C to stop."

# ---- 8. serve until a signal or until something dies --------------------------------
# wait -n returns as soon as any child ends; a trapped signal interrupts it and
# the trap handler stops everything and exits.
all_pids=()
for n in redis "${SERVICES[@]}"; do all_pids+=("${PID[$n]}"); done
while :; do
  died=""
  rc=0
  wait -n -p died "${all_pids[@]}" || rc=$?
  [[ -n "$died" ]] || continue
  for n in redis "${SERVICES[@]}"; do
    if [[ "${PID[$n]}" == "$died" ]]; then
      echo "run: $n (pid $died) exited unexpectedly (status $rc); stopping everything." >&2
      show_log_tail "$n"
      exit 1
    fi
  done
done
