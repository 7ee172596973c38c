/** Annotations berth writes on rendered objects that other parts read back without rendering. */

/** The annotation that tells the release engine which keys it generated (and must keep). */
export const GENERATED_KEYS_ANNOTATION = 'berth.dev/generated-keys';
