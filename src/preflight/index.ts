/** Preflight: will the cluster take this install? Requirements derived offline, checked against the cluster. */
export { CAPACITY_WARN_RATIO, capacityVerdict, nodeCapacities } from './capacity.ts';
export { CHECK_TITLES } from './checks.ts';
export { formatChecklist, formatReport } from './format.ts';
export {
  CHECK_IDS,
  type CheckId,
  type Outcome,
  type PreflightCheck,
  type PreflightReport,
  preflightExitCode,
  type Requirements,
  worstOutcome,
} from './model.ts';
export { enforcedLevel, type PodSecurityLevel, podSecurityViolations } from './pod-security.ts';
export { blueprintPrerequisites, type Prerequisites } from './prerequisites.ts';
export { deriveRequirements } from './requirements.ts';
export {
  type PreflightInput,
  preflightInput,
  preflightRequirements,
  type RunPreflightOptions,
  runPreflight,
} from './run.ts';
export { satisfies } from './semver.ts';
