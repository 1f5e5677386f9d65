#!/usr/bin/env bash
# Prepares a cluster whose operator was installed with `kubectl apply -k config/default` or `config/binance` (and
# perhaps `kubectl apply -k config/prometheus`) for `helm install` of the chart, keeping the CRD and every IndexFund:
#   1. hands the IndexFund CRD to the Helm release (Helm's adoption label and annotations), so that the chart manages
#      it from now on instead of refusing to install over it; it is never deleted, so neither is any fund;
#   2. deletes the operator's Deployment and waits until it is gone (the pod finishes in-flight reconciles and
#      releases its Lease); a rebalance it leaves half done is resumed from status.execution by the new operator;
#   3. deletes the operator's other objects the overlays render (RBAC, including config/binance's Secret reading,
#      Service, ServiceMonitor, PrometheusRule, PDB; the Deployment's selector is immutable and differs from the chart's;
#      the other names collide with the chart's or would be left behind, still granting what they grant), never the
#      Namespace or the CRD. Objects not in the cluster are skipped. Overlays that render anything else (a fund, a
#      Secret) are refused before anything is changed.
# Then it prints the helm install command. Funds are not reconciled between steps 2 and the install.
#
# Usage: scripts/kustomize-to-helm.sh [--overlay DIR]... [--release NAME] [--namespace NS] [--dry-run]
#   --overlay    a kustomization that installed the operator; repeat it for each one applied, e.g. --overlay
#                config/binance --overlay config/prometheus (or your own overlays of them, which must render the
#                objects in the cluster). Default: config/binance alone, which is config/default plus its Secret
#                reading, so it covers either install
#   --release    the Helm release to be installed (default: cryptoindex-operator)
#   --namespace  the operator's namespace, where the release goes (default: the namespace of the overlay's Deployment)
#   --dry-run    print the commands it would run, with every object the overlays render; contact no cluster
# Needs kubectl (scripts/install-tools.sh puts a pinned one in .tools/bin) and the kubeconfig of the cluster.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
kubectl="${KUBECTL:-kubectl}"
command -v "$kubectl" >/dev/null || kubectl="$repo/.tools/bin/kubectl"
[[ -x "$(command -v "$kubectl")" ]] || { echo "kustomize-to-helm: kubectl not found: run scripts/install-tools.sh" >&2; exit 2; }

overlays=()
release=cryptoindex-operator
namespace=""
dry_run=false
while [[ $# -gt 0 ]]; do
  case "$1" in
    --overlay) overlays+=("${2:?--overlay needs a folder}"); shift 2 ;;
    --release) release="${2:?--release needs a name}"; shift 2 ;;
    --namespace) namespace="${2:?--namespace needs a name}"; shift 2 ;;
    --dry-run) dry_run=true; shift ;;
    -h|--help) sed -n '2,23p' "$0"; exit 0 ;;
    *) echo "kustomize-to-helm: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ ${#overlays[@]} -gt 0 ]] || overlays=("$repo/config/binance")

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Splits rendered YAML into the documents of the given kinds (kept) or of every other kind (dropped); kustomize writes
# one object per document, top-level keys at column 0.
select_kinds() { # mode (keep|drop), kinds as a regex alternation
  awk -v mode="$1" -v kinds="^kind: ($2)$" '
    function flush() { if (doc != "" && ((mode == "keep") == matched)) printf "%s---\n", doc; doc = ""; matched = 0 }
    /^---$/ { flush(); next }
    { doc = doc $0 "\n"; if ($0 ~ kinds) matched = 1 }
    END { flush() }'
}

for overlay in "${overlays[@]}"; do
  [[ -f "$overlay/kustomization.yaml" || -f "$overlay/kustomization.yml" || -f "$overlay/Kustomization" ]] \
    || { echo "kustomize-to-helm: $overlay has no kustomization.yaml" >&2; exit 2; }
  "$kubectl" kustomize "$overlay" >> "$work/rendered.yaml"
  echo "---" >> "$work/rendered.yaml"
done

# What may be deleted: the operator's own objects, nothing that holds a fund's state or secrets.
operator_kinds='ServiceAccount|Role|RoleBinding|ClusterRole|ClusterRoleBinding|Service|ServiceMonitor|PrometheusRule|PodDisruptionBudget'
list_objects() { awk '/^kind: / { kind = $2 } /^metadata:/ { meta = 1; next } /^[^ ]/ { meta = 0 } meta && /^  name: / { print "    " kind " " $2 }' "$1"; }

select_kinds drop "Deployment|Namespace|CustomResourceDefinition|$operator_kinds" < "$work/rendered.yaml" > "$work/foreign.yaml"
if [[ -s "$work/foreign.yaml" ]]; then
  echo "kustomize-to-helm: the overlays also render objects that are not the operator's; nothing was changed:" >&2
  list_objects "$work/foreign.yaml" >&2
  echo "Pass only the overlays that installed the operator (config/default or config/binance, config/prometheus): funds, Secrets and the like must stay." >&2
  exit 2
fi

select_kinds keep 'Deployment' < "$work/rendered.yaml" > "$work/deployment.yaml"
select_kinds keep 'CustomResourceDefinition' < "$work/rendered.yaml" > "$work/crd.yaml"
select_kinds keep "$operator_kinds" < "$work/rendered.yaml" > "$work/rest.yaml"

if [[ -z "$namespace" ]]; then
  namespace="$(awk '/^  namespace: / { print $2; exit }' "$work/deployment.yaml")"
  [[ -n "$namespace" ]] || { echo "kustomize-to-helm: no Deployment with a namespace in the overlays: pass --namespace" >&2; exit 2; }
fi

run() {
  echo "+ kubectl $*"
  $dry_run || "$kubectl" "$@"
}

# The image the install keeps: the running Deployment's (perhaps set by `kubectl set image` after the apply), else the
# one the overlays render (a dry run asks the cluster nothing).
image="$(awk '/^      containers:/ { on = 1 } on && /^ +(- )?image: / { print $NF; exit }' "$work/deployment.yaml")"
if ! $dry_run && [[ -s "$work/deployment.yaml" ]]; then
  deployment_name="$(awk '/^  name: / { print $2; exit }' "$work/deployment.yaml")"
  running_image="$("$kubectl" get deployment "$deployment_name" -n "$namespace" --ignore-not-found \
    -o jsonpath='{.spec.template.spec.containers[?(@.name=="operator")].image}' || true)"
  image="${running_image:-$image}"
fi

if [[ -s "$work/crd.yaml" ]]; then
  crd="$(awk '/^  name: / { print $2; exit }' "$work/crd.yaml")"
  run label crd "$crd" app.kubernetes.io/managed-by=Helm --overwrite
  run annotate crd "$crd" "meta.helm.sh/release-name=$release" "meta.helm.sh/release-namespace=$namespace" --overwrite
fi

if [[ -s "$work/deployment.yaml" ]]; then
  echo "+ kubectl delete --wait --ignore-not-found -f <the overlays' Deployment>"
  $dry_run || "$kubectl" delete --wait --ignore-not-found -f "$work/deployment.yaml"
  # Its pods go after it: wait for them (graceful shutdown releases the Lease) while their RBAC still exists.
  selector="$(awk '/^    matchLabels:/ { on = 1; next } on && /^      [^ ]/ { sub(/^ +/, ""); sub(/: /, "="); s = s (s ? "," : "") $0; next } { on = 0 } END { print s }' "$work/deployment.yaml")"
  if [[ -n "$selector" ]] && ! run wait --for=delete pod -n "$namespace" -l "$selector" --timeout=120s; then
    echo "kustomize-to-helm: the old operator's pods are still shutting down; nothing else was deleted. Run this again (each step can be repeated)." >&2
    exit 1
  fi
fi

if [[ -s "$work/rest.yaml" ]]; then
  echo "+ kubectl delete --ignore-not-found -f <the overlays' other objects, not the Namespace or the CRD>"
  list_objects "$work/rest.yaml"
  $dry_run || "$kubectl" delete --ignore-not-found -f "$work/rest.yaml"
fi

# The chart takes the image as repository plus tag or digest; a registry's port (host:5000/x) is not a tag.
image_flags="--set image.repository=REGISTRY/cryptoindex-operator --set image.tag=TAG" # no image found: name yours
if [[ "$image" == *@* ]]; then
  image_flags="--set image.repository=${image%@*} --set image.digest=${image#*@}"
elif [[ -n "$image" ]]; then
  last="${image##*/}"
  if [[ "$last" == *:* ]]; then
    image_flags="--set image.repository=${image%:*} --set image.tag=${last##*:}"
  else
    image_flags="--set image.repository=$image --set image.tag=latest"
  fi
fi
helm_install="  helm install $release charts/cryptoindex-operator --namespace $namespace \\
    $image_flags"

if $dry_run; then
  cat <<EOF

Dry run: nothing was changed, and the cluster was not asked what it holds (objects it does not have are skipped
when the script runs for real). Run it again without --dry-run; then install the chart with your settings. The image
below is the one the overlays render; run for real, the script names the one the running Deployment has:

$helm_install
EOF
  exit 0
fi

cat <<EOF

The CRD and every IndexFund are in place; no operator is running. Install the chart now, with the image the old
operator ran (below) and your settings (watched namespaces, price provider, monitoring: see
charts/cryptoindex-operator/README.md; Binance funds need --set rbac.exchangeCredentials=true, best with
watchNamespaces listed):

$helm_install

Then: kubectl -n $namespace rollout status deployment/$release && kubectl get ifund -A
EOF
