{{/*
Names. Every object is named from the release, as cert-manager's chart names them, so a
`helm install cert-manager` of certkeeper gives the names cert-manager users know:
<release> (controller), <release>-webhook, <release>-webhook-ca.
*/}}
{{- define "certkeeper.name" -}}
{{- .Release.Name | trunc 54 | trimSuffix "-" -}}
{{- end -}}

{{- define "certkeeper.webhookName" -}}
{{- printf "%s-webhook" (include "certkeeper.name" .) -}}
{{- end -}}

{{- define "certkeeper.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "certkeeper.name" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "certkeeper.webhookServiceAccountName" -}}
{{- if .Values.webhook.serviceAccount.create -}}
{{- default (include "certkeeper.webhookName" .) .Values.webhook.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.webhook.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "certkeeper.leaderElectionNamespace" -}}
{{- default "kube-system" .Values.global.leaderElection.namespace -}}
{{- end -}}

{{/* The image reference: digest wins over tag; the tag defaults to the chart's appVersion. */}}
{{- define "certkeeper.image" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository $tag -}}
{{- end -}}
{{- end -}}

{{/* HTTP-01 solver Pods run the same binary (`certkeeper acmesolver`) unless told otherwise. */}}
{{- define "certkeeper.acmesolverImage" -}}
{{- $repo := default .Values.image.repository .Values.acmesolver.image.repository -}}
{{- $tag := default (default .Chart.AppVersion .Values.image.tag) .Values.acmesolver.image.tag -}}
{{- printf "%s:%s" $repo $tag -}}
{{- end -}}

{{/* Labels on every object; `component` is controller, webhook or crds. */}}
{{- define "certkeeper.labels" -}}
app.kubernetes.io/name: certkeeper
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" }}
{{- with .root.Values.global.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* The subset that selects a component's Pods (never changes across upgrades). */}}
{{- define "certkeeper.selectorLabels" -}}
app.kubernetes.io/name: certkeeper
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* The webhook Service's DNS names, which its serving certificate must carry. */}}
{{- define "certkeeper.webhookDNSNames" -}}
{{- $svc := include "certkeeper.webhookName" . -}}
{{- $names := list $svc (printf "%s.%s" $svc .Release.Namespace) (printf "%s.%s.svc" $svc .Release.Namespace) -}}
{{- with .Values.webhook.url.host }}
{{- $names = append $names (regexReplaceAll ":[0-9]+$" . "") -}}
{{- end }}
{{- join "," $names -}}
{{- end -}}

{{/* clientConfig of a webhook configuration entry: the Service, or webhook.url.host. */}}
{{- define "certkeeper.webhookClientConfig" -}}
{{- if .root.Values.webhook.url.host -}}
url: {{ printf "https://%s%s" .root.Values.webhook.url.host .path }}
{{- else -}}
service:
  name: {{ include "certkeeper.webhookName" .root }}
  namespace: {{ .root.Release.Namespace }}
  path: {{ .path }}
  port: 443
{{- end -}}
{{- end -}}

{{/* A PodDisruptionBudget's spec: one of minAvailable and maxUnavailable (0 counts as set). */}}
{{- define "certkeeper.pdbSpec" -}}
{{- if and (not (kindIs "invalid" .minAvailable)) (not (kindIs "invalid" .maxUnavailable)) -}}
{{- fail "podDisruptionBudget: set minAvailable or maxUnavailable, not both" -}}
{{- end -}}
{{- if not (kindIs "invalid" .maxUnavailable) -}}
maxUnavailable: {{ .maxUnavailable }}
{{- else if not (kindIs "invalid" .minAvailable) -}}
minAvailable: {{ .minAvailable }}
{{- else -}}
minAvailable: 1
{{- end -}}
{{- end -}}
