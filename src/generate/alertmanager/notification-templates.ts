import { SLO_FIGURE_ANNOTATIONS } from '../../conventions.js';

/**
 * Names of the templates vigil defines (Go text/template, Alertmanager 0.25's functions only:
 * no `date`, `trimSpace`, `humanizeDuration`). Receivers in alertmanager.yml call them as
 * `{{ template "<name>" . }}`.
 */
export const TEMPLATE = {
  /** `[FIRING:2] GpuXidDoubleBitEcc (critical): <summary>`: Slack title, e-mail subject, PagerDuty summary. */
  title: 'vigil.title',
  /** Every alert of the group in plain text (firing first, then resolved). */
  text: 'vigil.text',
  slackText: 'vigil.slack.text',
  /** The group's runbook / dashboard link: the common one, else the first alert's. */
  runbookUrl: 'vigil.runbook_url',
  dashboardUrl: 'vigil.dashboard_url',
  /** Alert severity → PagerDuty's (critical, warning, info; anything else error). */
  pagerdutySeverity: 'vigil.pagerduty.severity',
  emailHtml: 'vigil.email.html',
} as const;

const A = SLO_FIGURE_ANNOTATIONS;
/** Labels every alert has or that the figures line shows already; the rest say which thing is broken. */
const SHOWN_ELSEWHERE = ['alertname', 'severity', 'slo', 'long_window', 'short_window', 'team', 'component'];

/**
 * The text of build/alertmanager/templates/vigil.tmpl. Each alert shows its summary, description,
 * severity, the SLO and budget figures of SLO alerts, the labels that identify it, and its runbook
 * and dashboard links; a group lists every alert, firing first; a resolved notification says so.
 */
export const NOTIFICATION_TEMPLATES = `{{/* vigil's notification templates, used by the Slack, PagerDuty and e-mail receivers of alertmanager.yml. */}}

{{/* The firing alerts of a firing notification, else all of them, name the notification. */}}
{{ define "${TEMPLATE.title}" -}}
{{ $shown := .Alerts }}{{ if eq .Status "firing" }}{{ $shown = .Alerts.Firing }}{{ end -}}
[{{ .Status | toUpper }}{{ if eq .Status "firing" }}:{{ len $shown }}{{ end }}] {{ .CommonLabels.alertname }}
{{- with .CommonLabels.severity }} ({{ . }}){{ end }}
{{- if eq (len $shown) 1 }}{{ with (index $shown 0).Annotations.summary }}: {{ . }}{{ end }}
{{- else }}{{ with .CommonAnnotations.summary }}: {{ . }}{{ else }}: {{ len $shown }} alerts{{ end }}{{ end }}
{{- end }}

{{ define "${TEMPLATE.runbookUrl}" }}{{ with .CommonAnnotations.runbook_url }}{{ . }}{{ else }}{{ (index .Alerts 0).Annotations.runbook_url }}{{ end }}{{ end }}

{{ define "${TEMPLATE.dashboardUrl}" }}{{ with .CommonAnnotations.dashboard_url }}{{ . }}{{ else }}{{ (index .Alerts 0).Annotations.dashboard_url }}{{ end }}{{ end }}

{{ define "${TEMPLATE.pagerdutySeverity}" -}}
{{ if eq .CommonLabels.severity "critical" }}critical{{ else if eq .CommonLabels.severity "warning" }}warning{{ else if eq .CommonLabels.severity "info" }}info{{ else }}error{{ end }}
{{- end }}

{{/* One alert's state and severity: FIRING critical / RESOLVED. */}}
{{ define "vigil.alert.state" }}{{ if eq .Status "resolved" }}RESOLVED{{ else }}FIRING {{ .Labels.severity }}{{ end }}{{ end }}

{{/* The SLO and budget figures of an SLO burn-rate alert (nothing for other alerts). */}}
{{ define "vigil.alert.figures" -}}
{{ if .Labels.slo }}SLO {{ .Labels.slo }}{{ with .Annotations.${A.objective} }}: objective {{ . }}{{ end }}
{{ with .Annotations.${A.burnRateThreshold} }}Budget: burning above {{ . }} over {{ $.Labels.long_window }} and {{ $.Labels.short_window }}
{{- with $.Annotations.${A.errorRatioThreshold} }} (error ratio above {{ . }}){{ end }}
{{- with $.Annotations.${A.budgetConsumed} }}; at that rate {{ . }} of the error budget is spent in {{ $.Labels.long_window }}{{ end }}
{{ end }}{{ end }}
{{- end }}

{{/* The labels that say which thing is broken (node, GPU, model, instance ...). */}}
{{ define "vigil.alert.labels" -}}
{{ with (.Labels.Remove (stringSlice ${SHOWN_ELSEWHERE.map((l) => `"${l}"`).join(' ')})).SortedPairs }}Labels:{{ range . }} {{ .Name }}={{ .Value }}{{ end }}
{{ end }}
{{- end }}

{{ define "vigil.alert.time" -}}
Since {{ .StartsAt.Format "2006-01-02 15:04:05 MST" }}{{ if eq .Status "resolved" }}, resolved {{ .EndsAt.Format "2006-01-02 15:04:05 MST" }}{{ end }}
{{- end }}

{{/* One alert in plain text (PagerDuty details, e-mail text part). */}}
{{ define "vigil.alert.text" -}}
{{ template "vigil.alert.state" . }}: {{ .Annotations.summary }}
{{ with .Annotations.description }}{{ . }}
{{ end }}{{ template "vigil.alert.figures" . }}{{ template "vigil.alert.labels" . }}
{{- with .Annotations.runbook_url }}Runbook: {{ . }}
{{ end }}{{ with .Annotations.dashboard_url }}Dashboard: {{ . }}
{{ end }}{{ with .GeneratorURL }}Source: {{ . }}
{{ end }}{{ template "vigil.alert.time" . }}
{{- end }}

{{ define "${TEMPLATE.text}" -}}
{{ with .Alerts.Firing }}{{ len . }} firing:
{{ range . }}
{{ template "vigil.alert.text" . }}
{{ end }}{{ end }}{{ with .Alerts.Resolved }}{{ if $.Alerts.Firing }}
{{ end }}{{ len . }} resolved:
{{ range . }}
{{ template "vigil.alert.text" . }}
{{ end }}{{ end }}
{{- end }}

{{/* One alert in Slack mrkdwn: links as <url|text>. */}}
{{ define "vigil.slack.alert" -}}
*{{ template "vigil.alert.state" . }}* {{ .Annotations.summary }}
{{ with .Annotations.description }}{{ . }}
{{ end }}{{ template "vigil.alert.figures" . }}{{ template "vigil.alert.labels" . }}
{{- with .Annotations.runbook_url }}<{{ . }}|Runbook>{{ end }}
{{- if and .Annotations.runbook_url .Annotations.dashboard_url }} · {{ end }}
{{- with .Annotations.dashboard_url }}<{{ . }}|Dashboard>{{ end }}
{{- end }}

{{ define "${TEMPLATE.slackText}" -}}
{{ range .Alerts.Firing }}{{ template "vigil.slack.alert" . }}
{{ end }}{{ if and .Alerts.Firing .Alerts.Resolved }}
{{ end }}{{ range .Alerts.Resolved }}{{ template "vigil.slack.alert" . }}
{{ end }}
{{- end }}

{{/* E-mail body (html/template: everything is escaped; links only with http(s) URLs). */}}
{{ define "${TEMPLATE.emailHtml}" -}}
<!DOCTYPE html>
<html>
<body style="font-family: sans-serif">
<h2>{{ template "${TEMPLATE.title}" . }}</h2>
{{ range .Alerts }}<hr>
<p><strong>{{ template "vigil.alert.state" . }}</strong>: {{ .Annotations.summary }}</p>
{{ with .Annotations.description }}<p>{{ . }}</p>
{{ end }}<pre>{{ template "vigil.alert.figures" . }}{{ template "vigil.alert.labels" . }}{{ template "vigil.alert.time" . }}</pre>
<p>{{ with .Annotations.runbook_url }}<a href="{{ . }}">Runbook</a> {{ end }}{{ with .Annotations.dashboard_url }}<a href="{{ . }}">Dashboard</a> {{ end }}{{ with .GeneratorURL }}<a href="{{ . }}">Source</a>{{ end }}</p>
{{ end }}<p><a href="{{ .ExternalURL }}">Alertmanager</a></p>
</body>
</html>
{{- end }}
`;
