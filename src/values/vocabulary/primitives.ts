import { z } from 'zod';

// No sign: resource amounts below zero are refused by the API server.
const QUANTITY = /^\+?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+|[KMGTPE]i?|[mkMGTPE]|n|u)?$/;

const SUFFIX: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** The amount a valid quantity stands for (cores or bytes), for comparing requests with limits. */
export function quantityAmount(text: string): number {
  const match = /^\+?([\d.]+)(.*)$/.exec(text);
  if (!match) return Number.NaN;
  const [, number, suffix] = match as unknown as [string, string, string];
  if (/^[eE]/.test(suffix)) return Number(`${number}${suffix}`);
  return Number(number) * (suffix ? (SUFFIX[suffix] ?? Number.NaN) : 1);
}

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
