/**
 * The string and number formats the Kubernetes validators of kubernetes-models and
 * @kubernetes-models/{keda,prometheus-operator} use, for the bundle only: scripts/build.mjs puts this
 * module in place of @kubernetes-models/validate's own formats, which also load every JSON-Schema
 * format (IRIs with a URI library and punycode, e-mail, CIDR) that none of these validators names,
 * at about a tenth of a render's start-up. The build fails if a bundled validator names a format that
 * is missing here. Each definition is the one @kubernetes-models/validate uses (byte and quantity its
 * own, the numbers ajv-formats').
 */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
// A Kubernetes resource quantity (k8s.io/apimachinery pkg/api/resource/quantity.go): 1.5, 100m, 2Gi, 1e3.
const QUANTITY =
  /^[+-]?(?:\d+|\d+\.\d+|\d+\.|\.\d+)(?:[KMGTPE]i|(?:[YZEPTGMkhdcmunpfazy]|da)|[eE][+-]?(?:\d+|\d+\.\d+|\d+\.|\.\d+))?$/;
const MIN_INT32 = -(2 ** 31);
const MAX_INT32 = 2 ** 31 - 1;

export const formats = {
  byte: { type: 'string', validate: (value: string) => BASE64.test(value) },
  quantity: { type: 'string', validate: QUANTITY },
  int32: {
    type: 'number',
    validate: (value: number) => Number.isInteger(value) && value <= MAX_INT32 && value >= MIN_INT32,
  },
  // JavaScript's integers stop at 2**53, so every integer is an int64.
  int64: { type: 'number', validate: (value: number) => Number.isInteger(value) },
  double: { type: 'number', validate: () => true },
} as const;
