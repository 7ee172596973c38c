import { z } from 'zod';
import { dnsSubdomain, stringMap } from './primitives.ts';

/** `ingress.*`: one host in front of the platform's entry component. */
export const ingressSchema = z
  .strictObject({
    enabled: z.boolean().default(false).describe('Create an Ingress for the platform.'),
    className: z
      .string()
      .default('')
      .describe('IngressClass name (e.g. nginx); empty uses the cluster default.'),
    host: dnsSubdomain.or(z.literal('')).default('').describe('Public host name, e.g. langfuse.example.com.'),
    annotations: stringMap.default({}).describe('Extra annotations on the Ingress.'),
    proxyBodySize: z
      .string()
      .default('')
      .describe(
        'Largest request body the ingress controller accepts (nginx proxy-body-size, 1g when empty), e.g. 50m.',
      ),
    tls: z
      .strictObject({
        enabled: z.boolean().default(false).describe('Serve HTTPS.'),
        secretName: z
          .string()
          .default('')
          .describe('TLS Secret; default <release>-tls (filled by cert-manager when an issuer is set).'),
        clusterIssuer: z
          .string()
          .default('')
          .describe('cert-manager ClusterIssuer that issues the certificate.'),
        issuer: z
          .string()
          .default('')
          .describe('cert-manager Issuer (namespaced) that issues the certificate.'),
      })
      .prefault({})
      .describe('TLS settings.'),
  })
  .prefault({})
  .superRefine((value, ctx) => {
    if (value.enabled && value.host === '') {
      ctx.addIssue({ code: 'custom', path: ['host'], message: 'required when ingress.enabled is true' });
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
