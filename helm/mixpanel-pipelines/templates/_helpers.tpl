{{- define "mixpanel-pipelines.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "mixpanel-pipelines.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "mixpanel-pipelines.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "mixpanel-pipelines.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "mixpanel-pipelines.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* What starts the runs: the mode, or with `mode: workers` the manager beside the workers (workers.manager). */}}
{{- define "mixpanel-pipelines.manager" -}}
{{- if eq .Values.mode "workers" -}}{{ .Values.workers.manager }}{{- else -}}{{ .Values.mode }}{{- end -}}
{{- end -}}

{{/* A job file: the entry's `job` with its name, spool folder and schedule filled in; with `mode: workers`,
     export.workers: remote and (unless the job sets it) export.spoolUri from workers.spoolUri. `.root` is the chart. */}}
{{- define "mixpanel-pipelines.jobFile" -}}
{{- $job := deepCopy (default dict .job) -}}
{{- $_ := set $job "name" (default .name $job.name) -}}
{{- $export := default dict $job.export -}}
{{- $_ := set $export "spoolDir" (default (printf "/spool/%s" .name) $export.spoolDir) -}}
{{- if eq .root.Values.mode "workers" -}}
{{- $_ := set $export "workers" "remote" -}}
{{- $spoolUri := default .root.Values.workers.spoolUri $export.spoolUri -}}
{{- $_ := set $export "spoolUri" (required "workers.spoolUri (or each job's export.spoolUri) is required with mode: workers: s3://bucket/_spool/ or gs://bucket/_spool/" $spoolUri) -}}
{{- end -}}
{{- if .schedule }}{{- $_ := set $export "schedule" .schedule -}}{{- end -}}
{{- $_ := set $job "export" $export -}}
{{- toYaml $job -}}
{{- end -}}

{{/* The pod spec of both modes; `args` is the command line. */}}
{{- define "mixpanel-pipelines.podSpec" -}}
{{- $root := .root -}}
serviceAccountName: {{ include "mixpanel-pipelines.serviceAccountName" $root }}
{{- with $root.Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- toYaml $root.Values.podSecurityContext | nindent 2 }}
  runAsNonRoot: true
  seccompProfile:
    type: RuntimeDefault
{{- with $root.Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $root.Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $root.Values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
containers:
  - name: mixpanel-pipelines
    image: "{{ $root.Values.image.repository }}:{{ $root.Values.image.tag }}"
    imagePullPolicy: {{ $root.Values.image.pullPolicy }}
    args:
      {{- toYaml .args | nindent 6 }}
    env:
      - name: SPRING_DATASOURCE_URL
        value: {{ required "database.url is required (jdbc:postgresql://...)" $root.Values.database.url | quote }}
      - name: SPRING_DATASOURCE_USERNAME
        valueFrom:
          secretKeyRef: {name: {{ required "database.existingSecret is required (keys: username, password)" $root.Values.database.existingSecret | quote }}, key: username}
      - name: SPRING_DATASOURCE_PASSWORD
        valueFrom:
          secretKeyRef: {name: {{ $root.Values.database.existingSecret | quote }}, key: password}
      - name: JAVA_TOOL_OPTIONS
        value: {{ printf "%s -Djava.io.tmpdir=/tmp" $root.Values.javaOptions | quote }}
      {{- if eq $root.Values.logFormat "json" }}
      - name: SPRING_PROFILES_ACTIVE
        value: json-logs
      {{- end }}
      {{- with .extraEnv }}
      {{- toYaml . | nindent 6 }}
      {{- end }}
    {{- if $root.Values.secrets.existingSecret }}
    envFrom:
      - secretRef:
          name: {{ $root.Values.secrets.existingSecret | quote }}
    {{- end }}
    {{- with .ports }}
    ports:
      {{- toYaml . | nindent 6 }}
    {{- end }}
    {{- with .probes }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
    resources:
      {{- toYaml $root.Values.resources | nindent 6 }}
    securityContext:
      runAsNonRoot: true
      readOnlyRootFilesystem: true
      allowPrivilegeEscalation: false
      capabilities:
        drop: [ALL]
    volumeMounts:
      - {name: jobs, mountPath: /etc/mixpanel-pipelines/jobs, readOnly: true}
      - {name: spool, mountPath: /spool}
      - {name: tmp, mountPath: /tmp}
      # the image's working folder: relative paths of a job file (data/...) resolve here
      - {name: work, mountPath: /var/lib/mixpanel-pipelines}
volumes:
  - name: jobs
    configMap:
      name: {{ include "mixpanel-pipelines.fullname" $root }}-jobs
  - name: spool
    {{- if $root.Values.spool.existingClaim }}
    persistentVolumeClaim:
      claimName: {{ $root.Values.spool.existingClaim | quote }}
    {{- else }}
    emptyDir:
      sizeLimit: {{ $root.Values.spool.sizeLimit }}
    {{- end }}
  - name: tmp
    emptyDir:
      sizeLimit: 1Gi
  - name: work
    emptyDir:
      sizeLimit: 1Gi
{{- end -}}
