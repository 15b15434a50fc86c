#!/usr/bin/env bash
# Creates or updates, with kubectl, the Secrets the manifests mount:
#   pcmd-tls-<service>  kubernetes.io/tls: tls.crt, tls.key (<service>.crt/.key) and ca.crt,
#                       for plans, intake, inspections and referrals
#   pcmd-keys           Opaque: every *.key of the key folder (field-<N>.key, index.key,
#                       audit.key), mounted by all four services
# from files in the layout deploy/certs.sh and `pcmd-keys generate` make.
#
# Usage: deploy/k8s/make-secrets.sh [options]
#   --certs DIR       ca.crt and <service>.crt, <service>.key (default:
#                     deploy/compose/secrets/certs, made by deploy/compose/init-secrets.sh;
#                     in production, the deployment's PKI)
#   --keys DIR        the key folder (default: deploy/compose/secrets/keys)
#   --namespace NS    default pcmd
#   --dry-run         print the Secrets as YAML instead of applying them (the output
#                     holds private keys: do not keep it)
#   --replace-keys    allow changing or dropping a key pcmd-keys already holds (refused
#                     otherwise: data sealed with a lost or changed key no longer opens,
#                     a changed index.key breaks look-ups and pseudonyms, a changed
#                     audit.key breaks audit-chain verification)
#   -h, --help
#
# kubectl uses the current context (KUBECONFIG, --context are not passed; set them
# beforehand). Applies server-side, so no copy of the data lands in the
# last-applied-configuration annotation. The services read certificates and keys at
# start: restart them afterwards (kubectl -n pcmd rollout restart deployment).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
SERVICES=(plans intake inspections referrals)

certs="$REPO/deploy/compose/secrets/certs"
keys="$REPO/deploy/compose/secrets/keys"
ns=pcmd
dry_run=0
replace_keys=0

die() {
  echo "make-secrets: $*" >&2
  exit 1
}
usage_error() {
  echo "make-secrets: $*" >&2
  exit 2
}

while [[ $# -gt 0 ]]; do
  opt="$1"
  val=""
  case "$opt" in
    --*=*) val="${opt#*=}"; opt="${opt%%=*}"; shift ;;
    --certs | --keys | --namespace)
      [[ $# -ge 2 ]] || usage_error "$opt needs a value"
      val="$2"; shift 2 ;;
    *) shift ;;
  esac
  case "$opt" in
    --certs) certs="$val" ;;
    --keys) keys="$val" ;;
    --namespace) ns="$val" ;;
    --dry-run) dry_run=1 ;;
    --replace-keys) replace_keys=1 ;;
    -h | --help)
      awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "${BASH_SOURCE[0]}"
      exit 0
      ;;
    *) usage_error "unknown argument: $opt (try --help)" ;;
  esac
done

command -v kubectl >/dev/null 2>&1 || die "kubectl not found"

# ---- check the files before touching the cluster ---------------------------------------
missing=()
[[ -f "$certs/ca.crt" ]] || missing+=("$certs/ca.crt")
for s in "${SERVICES[@]}"; do
  for f in "$certs/$s.crt" "$certs/$s.key"; do [[ -f "$f" ]] || missing+=("$f"); done
done
[[ -f "$keys/index.key" ]] || missing+=("$keys/index.key")
[[ -f "$keys/audit.key" ]] || missing+=("$keys/audit.key")
compgen -G "$keys/field-*.key" >/dev/null || missing+=("$keys/field-<N>.key")
if [[ ${#missing[@]} -gt 0 ]]; then
  printf 'make-secrets: missing: %s\n' "${missing[@]}" >&2
  die "make them with deploy/compose/init-secrets.sh (development) or take them from the PKI and secret store"
fi
# Only key files: a stray *.tmp or editor file must not become a key.
key_files=()
for f in "$keys"/*.key; do
  case "$(basename "$f")" in
    field-[0-9]*.key | index.key | audit.key) key_files+=("$f") ;;
    *) echo "make-secrets: skipping $(basename "$f") (not a pcmd key name)" >&2 ;;
  esac
done
for f in "${key_files[@]}"; do
  [[ "$(tr -d '[:space:]' <"$f")" =~ ^[0-9a-fA-F]{64}$ ]] || die "$f does not hold 64 hex characters"
done

# ---- never lose or change a key the cluster already holds ------------------------------
if [[ $dry_run -eq 0 && $replace_keys -eq 0 ]] &&
  kubectl -n "$ns" get secret pcmd-keys >/dev/null 2>&1; then
  # shellcheck disable=SC2016  # a Go template, not shell
  mapfile -t held < <(kubectl -n "$ns" get secret pcmd-keys \
    -o go-template='{{range $k, $v := .data}}{{$k}}{{"\n"}}{{end}}')
  for k in "${held[@]}"; do
    [[ -n "$k" ]] || continue
    if [[ ! -f "$keys/$k" ]]; then
      die "pcmd-keys holds $k, which $keys lacks; data sealed with it would no longer open (--replace-keys to force)"
    fi
    current="$(kubectl -n "$ns" get secret pcmd-keys -o go-template="{{index .data \"$k\"}}")"
    if [[ "$current" != "$(base64 -w0 <"$keys/$k")" ]]; then
      die "pcmd-keys holds a different $k than $keys; refusing to change a key in use (--replace-keys to force)"
    fi
  done
fi

if [[ $dry_run -eq 0 ]]; then
  kubectl get namespace "$ns" >/dev/null 2>&1 ||
    die "namespace $ns does not exist: kubectl apply -f $HERE/namespace.yaml"
fi

# ---- create or update ------------------------------------------------------------------
emit() {
  if [[ $dry_run -eq 1 ]]; then
    echo "---"
    cat
  else
    kubectl apply --server-side --force-conflicts --field-manager=pcmd-make-secrets -f -
  fi
}

for s in "${SERVICES[@]}"; do
  kubectl create secret generic "pcmd-tls-$s" --namespace "$ns" --type=kubernetes.io/tls \
    --from-file=tls.crt="$certs/$s.crt" --from-file=tls.key="$certs/$s.key" \
    --from-file=ca.crt="$certs/ca.crt" --dry-run=client -o yaml |
    kubectl label --local -f - app.kubernetes.io/part-of=pcmd -o yaml | emit
done

from_files=()
for f in "${key_files[@]}"; do from_files+=("--from-file=$(basename "$f")=$f"); done
kubectl create secret generic pcmd-keys --namespace "$ns" "${from_files[@]}" \
  --dry-run=client -o yaml |
  kubectl label --local -f - app.kubernetes.io/part-of=pcmd -o yaml | emit

if [[ $dry_run -eq 0 ]]; then
  echo "make-secrets: pcmd-tls-{${SERVICES[*]// /,}} and pcmd-keys (${#key_files[@]} keys) in namespace $ns"
  echo "make-secrets: running services read them at start: kubectl -n $ns rollout restart deployment"
fi
