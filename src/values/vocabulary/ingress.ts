import { z } from 'zod';
import { dnsSubdomain, stringMap } from './primitives.ts';

const ingressPath = z.strictObject({
  path: z.string().regex(/^\//, 'a path starting with /'),
  pathType: z.enum(['Prefix', 'Exact', 'ImplementationSpecific']).default('Prefix'),
});

const ingressHost = z.strictObject({
  host: dnsSubdomain,
  paths: z
    .array(ingressPath)
    .default([])
    .describe("Paths on this host, all to the platform's entry component; empty: the blueprint's routes."),
});

const tlsEntry = z.strictObject({
  secretName: z.string().min(1).describe('TLS Secret holding the certificate of these hosts.'),
  hosts: z.array(dnsSubdomain).min(1).describe('Hosts the certificate covers.'),
});

const tlsSettings = z.strictObject({
  enabled: z.boolean().default(false).describe('Serve HTTPS.'),
  secretName: z
    .string()
    .default('')
    .describe('TLS Secret; default <release>-tls (filled by cert-manager when an issuer is set).'),
  clusterIssuer: z.string().default('').describe('cert-manager ClusterIssuer that issues the certificate.'),
  issuer: z.string().default('').describe('cert-manager Issuer (namespaced) that issues the certificate.'),
  certificates: z
    .array(tlsEntry)
    .default([])
    .describe(
      'Several certificates, each for its hosts (the chart spelling `tls: [{secretName, hosts}]` lands here).',
    ),
});

/** Charts write `tls: [{secretName, hosts}]`; berth's own spelling is an object. Both are accepted. */
function chartTls(value: unknown): unknown {
  return Array.isArray(value) ? { enabled: value.length > 0, certificates: value } : value;
}

/** `ingress.*`: the hosts in front of the platform's entry component. */
export const ingressSchema = z
  .strictObject({
    enabled: z.boolean().default(false).describe('Create an Ingress for the platform.'),
    className: z
      .string()
      .default('')
      .describe('IngressClass name (e.g. nginx); empty uses the cluster default.'),
    host: dnsSubdomain.or(z.literal('')).default('').describe('Public host name, e.g. langfuse.example.com.'),
    hosts: z
      .array(ingressHost)
      .default([])
      .describe('More host names (chart spelling: [{host, paths: [{path, pathType}]}]), after host.'),
    annotations: stringMap.default({}).describe('Extra annotations on the Ingress.'),
    proxyBodySize: z
      .string()
      .default('')
      .describe(
        'Largest request body the ingress controller accepts (nginx proxy-body-size, 1g when empty), e.g. 50m.',
      ),
    tls: z.preprocess(chartTls, tlsSettings.prefault({})).describe('TLS settings.'),
  })
  .prefault({})
  .superRefine((value, ctx) => {
    if (value.enabled && value.host === '' && value.hosts.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['host'],
        message: 'required when ingress.enabled is true (or ingress.hosts)',
      });
    }
    if (value.tls.clusterIssuer !== '' && value.tls.issuer !== '') {
      ctx.addIssue({
        code: 'custom',
        path: ['tls', 'issuer'],
        message: 'set tls.clusterIssuer or tls.issuer, not both',
      });
    }
  });

export type IngressValues = z.output<typeof ingressSchema>;
