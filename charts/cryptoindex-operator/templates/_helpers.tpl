{{/* Chart name, overridable. */}}
{{- define "cryptoindex-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name: the release name, plus the chart name unless the release name already contains it. */}}
{{- define "cryptoindex-operator.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "cryptoindex-operator.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Recommended labels (helm.sh best practices); selectors use only name and instance. */}}
{{- define "cryptoindex-operator.labels" -}}
helm.sh/chart: {{ include "cryptoindex-operator.chart" . }}
{{ include "cryptoindex-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: cryptoindex
{{- end }}

{{- define "cryptoindex-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "cryptoindex-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "cryptoindex-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "cryptoindex-operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* repository:tag, or repository@digest when a digest is given. */}}
{{- define "cryptoindex-operator.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* The metrics Service name; Prometheus' job label when a ServiceMonitor scrapes it. */}}
{{- define "cryptoindex-operator.metricsServiceName" -}}
{{- printf "%s-metrics" (include "cryptoindex-operator.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* PromQL matchers that pick this release's series in alerts. */}}
{{- define "cryptoindex-operator.metricsSelector" -}}
{{- if .Values.prometheusRule.selector }}
{{- .Values.prometheusRule.selector }}
{{- else }}
{{- printf "job=\"%s\",namespace=\"%s\"" (include "cryptoindex-operator.metricsServiceName" .) .Release.Namespace }}
{{- end }}
{{- end }}

{{/*
Whether to render a prometheus-operator object: (dict "ctx" $ "mode" renderMode "api" "monitoring.coreos.com/v1/Kind").
alwaysRender renders; otherwise render when the cluster serves the API, and fail when it does not and the mode is
failIfMissing. Prints "true" or nothing.
*/}}
{{- define "cryptoindex-operator.shouldRender" -}}
{{- if eq .mode "alwaysRender" }}
{{- "true" }}
{{- else if .ctx.Capabilities.APIVersions.Has .api }}
{{- "true" }}
{{- else if eq .mode "failIfMissing" }}
{{- fail (printf "%s is not served by this cluster (install prometheus-operator's CRDs, or set renderMode: skipIfMissing)" .api) }}
{{- end }}
{{- end }}

{{/* The rules the operator needs in every namespace it reconciles (a ClusterRole or one Role per namespace). */}}
{{- define "cryptoindex-operator.managerRules" -}}
# Funds: the cache lists and watches them; the status journal reads one before writing; metadata.finalizers is
# patched to hold a fund deleted while its rebalance's orders on a real exchange are unresolved (nothing else).
- apiGroups: [cryptoindex.io]
  resources: [indexfunds]
  verbs: [get, list, watch, patch]
# Status, allocations, trades and the execution journal are merge patches on the status subresource.
- apiGroups: [cryptoindex.io]
  resources: [indexfunds/status]
  verbs: [patch]
# Events about funds (core/v1): created, then patched to count repeats.
- apiGroups: [""]
  resources: [events]
  verbs: [create, patch]
{{- if and .Values.rbac.exchangeCredentials (not .Values.rbac.exchangeCredentialsNamespaces) }}
{{ include "cryptoindex-operator.exchangeCredentialsRules" . }}
{{- end }}
{{- end }}

{{- define "cryptoindex-operator.exchangeCredentialsRules" -}}
# The exchange credentials a fund names (spec.exchange.credentialsSecretRef): read by name, never listed. No
# resourceNames: each fund names its own Secret, which the chart cannot know.
- apiGroups: [""]
  resources: [secrets]
  verbs: [get]
{{- end }}

{{- /*
rbac.exchangeCredentialsNamespaces moves the Secret rule out of the manager (Cluster)Role into a Role in each listed
namespace. Refuses a list that grants nothing (rbac.exchangeCredentials off) or that names a namespace the operator
does not reconcile (a fund there is never read, so the grant would only widen what a compromised operator reads).
*/ -}}
{{- define "cryptoindex-operator.checkExchangeCredentials" -}}
{{- $namespaces := .Values.rbac.exchangeCredentialsNamespaces | default list }}
{{- if and $namespaces (not .Values.rbac.exchangeCredentials) }}
{{- fail (printf "rbac.exchangeCredentialsNamespaces (%s) grants nothing while rbac.exchangeCredentials is false: set rbac.exchangeCredentials=true for Binance funds there, or empty rbac.exchangeCredentialsNamespaces" (join ", " $namespaces)) }}
{{- end }}
{{- if .Values.watchNamespaces }}
{{- range $namespaces }}
{{- if not (has . $.Values.watchNamespaces) }}
{{- fail (printf "rbac.exchangeCredentialsNamespaces: %s is not in watchNamespaces (%s): the operator reconciles no fund there; add it to watchNamespaces or remove it from rbac.exchangeCredentialsNamespaces" . (join ", " $.Values.watchNamespaces)) }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}

{{- /*
The leader Lease's name: a --lease-name given in extraArgs (as older releases had to), else
leaderElection.leaseName, else the default below. A missing or empty leaseName falls back to the default:
`helm upgrade --reuse-values` from a chart version before leaseName existed reuses values without it.
*/ -}}
{{- define "cryptoindex-operator.defaultLeaseName" -}}
cryptoindex-operator
{{- end }}

{{- define "cryptoindex-operator.leaseName" -}}
{{- $name := .Values.leaderElection.leaseName | default (include "cryptoindex-operator.defaultLeaseName" .) }}
{{- $args := .Values.extraArgs | default list }}
{{- range $i, $arg := $args }}
{{- if or (hasPrefix "--lease-name=" (toString $arg)) (hasPrefix "--lease-name:" (toString $arg)) }}
{{- $name = substr 13 -1 (toString $arg) }}
{{- if not $name }}{{ fail "extraArgs: --lease-name needs a name (or leave it out and set leaderElection.leaseName)" }}{{ end }}
{{- else if eq (toString $arg) "--lease-name" }}
{{- $name = "" }}
{{- if lt (add1 $i) (len $args) }}{{ $name = toString (index $args (add1 $i)) }}{{ end }}
{{- if or (not $name) (hasPrefix "-" $name) }}{{ fail "extraArgs: --lease-name needs a name (or leave it out and set leaderElection.leaseName)" }}{{ end }}
{{- end }}
{{- end }}
{{- $name }}
{{- end }}

{{- /*
The leader Lease's namespace: a --lease-namespace given in extraArgs, else the release namespace (the operator's
default, from POD_NAMESPACE). The leader-election Role must be there: in any other namespace it grants nothing.
*/ -}}
{{- define "cryptoindex-operator.leaseNamespace" -}}
{{- $namespace := .Release.Namespace }}
{{- $args := .Values.extraArgs | default list }}
{{- range $i, $arg := $args }}
{{- if or (hasPrefix "--lease-namespace=" (toString $arg)) (hasPrefix "--lease-namespace:" (toString $arg)) }}
{{- $namespace = substr 18 -1 (toString $arg) }}
{{- else if and (eq (toString $arg) "--lease-namespace") (lt (add1 $i) (len $args)) }}
{{- $namespace = toString (index $args (add1 $i)) }}
{{- end }}
{{- end }}
{{- $namespace }}
{{- end }}

{{- /* A Prometheus duration (values.schema.json: 1m30s, 500ms, ...) in milliseconds. */ -}}
{{- define "cryptoindex-operator.durationMilliseconds" -}}
{{- $units := dict "ms" 1 "s" 1000 "m" 60000 "h" 3600000 "d" 86400000 "w" 604800000 "y" 31536000000 }}
{{- $total := 0 }}
{{- range regexFindAll "[0-9]+(ms|s|m|h|d|w|y)" (toString .) -1 }}
{{- $total = add $total (mul (regexReplaceAll "[a-z]+$" . "" | int64) (get $units (regexReplaceAll "^[0-9]+" . ""))) }}
{{- end }}
{{- $total }}
{{- end }}

{{- /*
The Lease a running operator elects on, from the args of the release's Deployment in the cluster (lookup; empty
with `helm template`, so with Argo CD): "" when it does not elect a leader; the operator's own default name when it
was started without --lease-name (the first chart version); printed as "none" when there is nothing to compare (no
Deployment, or scaled to 0).
*/ -}}
{{- define "cryptoindex-operator.runningLeaseName" -}}
{{- $running := lookup "apps/v1" "Deployment" .Release.Namespace (include "cryptoindex-operator.fullname" .) }}
{{- $replicas := 1 }}
{{- if and $running (hasKey (default (dict) $running.spec) "replicas") }}{{ $replicas = int $running.spec.replicas }}{{ end }}
{{- if or (not $running) (lt $replicas 1) }}
{{- "none" }}
{{- else }}
{{- $args := list }}
{{- range $running.spec.template.spec.containers }}{{ if eq .name "operator" }}{{ $args = .args | default list }}{{ end }}{{ end }}
{{- $name := include "cryptoindex-operator.defaultLeaseName" . }}
{{- $elects := true }}
{{- range $i, $arg := $args }}
{{- $arg = toString $arg }}
{{- if or (eq $arg "--leader-elect=false") (eq $arg "--leader-elect:false") }}{{ $elects = false }}{{ end }}
{{- if or (hasPrefix "--lease-name=" $arg) (hasPrefix "--lease-name:" $arg) }}{{ $name = substr 13 -1 $arg }}{{ end }}
{{- if and (eq $arg "--lease-name") (lt (add1 $i) (len $args)) }}{{ $name = toString (index $args (add1 $i)) }}{{ end }}
{{- end }}
{{- if $elects }}{{ $name }}{{ end }}
{{- end }}
{{- end }}

{{- /* The namespace of the Lease the release's running operator elects in (its --lease-namespace, else its own). */ -}}
{{- define "cryptoindex-operator.runningLeaseNamespace" -}}
{{- $running := lookup "apps/v1" "Deployment" .Release.Namespace (include "cryptoindex-operator.fullname" .) }}
{{- $namespace := .Release.Namespace }}
{{- if $running }}
{{- range $running.spec.template.spec.containers }}{{ if eq .name "operator" }}
{{- $args := .args | default list }}
{{- range $i, $arg := $args }}
{{- $arg = toString $arg }}
{{- if or (hasPrefix "--lease-namespace=" $arg) (hasPrefix "--lease-namespace:" $arg) }}{{ $namespace = substr 18 -1 $arg }}{{ end }}
{{- if and (eq $arg "--lease-namespace") (lt (add1 $i) (len $args)) }}{{ $namespace = toString (index $args (add1 $i)) }}{{ end }}
{{- end }}
{{- end }}{{ end }}
{{- end }}
{{- $namespace }}
{{- end }}

{{- /*
On upgrade with leader election, old and new pods overlap during the rolling update: they must elect on the same
Lease, or both lead and trade. Refuses an upgrade that would change the Lease, its namespace (or turn leader election on) while the
release's operator runs; scaled to 0 it may. Needs the cluster (lookup): not checked by `helm template`.
*/ -}}
{{- define "cryptoindex-operator.checkLeaseChange" -}}
{{- if and .Release.IsUpgrade .Values.leaderElection.enabled }}
{{- $old := include "cryptoindex-operator.runningLeaseName" . }}
{{- $new := include "cryptoindex-operator.leaseName" . }}
{{- $deployment := printf "%s/%s" .Release.Namespace (include "cryptoindex-operator.fullname" .) }}
{{- $scale := printf "kubectl -n %s scale deployment/%s --replicas=0" .Release.Namespace (include "cryptoindex-operator.fullname" .) }}
{{- if eq $old "" }}
{{- fail (printf "leaderElection.enabled: the running operator (Deployment %s) does not elect a leader, so during the rolling update it would trade beside the new pods' leader; scale it to 0 first (%s), then upgrade (with Helm 4 add --force-conflicts: kubectl then owns spec.replicas)" $deployment $scale) }}
{{- else if and (ne $old "none") (ne $old $new) }}
{{- fail (printf "leaderElection.leaseName: the running operator (Deployment %s) elects on the Lease %q, this upgrade on %q: old and new pods would both lead (and trade) during the rolling update. Keep the Lease (--set leaderElection.leaseName=%s), or scale the operator to 0 first (%s), then upgrade (with Helm 4 add --force-conflicts: kubectl then owns spec.replicas)" $deployment $old $new $old $scale) }}
{{- end }}
{{- $oldNamespace := include "cryptoindex-operator.runningLeaseNamespace" . }}
{{- $newNamespace := include "cryptoindex-operator.leaseNamespace" . }}
{{- if and (ne $old "") (ne $old "none") (ne $oldNamespace $newNamespace) }}
{{- fail (printf "extraArgs --lease-namespace: the running operator (Deployment %s) elects on a Lease in the namespace %q, this upgrade in %q: old and new pods would both lead (and trade) during the rolling update. Keep the namespace, or scale the operator to 0 first (%s), then upgrade (with Helm 4 add --force-conflicts: kubectl then owns spec.replicas)" $deployment $oldNamespace $newNamespace $scale) }}
{{- end }}
{{- end }}
{{- end }}

{{- /*
Flags the chart sets from its values: the operator refuses a flag given twice, so extraArgs may not repeat them.
*/ -}}
{{- define "cryptoindex-operator.checkExtraArgs" -}}
{{- $owned := dict "--port" "operator.port" "--leader-elect" "leaderElection.enabled" "--max-concurrent-reconciles" "operator.maxConcurrentReconciles" "--graceful-shutdown-timeout" "operator.gracefulShutdownTimeout" "--reconcile-timeout" "operator.reconcileTimeout" "--metrics-secure" "metrics.secure.enabled" "--metrics-port" "metrics.secure.port" "--metrics-cert-dir" "metrics.secure.certSecret" }}
{{- range .Values.extraArgs }}
{{- $flag := regexReplaceAll "[=:].*$" (toString .) "" }}
{{- if hasKey $owned $flag }}
{{- fail (printf "extraArgs: %s is set by the chart from %s; set it there (the operator refuses a flag given twice)" $flag (get $owned $flag)) }}
{{- end }}
{{- if and (eq $flag "--watch-namespaces") $.Values.watchNamespaces }}
{{- fail "extraArgs: --watch-namespaces is set by the chart from watchNamespaces; set it there" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "cryptoindex-operator.leaseNameInExtraArgs" -}}
{{- range .Values.extraArgs }}{{ if or (eq (toString .) "--lease-name") (hasPrefix "--lease-name=" (toString .)) (hasPrefix "--lease-name:" (toString .)) }}true{{ end }}{{ end }}
{{- end }}

{{- /*
The operator's MarketData:Http and MarketData:Validation settings (the properties of SourceHttpOptions and
MarketDataOptions, which MarketDataConfiguration.Bind reads) from marketData.http and marketData.validation, as env
entries: only the values set ("" or null keeps the operator's default; 0 is a value). A string is passed as written;
a number as JSON writes it (toJson: 0.25, 1000000, where quote gives 1e+06). A key the operator does not
read is refused (the operator would refuse to start), as is a variable extraEnv also sets (one would hide the other).
*/ -}}
{{- define "cryptoindex-operator.marketDataSettingsEnv" -}}
{{- $marketData := .Values.marketData | default dict }}
{{- $extraEnv := list }}
{{- range (.Values.extraEnv | default list) }}{{ $extraEnv = append $extraEnv (lower (toString (get . "name"))) }}{{ end }}
{{- $sections := list
      (list "http" "Http" (list "AttemptTimeout" "TotalTimeout" "MaxRetries" "RetryBaseDelay" "BreakerFailureRatio" "BreakerMinimumThroughput" "BreakerSamplingDuration" "BreakDuration"))
      (list "validation" "Validation" (list "MaxPriceJump" "AcceptJumpAfter" "RefreshTimeout" "FallbackShare")) }}
{{- range $sections }}
{{- $group := index . 0 }}
{{- $section := index . 1 }}
{{- $keys := dict }}
{{- $order := list }}
{{- range index . 2 }}
{{- $key := printf "%s%s" (lower (substr 0 1 .)) (substr 1 -1 .) }}
{{- $_ := set $keys $key . }}
{{- $order = append $order $key }}
{{- end }}
{{- $values := get $marketData $group | default dict }}
{{- range $key, $_ := $values }}
{{- if not (hasKey $keys $key) }}
{{- fail (printf "marketData.%s.%s is not a setting: marketData.%s takes %s" $group $key $group (join ", " $order)) }}
{{- end }}
{{- end }}
{{- range $key := $order }}
{{- $value := get $values $key }}
{{- if not (or (kindIs "invalid" $value) (eq (toString $value) "")) }}
{{- $name := printf "MarketData__%s__%s" $section (get $keys $key) }}
{{- if has (lower $name) $extraEnv }}
{{- fail (printf "extraEnv: %s is set by the chart from marketData.%s.%s; set it there" $name $group $key) }}
{{- end }}
- name: {{ $name }}
  value: {{ ternary $value (toJson $value) (kindIs "string" $value) | quote }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
