#!/usr/bin/env bash
# Checks the Helm chart charts/certkeeper against the real kube-apiserver of tools/testenv:
#   1. helm lint (defaults, and every option on); a misspelt or mistyped value is refused by
#      values.schema.json; the chart's version is the binary's;
#   2. the chart's CRD copies are byte-identical to crds/ and render to the same CRDs; the rendered
#      RBAC rules are exactly those of deploy/rbac/ (compared as JSON);
#   3. `helm template | kubectl apply --dry-run=server` (defaults, and every option on);
#   4. `helm install` into namespace certkeeper: the objects it made (pod security, probes,
#      ports, ServiceAccounts, bindings, webhook configurations, Services, CRD resource policy);
#      `helm upgrade --reuse-values` then changes only what it is asked to;
#   5. the binaries run outside the cluster as the chart's ServiceAccounts, with the arguments of
#      the installed Deployments: the webhook (when the binary has it) serves the webhook
#      configurations and fills their caBundle; the controller makes a SelfSigned Certificate
#      Ready with its Secret using exactly the chart's RBAC;
#   6. `helm uninstall` removes the release and keeps the CRDs (crds.keep=true).
# Nothing runs Pods here, hence step 5. The webhook configurations fail closed for the whole
# cluster while installed, so ctest runs this test alone (RUN_SERIAL) and cleanup removes them.
#
# Usage: chart_test.sh <path to the certkeeper binary>  (CK_TESTENV_FILE set by ctest)
set -uo pipefail
BIN="${1:?usage: $0 <certkeeper binary>}"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
CHART="$ROOT/charts/certkeeper"
# The release installed here is not called certkeeper: other suites of the same run apply
# deploy/rbac/ as it is (ClusterRole certkeeper-controller, certkeeper-webhook, ...), and Helm
# refuses to take over objects it did not make. The rules are compared on a rendering of release
# certkeeper, whose names deploy/rbac/ uses.
REL=ck-chart
NS=certkeeper
LE_NS=kube-system
work_ns="chart-$$-$RANDOM"
scratch=$(mktemp -d)
# helm keeps no state of its own outside the scratch directory.
export HELM_CACHE_HOME="$scratch/helm/cache" HELM_CONFIG_HOME="$scratch/helm/config" \
  HELM_DATA_HOME="$scratch/helm/data"
helm() { "$CK_HELM" --kubeconfig "$KUBECONFIG" "$@"; }
CRD_NAMES=(certificates.cert-manager.io certificaterequests.cert-manager.io
  issuers.cert-manager.io clusterissuers.cert-manager.io orders.acme.cert-manager.io
  challenges.acme.cert-manager.io)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
  helm uninstall "$REL" -n "$NS" >/dev/null 2>&1
  # Never leave fail-closed webhook configurations behind for the other suites.
  k delete validatingwebhookconfiguration,mutatingwebhookconfiguration "$REL-webhook" \
    --ignore-not-found >/dev/null 2>&1
  k -n "$LE_NS" delete lease certkeeper-controller --ignore-not-found >/dev/null 2>&1
  k delete namespace "$work_ns" "$NS" --wait=false --ignore-not-found >/dev/null 2>&1
  rm -rf "$scratch"
}
trap cleanup EXIT
quiet() { "$@" >/dev/null 2>&1; }
# YAML on stdin → one JSON object per line (kubectl parses; a client dry run creates nothing).
to_json() { k create --dry-run=client -o json -f - | jq -c 'if .kind == "List" then .items[] else . end'; }
# The rules of the object of KIND and NAME in the JSON lines on stdin, sorted keys.
rules_of() { jq -cS --arg kind "$1" --arg name "$2" 'select(.kind == $kind and .metadata.name == $name) | .rules'; }
same() { # description, file A, file B: equal and not empty
  [[ -s "$2" ]] && cmp -s "$2" "$3" || { echo "  $1 differ:"; diff "$2" "$3" | head -20; return 1; }
}

# --- 1. lint, schema, version -------------------------------------------------------------------
cat >"$scratch/all-on.yaml" <<'EOF'
global:
  priorityClassName: system-cluster-critical
  imagePullSecrets: [{name: registry}]
  logLevel: debug
  commonLabels: {team: platform}
  leaderElection: {namespace: kube-system, leaseDuration: 60s, renewDeadline: 40s, retryPeriod: 15s}
replicaCount: 2
podDisruptionBudget: {enabled: true, minAvailable: 1}
clusterResourceNamespace: certkeeper
dns01RecursiveNameservers: "8.8.8.8:53,1.1.1.1:53"
dns01RecursiveNameserversOnly: true
ingressShim: {defaultIssuerName: letsencrypt, defaultIssuerKind: ClusterIssuer, defaultIssuerGroup: cert-manager.io}
extraArgs: [--concurrent-workers=10]
extraEnv: [{name: HTTPS_PROXY, value: "http://proxy:3128"}]
resources: {requests: {cpu: 10m, memory: 32Mi}, limits: {memory: 256Mi}}
tolerations: [{key: dedicated, operator: Exists, effect: NoSchedule}]
affinity: {podAntiAffinity: {preferredDuringSchedulingIgnoredDuringExecution: [{weight: 1, podAffinityTerm: {topologyKey: kubernetes.io/hostname, labelSelector: {matchLabels: {app.kubernetes.io/component: controller}}}}]}}
topologySpreadConstraints: [{maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: ScheduleAnyway, labelSelector: {matchLabels: {app.kubernetes.io/component: controller}}}]
prometheus: {enabled: true, servicemonitor: {enabled: true, labels: {release: prom}}}
grafana: {dashboards: {enabled: true}}
webhook:
  replicaCount: 3
  timeoutSeconds: 10
  hostNetwork: true
  servingLeafDuration: 72h
  podDisruptionBudget: {enabled: true, maxUnavailable: 1}
  extraArgs: [--log-level=debug]
  resources: {requests: {cpu: 10m}}
EOF
check "helm lint with the default values" helm lint "$CHART" --quiet
check "helm lint with every option on" helm lint "$CHART" --quiet -f "$scratch/all-on.yaml"
refused_value() { # --set argument, the name the error must mention
  local out rc
  out=$(helm lint "$CHART" --set "$1" 2>&1); rc=$?
  [[ $rc -ne 0 && "$out" == *"$2"* ]] || { echo "  lint rc=$rc: $out" | head -5; return 1; }
  out=$(helm template "$REL" "$CHART" --set "$1" 2>&1); rc=$?
  [[ $rc -ne 0 && "$out" == *"$2"* ]] || { echo "  template rc=$rc: $out" | head -5; return 1; }
}
check "a misspelt top-level value is refused (replicaCuont)" refused_value replicaCuont=2 replicaCuont
check "a misspelt nested value is refused (webhook.timeoutSecond)" refused_value \
  webhook.timeoutSecond=5 timeoutSecond
check "a misspelt value under prometheus.servicemonitor is refused" refused_value \
  prometheus.servicemonitor.enable=true enable
check "a mistyped value is refused (webhook.securePort=https)" refused_value \
  webhook.securePort=https securePort
check "an unknown log level is refused" refused_value global.logLevel=verbose logLevel
pdb_both=$(helm template "$REL" "$CHART" --set podDisruptionBudget.enabled=true \
  --set podDisruptionBudget.minAvailable=1 --set podDisruptionBudget.maxUnavailable=1 2>&1)
check "a PodDisruptionBudget with both minAvailable and maxUnavailable is refused" \
  grep -q "set minAvailable or maxUnavailable, not both" <<<"$pdb_both"
check "the CRD and RBAC copies and Chart.yaml's version are in step (tools/chart-sync.sh --check)" \
  "$ROOT/tools/chart-sync.sh" --check
bin_version=$("$BIN" --version)
chart_version=$(helm show chart "$CHART" | sed -n 's/^version: //p')
app_version=$(helm show chart "$CHART" | sed -n 's/^appVersion: //p')
check "Chart version and appVersion are the binary's ($bin_version; chart $chart_version/$app_version)" \
  test -n "$bin_version" -a "$chart_version" = "$bin_version" -a "$app_version" = "$bin_version"

# --- 2. CRDs and RBAC as the sources have them ----------------------------------------------------
# A namespace left Terminating by an earlier run would refuse the install.
k wait --for=delete "namespace/$NS" --timeout=60s >/dev/null 2>&1
k create namespace "$NS" >/dev/null
helm template "$REL" "$CHART" -n "$NS" >"$scratch/default.yaml" 2>"$scratch/err" ||
  { echo "FAIL: helm template: $(cat "$scratch/err")"; exit 1; }
to_json <"$scratch/default.yaml" >"$scratch/default.jsonl"
helm template certkeeper "$CHART" -n "$NS" | to_json >"$scratch/certkeeper.jsonl"
crd_copies() {
  local f
  for f in "$ROOT"/crds/*.yaml; do cmp "$f" "$CHART/files/crds/$(basename "$f")" || return 1; done
  [[ $(ls "$CHART/files/crds" | wc -l) -eq $(ls "$ROOT"/crds/*.yaml | wc -l) ]]
}
check "files/crds/ is a byte-identical copy of crds/" crd_copies
crd_rendered() {
  local f name
  for f in "$ROOT"/crds/*.yaml; do
    name=$(basename "$f" .yaml)
    to_json <"$f" | jq -cS .spec >"$scratch/want.json"
    jq -cS --arg n "$name" 'select(.kind == "CustomResourceDefinition" and .metadata.name == $n) | .spec' \
      "$scratch/default.jsonl" >"$scratch/got.json"
    same "CRD $name" "$scratch/want.json" "$scratch/got.json" || return 1
  done
}
check "the rendered CRDs have the specs of crds/" crd_rendered
keep_annotations=$(jq -r 'select(.kind == "CustomResourceDefinition") | .metadata.annotations["helm.sh/resource-policy"]' \
  "$scratch/default.jsonl" | sort | uniq -c | xargs)
check "all six CRDs carry helm.sh/resource-policy: keep ($keep_annotations)" test "$keep_annotations" = "6 keep"
no_crds=$(helm template "$REL" "$CHART" -n "$NS" --set crds.enabled=false | grep -c 'kind: CustomResourceDefinition')
check "crds.enabled=false renders no CRD" test "$no_crds" -eq 0
unkept=$(helm template "$REL" "$CHART" -n "$NS" --set crds.keep=false | grep -c 'helm.sh/resource-policy')
check "crds.keep=false renders no resource policy" test "$unkept" -eq 0

rbac_matches() { # deploy/rbac file, rendered kind, rendered name
  to_json <"$ROOT/deploy/rbac/$1" | rules_of "$2" "$(to_json <"$ROOT/deploy/rbac/$1" | jq -r .metadata.name)" \
    >"$scratch/want.json"
  rules_of "$2" "$3" <"$scratch/certkeeper.jsonl" >"$scratch/got.json"
  same "rules of $2 $3 and deploy/rbac/$1" "$scratch/want.json" "$scratch/got.json"
}
check "ClusterRole certkeeper-controller has the rules of deploy/rbac/controller-clusterrole.yaml" \
  rbac_matches controller-clusterrole.yaml ClusterRole "certkeeper-controller"
check "Role certkeeper-controller:leader-election has the rules of deploy/rbac/controller-leader-election-role.yaml" \
  rbac_matches controller-leader-election-role.yaml Role "certkeeper-controller:leader-election"
check "ClusterRole certkeeper-webhook has the rules of deploy/rbac/webhook-clusterrole.yaml" \
  rbac_matches webhook-clusterrole.yaml ClusterRole "certkeeper-webhook"
check "Role certkeeper-webhook:dynamic-serving has the rules of deploy/rbac/webhook-role.yaml" \
  rbac_matches webhook-role.yaml Role "certkeeper-webhook:dynamic-serving"

# Template-only shapes: the in-cluster clientConfig, and the dashboard only when its file exists.
svc_client=$(jq -c 'select(.kind == "ValidatingWebhookConfiguration") | .webhooks[0].clientConfig' \
  "$scratch/default.jsonl")
check "by default the webhooks are called through Service $REL-webhook:443 ($svc_client)" test \
  "$svc_client" = "{\"service\":{\"name\":\"$REL-webhook\",\"namespace\":\"$NS\",\"path\":\"/validate\",\"port\":443}}"
cp -r "$CHART" "$scratch/chart"
rm -f "$scratch/chart/dashboards/certkeeper.json"
dashboards() { helm template "$REL" "$scratch/chart" --set grafana.dashboards.enabled=true | grep -c 'grafana_dashboard: "1"'; }
check "no dashboard file: grafana.dashboards.enabled renders no ConfigMap" test "$(dashboards)" -eq 0
mkdir -p "$scratch/chart/dashboards"
echo '{"title": "certkeeper", "panels": []}' >"$scratch/chart/dashboards/certkeeper.json"
check "with the dashboard file: one ConfigMap labelled grafana_dashboard=1" test "$(dashboards)" -eq 1

# Every flag the chart can render is one the binary knows: with every option on, the controller
# gets past flag parsing and validation and stops only at the missing kubeconfig (exit 1; flag
# errors exit 2 or with CLI11's codes and say "see --help").
helm template "$REL" "$CHART" -n "$NS" -f "$scratch/all-on.yaml" \
  --show-only templates/controller-deployment.yaml | to_json >"$scratch/all-on-controller.json"
mapfile -t all_on_args < <(jq -r '.spec.template.spec.containers[0].args[]' "$scratch/all-on-controller.json")
all_on_out=$("$BIN" "${all_on_args[@]}" --kubeconfig "$scratch/none" 2>&1)
all_on_rc=$?
check "the controller accepts every flag the chart renders (${#all_on_args[@]} args; rc $all_on_rc: $all_on_out)" \
  test "$all_on_rc" -eq 1 -a "${#all_on_args[@]}" -gt 15

# --- 3. server-side dry run ----------------------------------------------------------------------
dry_run() { # extra helm args...
  helm template "$REL" "$CHART" -n "$NS" "$@" >"$scratch/dry.yaml" &&
    k apply --dry-run=server -f "$scratch/dry.yaml" >"$scratch/dry.out" 2>&1 ||
    { tail -5 "$scratch/dry.out"; return 1; }
}
check "helm template | kubectl apply --dry-run=server (defaults)" dry_run
# The ServiceMonitor's CRD is not installed here; everything else of the all-on values is.
check "helm template | kubectl apply --dry-run=server (every option on but the ServiceMonitor)" \
  dry_run -f "$scratch/all-on.yaml" --set prometheus.servicemonitor.enabled=false
sm_kinds=$(helm template "$REL" "$CHART" -f "$scratch/all-on.yaml" | grep -c '^kind: ServiceMonitor')
check "prometheus.servicemonitor.enabled renders a ServiceMonitor" test "$sm_kinds" -eq 1

# --- 4. helm install ------------------------------------------------------------------------------
# CRDs applied by other suites of this run are adopted into the release (Helm's documented way).
for crd in "${CRD_NAMES[@]}"; do
  if k get crd "$crd" >/dev/null 2>&1; then
    k label crd "$crd" app.kubernetes.io/managed-by=Helm --overwrite >/dev/null
    k annotate crd "$crd" meta.helm.sh/release-name="$REL" meta.helm.sh/release-namespace="$NS" \
      --overwrite >/dev/null
  fi
done
webhook_port=$(free_port)
if ! helm install "$REL" "$CHART" -n "$NS" --set webhook.url.host="localhost:$webhook_port" \
  >"$scratch/install.out" 2>&1; then
  echo "FAIL: helm install"; cat "$scratch/install.out"; exit 1
fi
echo "ok: helm install $REL -n $NS"
k wait --for condition=Established --timeout=60s "${CRD_NAMES[@]/#/crd/}" >/dev/null
check "the six CRDs are Established" test $? -eq 0

for dep in "$REL" "$REL-webhook"; do
  k -n "$NS" get deployment "$dep" -o json >"$scratch/dep.json" 2>/dev/null
  pod_sc=$(jq -c '.spec.template.spec.securityContext' "$scratch/dep.json")
  check "Deployment $dep: Pod runs as non-root 65532 with seccomp RuntimeDefault" \
    test "$(jq -r '[.runAsNonRoot, .runAsUser, .seccompProfile.type] | join(",")' <<<"$pod_sc")" = \
    "true,65532,RuntimeDefault"
  c_sc=$(jq -c '.spec.template.spec.containers[0].securityContext' "$scratch/dep.json")
  check "Deployment $dep: read-only root, no privilege escalation, all capabilities dropped" \
    test "$(jq -r '[.readOnlyRootFilesystem, .allowPrivilegeEscalation, (.capabilities.drop | join("+"))] | join(",")' <<<"$c_sc")" = \
    "true,false,ALL"
  live=$(jq -r '.spec.template.spec.containers[0].livenessProbe.httpGet.path' "$scratch/dep.json")
  check "Deployment $dep: liveness probe on /livez" test "$live" = /livez
done
k -n "$NS" get deployment "$REL" -o json >"$scratch/controller.json"
k -n "$NS" get deployment "$REL-webhook" -o json >"$scratch/webhook.json"
ports=$(jq -r '[.spec.template.spec.containers[0].ports[] | "\(.name)=\(.containerPort)"] | join(",")' \
  "$scratch/controller.json")
check "controller ports: metrics 9402, health 9403 ($ports)" test "$ports" = "http-metrics=9402,http-healthz=9403"
live_port=$(jq -r '.spec.template.spec.containers[0].livenessProbe.httpGet.port' "$scratch/controller.json")
check "controller liveness probe on the health port ($live_port)" test "$live_port" = http-healthz
ports=$(jq -r '[.spec.template.spec.containers[0].ports[] | "\(.name)=\(.containerPort)"] | join(",")' \
  "$scratch/webhook.json")
check "webhook ports: https 10250, healthcheck 6080 ($ports)" test "$ports" = "https=10250,healthcheck=6080"
le=$(jq -r '.spec.template.spec.containers[0].args | map(select(startswith("--leader-"))) | join(" ")' \
  "$scratch/controller.json")
check "controller leader election on, Lease in $LE_NS ($le)" \
  test "$le" = "--leader-elect=true --leader-election-namespace=$LE_NS"
for sa in "$REL" "$REL-webhook"; do
  check "ServiceAccount $NS/$sa exists" quiet k -n "$NS" get serviceaccount "$sa" -o name
done
subject() { # kind, name, [namespace]
  k ${3:+-n "$3"} get "$1" "$2" -o jsonpath='{.roleRef.name} {.subjects[0].namespace}/{.subjects[0].name}' 2>&1
}
check "ClusterRoleBinding $REL-controller binds $REL-controller to $NS/$REL" \
  test "$(subject clusterrolebinding "$REL-controller")" = "$REL-controller $NS/$REL"
check "RoleBinding $LE_NS/$REL-controller:leader-election binds the leader-election Role" \
  test "$(subject rolebinding "$REL-controller:leader-election" "$LE_NS")" = \
  "$REL-controller:leader-election $NS/$REL"
check "ClusterRoleBinding $REL-webhook binds $REL-webhook to $NS/$REL-webhook" \
  test "$(subject clusterrolebinding "$REL-webhook")" = "$REL-webhook $NS/$REL-webhook"
check "RoleBinding $NS/$REL-webhook:dynamic-serving binds its Role to $NS/$REL-webhook" \
  test "$(subject rolebinding "$REL-webhook:dynamic-serving" "$NS")" = \
  "$REL-webhook:dynamic-serving $NS/$REL-webhook"
can() { k auth can-i "$@" 2>/dev/null; }
check "the webhook's identity cannot read Secrets cluster-wide" \
  test "$(can list secrets -A --as "system:serviceaccount:$NS:$REL-webhook")" = no
check "the controller's identity cannot change webhook configurations" \
  test "$(can update validatingwebhookconfigurations/$REL-webhook --as "system:serviceaccount:$NS:$REL")" = no

k get validatingwebhookconfiguration "$REL-webhook" -o json >"$scratch/vwc.json"
k get mutatingwebhookconfiguration "$REL-webhook" -o json >"$scratch/mwc.json"
shape='.webhooks[0] | [.failurePolicy, .sideEffects, .matchPolicy, (.timeoutSeconds | tostring),
  (.admissionReviewVersions | join("+")), (.namespaceSelector.matchExpressions[0] |
  "\(.key) \(.operator) \(.values | join("+"))"), .clientConfig.url,
  (.rules[0] | "\(.apiGroups | join("+")) \(.apiVersions | join("+")) \(.operations | join("+")) \(.resources | join("+"))")]
  | join(" | ")'
check "ValidatingWebhookConfiguration $REL-webhook" test "$(jq -r "$shape" "$scratch/vwc.json")" = \
  "Fail | None | Equivalent | 30 | v1 | cert-manager.io/disable-validation NotIn true | https://localhost:$webhook_port/validate | cert-manager.io+acme.cert-manager.io v1 CREATE+UPDATE */*"
check "MutatingWebhookConfiguration $REL-webhook" test "$(jq -r "$shape" "$scratch/mwc.json")" = \
  "Fail | None | Equivalent | 30 | v1 | cert-manager.io/disable-validation NotIn true | https://localhost:$webhook_port/mutate | cert-manager.io v1 CREATE certificaterequests"
svc() { k -n "$NS" get service "$1" -o jsonpath='{.spec.type} {.spec.ports[0].port}->{.spec.ports[0].targetPort} {.spec.selector.app\.kubernetes\.io/component}' 2>&1; }
check "Service $REL: metrics 9402 to the controller" test "$(svc "$REL")" = "ClusterIP 9402->http-metrics controller"
check "Service $REL-webhook: 443 to the webhook's https port" \
  test "$(svc "$REL-webhook")" = "ClusterIP 443->https webhook"
keep=$(k get crd certificates.cert-manager.io -o jsonpath='{.metadata.annotations.helm\.sh/resource-policy}')
check "the installed CRDs carry the keep policy" test "$keep" = keep

# An upgrade changes what it is asked to, keeps the rest (--reuse-values) and re-applies the CRDs.
helm upgrade "$REL" "$CHART" -n "$NS" --reuse-values --set replicaCount=2 >"$scratch/upgrade.out" 2>&1
check "helm upgrade --reuse-values --set replicaCount=2" test $? -eq 0
after=$(k -n "$NS" get deployment "$REL" -o jsonpath='{.spec.replicas}')
url=$(k get validatingwebhookconfiguration "$REL-webhook" -o jsonpath='{.webhooks[0].clientConfig.url}')
check "after the upgrade: 2 controller replicas ($after), webhook URL kept ($url)" \
  test "$after" = 2 -a "$url" = "https://localhost:$webhook_port/validate"
k -n "$NS" get deployment "$REL" -o json >"$scratch/controller.json"

# --- 5. the binaries as the chart's ServiceAccounts -------------------------------------------------
# Arguments of a Deployment's container, with FLAG=VALUE pairs rewritten for a local process.
args_of() { # deployment json, then sed expressions
  local json="$1"; shift
  jq -r '.spec.template.spec.containers[0].args[]' "$json" | sed "$@"
}
k create namespace "$work_ns" >/dev/null
"$ROOT/tests/support/sa-kubeconfig.sh" "$NS" "$REL-webhook" "$scratch/webhook.kubeconfig"
wh_health=$(free_port)
mapfile -t wargs < <(args_of "$scratch/webhook.json" -e "s/^--secure-port=.*/--secure-port=$webhook_port/" \
  -e "s/^--healthz-port=.*/--healthz-port=$wh_health/")
"$BIN" "${wargs[@]}" --bind-address=127.0.0.1 --kubeconfig "$scratch/webhook.kubeconfig" \
  >"$scratch/webhook.out" 2>&1 &
pids+=($!)
ca_bundles() {
  local v m
  v=$(k get validatingwebhookconfiguration "$REL-webhook" -o jsonpath='{.webhooks[0].clientConfig.caBundle}')
  m=$(k get mutatingwebhookconfiguration "$REL-webhook" -o jsonpath='{.webhooks[0].clientConfig.caBundle}')
  [[ -n "$v" && -n "$m" ]]
}
wait_for() { for _ in $(seq 1 150); do "$@" && return 0; sleep 0.2; done; return 1; }
healthz() { [[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$wh_health/healthz")" == 200 ]]; }
check "webhook (as $NS/$REL-webhook, the Deployment's args): /healthz answers 200" wait_for healthz
check "webhook wrote caBundle into both webhook configurations" wait_for ca_bundles
check "webhook keeps its CA in Secret $NS/$REL-webhook-ca" quiet k -n "$NS" get secret "$REL-webhook-ca" -o name
denied=$(k -n "$work_ns" apply -f - 2>&1 <<EOF
apiVersion: cert-manager.io/v1
kind: Issuer
metadata: {name: two-types}
spec: {selfSigned: {}, ca: {secretName: nope}}
EOF
)
check "an Issuer with two issuer types is denied by the webhook ($denied)" \
  grep -q "admission webhook" <<<"$denied"

"$ROOT/tests/support/sa-kubeconfig.sh" "$NS" "$REL" "$scratch/controller.kubeconfig"
metrics=$(free_port)
health=$(free_port)
mapfile -t cargs < <(args_of "$scratch/controller.json" \
  -e "s/^--metrics-listen-address=.*/--metrics-listen-address=127.0.0.1:$metrics/" \
  -e "s/^--internal-healthz-listen-address=.*/--internal-healthz-listen-address=127.0.0.1:$health/")
"$BIN" "${cargs[@]}" --kubeconfig "$scratch/controller.kubeconfig" >"$scratch/controller.out" 2>&1 &
pids+=($!)
k -n "$work_ns" apply -f - >/dev/null <<EOF
apiVersion: cert-manager.io/v1
kind: Issuer
metadata: {name: selfsigned}
spec: {selfSigned: {}}
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: chart}
spec:
  secretName: chart-tls
  commonName: chart.example.test
  dnsNames: [chart.example.test]
  issuerRef: {name: selfsigned, kind: Issuer}
EOF
check "Issuer and Certificate created in $work_ns" test $? -eq 0
k -n "$work_ns" wait --for condition=Ready --timeout=60s certificate/chart >/dev/null 2>&1
check "controller (as $NS/$REL, the Deployment's args): the Certificate becomes Ready" test $? -eq 0
tls=$(k -n "$work_ns" get secret chart-tls -o jsonpath='{.data.tls\.crt}' 2>/dev/null | base64 -d |
  openssl x509 -noout -subject 2>/dev/null)
check "its Secret chart-tls holds the certificate ($tls)" grep -q "chart.example.test" <<<"$tls"
holder=$(k -n "$LE_NS" get lease certkeeper-controller -o jsonpath='{.spec.holderIdentity}' 2>/dev/null)
check "the controller holds its Lease in $LE_NS (holder '$holder')" test -n "$holder"
user=$(k -n "$work_ns" get certificaterequests -o jsonpath='{.items[*].spec.username}')
check "the mutating webhook recorded the requester ($user)" test "$user" = "system:serviceaccount:$NS:$REL"
for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
pids=()

# --- 6. helm uninstall keeps the CRDs -------------------------------------------------------------
helm uninstall "$REL" -n "$NS" --wait >"$scratch/uninstall.out" 2>&1
check "helm uninstall" test $? -eq 0
gone() { ! k get "$@" >/dev/null 2>&1; }
check "the Deployments are gone" gone -n "$NS" deployment "$REL" "$REL-webhook"
check "the webhook configurations are gone" gone validatingwebhookconfiguration "$REL-webhook"
check "the ClusterRoles are gone" gone clusterrole "$REL-controller" "$REL-webhook"
check "the CRDs are kept (crds.keep=true)" quiet k get "${CRD_NAMES[@]/#/crd/}" -o name
check "the Certificate made under the release is still there" quiet k -n "$work_ns" get certificate chart -o name

if ((fails > 0)); then
  for f in controller webhook; do
    [[ -f "$scratch/$f.out" ]] && { echo "--- $f output (last 30 lines) ---"; tail -30 "$scratch/$f.out"; }
  done
  echo "$fails check(s) failed"; exit 1
fi
echo "all checks passed"
