import { z } from 'zod';

// No sign: resource amounts below zero are refused by the API server.
const QUANTITY = /^\+?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+|[KMGTPE]i?|[mkMGTPE]|n|u)?$/;

/** A Kubernetes resource quantity such as `500m`, `2`, `1Gi`. Numbers are accepted and kept as text. */
export const quantity = z
  .union([
    z.string().regex(QUANTITY, 'a Kubernetes quantity such as 500m, 1Gi or 2 (not negative)'),
    z.number().nonnegative(),
  ])
  .transform((value) => String(value));

/** DNS-1123 label: lower-case letters, digits and '-', at most 63 characters. */
export const dnsLabel = z
  .string()
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'a DNS-1123 label (lower-case letters, digits, "-")');

/** DNS-1123 subdomain, as used for object names and hostnames. */
export const dnsSubdomain = z
  .string()
  .max(253)
  .regex(
    /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/,
    'a DNS-1123 name (lower-case letters, digits, "-" and ".")',
  );

export const stringMap = z.record(z.string(), z.string());

export const port = z.int().min(1).max(65_535);

/** A Kubernetes object with an open shape (tolerations, env entries) checked later by the OpenAPI validation. */
export const openObject = z.record(z.string(), z.unknown());
