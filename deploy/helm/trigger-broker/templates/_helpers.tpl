{{/* Name of the chart, or nameOverride. */}}
{{- define "trigger-broker.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Name of the release's objects: fullnameOverride, else the release name (plus the chart's name when the release name lacks it). */}}
{{- define "trigger-broker.fullname" -}}
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

{{- define "trigger-broker.selectorLabels" -}}
app.kubernetes.io/name: {{ include "trigger-broker.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "trigger-broker.labels" -}}
{{ include "trigger-broker.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: broker
{{- if .Values.helmLabels }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}
{{- end }}

{{- define "trigger-broker.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "trigger-broker.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The Secret mounted at /secrets: existingSecret, else the chart's own when `secrets` has keys. */}}
{{- define "trigger-broker.secretName" -}}
{{- if .Values.existingSecret }}
{{- .Values.existingSecret }}
{{- else if .Values.secrets }}
{{- include "trigger-broker.fullname" . }}
{{- end }}
{{- end }}

{{/* True ("true") when the store is shared by several replicas (issue 18's backends). */}}
{{- define "trigger-broker.scaleOut" -}}
{{- if eq .Values.store.type "sqlite" }}{{- else if or (eq .Values.store.type "jetstream") (eq .Values.store.type "kafka") }}true{{- else }}
{{- fail (printf "store.type must be sqlite, jetstream or kafka, not %q" .Values.store.type) }}
{{- end }}
{{- end }}

{{/* The Broker manifest (broker.yaml in the ConfigMap). */}}
{{- define "trigger-broker.brokerManifest" -}}
{{- $store := dict "type" .Values.store.type }}
{{- if eq .Values.store.type "sqlite" }}
{{- $_ := set $store "synchronous" .Values.store.sqlite.synchronous }}
{{- $_ := set $store "retention" .Values.store.sqlite.retention }}
{{- else if eq .Values.store.type "jetstream" }}
{{- $store = merge $store (deepCopy .Values.store.jetstream) }}
{{- else if eq .Values.store.type "kafka" }}
{{- $store = merge $store (deepCopy .Values.store.kafka) }}
{{- end }}
{{- $spec := dict "port" (int .Values.broker.port) "store" $store }}
{{- if .Values.broker.limits }}
{{- $_ := set $spec "limits" .Values.broker.limits }}
{{- end }}
{{- if .Values.broker.abuseProtection }}
{{- $_ := set $spec "abuseProtection" .Values.broker.abuseProtection }}
{{- end }}
{{- if .Values.broker.authTokenSecretKeys }}
{{- if not (include "trigger-broker.secretName" .) }}
{{- fail "broker.authTokenSecretKeys names keys of a Secret: set secrets or existingSecret" }}
{{- end }}
{{- $tokens := list }}
{{- range .Values.broker.authTokenSecretKeys }}
{{- $tokens = append $tokens (dict "fromFile" (printf "/secrets/%s" .)) }}
{{- end }}
{{- $_ := set $spec "auth" (dict "tokens" $tokens) }}
{{- end }}
{{- $manifest := dict "apiVersion" "trigger-broker/v1" "kind" "Broker" "metadata" (dict "name" (include "trigger-broker.fullname" .)) "spec" $spec }}
{{- toYaml $manifest }}
{{- end }}

{{/* The broker container and its volumes, shared by the StatefulSet (sqlite) and the Deployment (scale-out). */}}
{{- define "trigger-broker.podSpec" -}}
serviceAccountName: {{ include "trigger-broker.serviceAccountName" . }}
automountServiceAccountToken: false
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
terminationGracePeriodSeconds: {{ .Values.terminationGracePeriodSeconds }}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
containers:
  - name: broker
    image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"
    imagePullPolicy: {{ .Values.image.pullPolicy }}
    args:
      - start
      - /config
      {{- if not (include "trigger-broker.scaleOut" .) }}
      - --data
      - /data
      {{- end }}
      - --log-level
      - {{ .Values.broker.logLevel | quote }}
    ports:
      - name: http
        containerPort: {{ .Values.broker.port }}
        protocol: TCP
    {{- with .Values.env }}
    env:
      {{- toYaml . | nindent 6 }}
    {{- end }}
    startupProbe:
      httpGet: { path: /healthz, port: http }
      periodSeconds: {{ .Values.probes.startup.periodSeconds }}
      failureThreshold: {{ .Values.probes.startup.failureThreshold }}
    livenessProbe:
      httpGet: { path: /healthz, port: http }
      periodSeconds: {{ .Values.probes.liveness.periodSeconds }}
      timeoutSeconds: {{ .Values.probes.liveness.timeoutSeconds }}
      failureThreshold: {{ .Values.probes.liveness.failureThreshold }}
    readinessProbe:
      httpGet: { path: /readyz, port: http }
      periodSeconds: {{ .Values.probes.readiness.periodSeconds }}
      timeoutSeconds: {{ .Values.probes.readiness.timeoutSeconds }}
      failureThreshold: {{ .Values.probes.readiness.failureThreshold }}
    resources:
      {{- toYaml .Values.resources | nindent 6 }}
    securityContext:
      {{- toYaml .Values.securityContext | nindent 6 }}
    volumeMounts:
      # The whole directory, never subPath: a subPath mount does not see ConfigMap updates.
      - name: config
        mountPath: /config
        readOnly: true
      {{- if include "trigger-broker.secretName" . }}
      - name: secrets
        mountPath: /secrets
        readOnly: true
      {{- end }}
      {{- if not (include "trigger-broker.scaleOut" .) }}
      - name: data
        mountPath: /data
      {{- end }}
volumes:
  - name: config
    configMap:
      name: {{ include "trigger-broker.fullname" . }}-config
  {{- with include "trigger-broker.secretName" . }}
  - name: secrets
    secret:
      secretName: {{ . }}
  {{- end }}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.topologySpreadConstraints }}
topologySpreadConstraints:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{- define "trigger-broker.podMetadata" -}}
labels:
  {{- include "trigger-broker.selectorLabels" . | nindent 2 }}
  {{- with .Values.podLabels }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
{{- with .Values.podAnnotations }}
annotations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}
