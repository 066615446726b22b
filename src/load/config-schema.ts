import { Type, type Static } from '@sinclair/typebox';
import { K6ConfigSchema } from './k6-config-schema.js';
import { Duration, KebabName } from './schema-primitives.js';

const Labels = Type.Record(Type.String({ pattern: '^[a-zA-Z_][a-zA-Z0-9_./-]*$' }), Type.String(), { description: 'label name → value' });
const HttpUrl = (description: string) => Type.String({ pattern: '^https?://[^\\s/]+(/\\S*)?$', description });
const JobName = (description: string) => Type.String({ pattern: '^[a-zA-Z0-9_.:/-]+$', description });
const Namespace = KebabName('a Kubernetes namespace: lower-case letters, digits and "-"');

/** The keys of VigilConfig an environment may override (everything but apiVersion, kind and environments). */
const settings = {
  grafana: Type.Optional(
    Type.Object(
      {
        url: Type.Optional(HttpUrl('Grafana base URL, e.g. https://grafana.example.internal: alerts then link their dashboards absolutely')),
        datasources: Type.Optional(
          Type.Object(
            {
              prometheus: Type.Optional(
                Type.String({ minLength: 1, description: "uid of the Prometheus data source the dashboards' datasource variable selects by default" }),
              ),
              loki: Type.Optional(
                Type.String({ minLength: 1, description: "uid of the Loki data source the dashboards' loki datasource variable selects by default" }),
              ),
            },
            { additionalProperties: false, description: 'default data source per type (Grafana uids), usually one per environment' },
          ),
        ),
      },
      { additionalProperties: false },
    ),
  ),
  prometheus: Type.Optional(
    Type.Object(
      {
        url: Type.Optional(
          HttpUrl('Prometheus (or Thanos/Mimir query API) base URL that `vigil status` and `vigil report` ask when --prometheus-url is not given'),
        ),
      },
      { additionalProperties: false },
    ),
  ),
  runbooks: Type.Optional(
    Type.Object(
      {
        baseUrl: Type.Optional(
          HttpUrl(
            'where runbooks live, e.g. https://git.example.internal/platform/runbooks/-/blob/main: SLO alerts without their own runbook link <baseUrl>/error-budget-burn.md',
          ),
        ),
      },
      { additionalProperties: false },
    ),
  ),
  slos: Type.Optional(
    Type.Object(
      {
        evaluationInterval: Type.Optional(
          Duration(
            "how often every SLO rule group is evaluated (its `interval`, default 1m), whatever the global evaluation_interval; must divide each SLO's base window (5m for 30d, 1m for 7d)",
          ),
        ),
      },
      { additionalProperties: false },
    ),
  ),
  jobs: Type.Optional(
    Type.Object(
      {
        exporter: Type.Optional(
          JobName("the Prometheus job of vigil's GPU exporter (default gpu-exporter): its ServiceMonitor sets it and the built-in packs select it"),
        ),
        nodeExporter: Type.Optional(
          JobName(
            'the Prometheus job of node_exporter (default node-exporter, as kube-prometheus-stack names it; a hand-written scrape config often says node)',
          ),
        ),
        kubeStateMetrics: Type.Optional(JobName('the Prometheus job of kube-state-metrics (default kube-state-metrics, as kube-prometheus-stack names it)')),
      },
      { additionalProperties: false },
    ),
  ),
  kubernetes: Type.Optional(
    Type.Object(
      {
        rules: Type.Optional(
          Type.Object(
            {
              namespace: Type.Optional(Namespace),
              labels: Type.Optional(Labels),
            },
            {
              additionalProperties: false,
              description:
                'PrometheusRule objects: default namespace, and the labels your Prometheus ruleSelector matches (kube-prometheus-stack: release: <its release name>)',
            },
          ),
        ),
        exporter: Type.Optional(
          Type.Object(
            {
              namespace: Type.Optional(Namespace),
              serviceMonitorLabels: Type.Optional(Labels),
            },
            { additionalProperties: false, description: "the GPU exporter's namespace, and the labels your Prometheus serviceMonitorSelector matches" },
          ),
        ),
        rollbackTrigger: Type.Optional(
          Type.Object(
            {
              namespace: Type.Optional(Namespace),
              image: Type.Optional(
                Type.String({ minLength: 1, pattern: '^[^\\s]+$', description: 'container image of vigil (default ghcr.io/vigil-monitoring/vigil:0.1.0)' }),
              ),
              replicas: Type.Optional(
                Type.Integer({ minimum: 1, maximum: 7, description: 'replicas; one leads through a Lease, the others stand by (default 2)' }),
              ),
              monitoringNamespace: Type.Optional(Namespace),
            },
            {
              additionalProperties: false,
              description:
                "the rollback trigger's StatefulSet (rendered only with a rollback policy): namespace, image, replicas, and the namespace of the Alertmanager and Prometheus its NetworkPolicy admits (default monitoring)",
            },
          ),
        ),
        dashboards: Type.Optional(
          Type.Object(
            {
              namespace: Type.Optional(Namespace),
              instanceSelector: Type.Optional(Labels),
              folder: Type.Optional(Type.String({ minLength: 1 })),
            },
            {
              additionalProperties: false,
              description: 'GrafanaDashboard objects (grafana-operator): namespace, the labels of the Grafana instances that load them, the folder',
            },
          ),
        ),
      },
      { additionalProperties: false },
    ),
  ),
  k6: Type.Optional(K6ConfigSchema),
};

/**
 * `vigil.config.yaml` (kind VigilConfig, optional): how this installation of vigil fits the
 * team's platform. Every key has a default that matches kube-prometheus-stack and this repo.
 */
export const ConfigSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    apiVersion: Type.Literal('vigil/v1'),
    kind: Type.Literal('VigilConfig'),
    ...settings,
    environments: Type.Optional(
      Type.Union(
        [
          Type.Array(KebabName('an environment name, as given to --env'), { uniqueItems: true }),
          Type.Record(KebabName('an environment name, as given to --env'), Type.Object(settings, { additionalProperties: false }), {
            description: 'environment → the settings it overrides (deep-merged onto the ones above)',
          }),
        ],
        {
          description:
            'the environments of this project, the only names --env, --all-envs, environments: blocks and envs/<env>/ may use: a list, or a mapping of environment → its overrides of these settings',
        },
      ),
    ),
  },
  { additionalProperties: false },
);

export type ConfigSpec = Static<typeof ConfigSchema>;
export const CONFIG_SCHEMA_CODES = { unknownKey: 'CFG003', missingKey: 'CFG004', wrongType: 'CFG005', badValue: 'CFG006' } as const;
