/** doctor: a release's health per component, and a redacted support bundle. */
import { type DoctorResult, runDoctor } from '../doctor/doctor.ts';
import { connectRelease, podLogs } from './cluster.ts';
import type { ReleaseAt } from './deploy.ts';

export interface DoctorRequest extends ReleaseAt {
  /** Where to write the bundle (`.tar.gz`); undefined: no bundle. */
  readonly bundlePath: string | undefined;
  /** Collect the last lines of each container's log. */
  readonly logs: boolean;
  readonly logLines: number;
  readonly logBytes: number;
  readonly now?: Date | undefined;
}

export function doctor(request: DoctorRequest): Promise<DoctorResult> {
  const target = connectRelease(request.release, request.cluster);
  const { bundlePath, logLines, logBytes, now = new Date() } = request;
  return runDoctor(target, {
    bundlePath,
    logs: request.logs ? podLogs(request.cluster, target.namespace) : undefined,
    logLines,
    logBytes,
    now,
  });
}
