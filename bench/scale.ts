/**
 * Values for the scale scenario: one model-router release with `backends` model backends. Each
 * backend is an instance in the router's config (router.services.chat.instances) and a model server
 * of its own, written as extraObjects: Deployment, ConfigMap, Secret, ServiceAccount and
 * PodDisruptionBudget (no Service: berth's wiring checks see only the blueprint's own pods), so 1,000 backends make a release of about 5,000 objects.
 */
export function scaleValues(backends: number): Record<string, unknown> {
  const names = Array.from({ length: backends }, (_, i) => `model-${String(i).padStart(4, '0')}`);
  const labels = (name: string) => ({ 'app.kubernetes.io/name': name });
  const server = (name: string) => [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name }, automountServiceAccountToken: false },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name },
      data: { 'model.yaml': `model: ${name}\nport: 8000\n` },
    },
    { apiVersion: 'v1', kind: 'Secret', metadata: { name }, stringData: { token: `${name}-token` } },
    {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name },
      spec: { maxUnavailable: 1, selector: { matchLabels: labels(name) } },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels(name) },
        template: {
          metadata: { labels: labels(name) },
          spec: {
            serviceAccountName: name,
            automountServiceAccountToken: false,
            securityContext: {
              runAsNonRoot: true,
              runAsUser: 1000,
              seccompProfile: { type: 'RuntimeDefault' },
            },
            containers: [
              {
                name: 'server',
                image: 'docker.io/vllm/vllm-openai:v0.11.0',
                args: ['--model', name, '--port', '8000'],
                ports: [{ name: 'http', containerPort: 8000 }],
                resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
                readinessProbe: { httpGet: { path: '/health', port: 'http' } },
                securityContext: {
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  capabilities: { drop: ['ALL'] },
                },
                volumeMounts: [{ name: 'config', mountPath: '/etc/model' }],
              },
            ],
            volumes: [{ name: 'config', configMap: { name } }],
          },
        },
      },
    },
  ];
  return {
    router: {
      services: {
        chat: {
          instances: names.map((name) => ({
            name,
            baseUrl: `http://${name}:8000`,
            path: '/v1/chat/completions',
          })),
        },
      },
    },
    extraObjects: names.flatMap(server),
  };
}
