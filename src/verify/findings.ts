/** What a check found: an error fails the render, a warning is printed with the notes. */
export interface Finding {
  readonly level: 'error' | 'warning';
  /** The check's name, e.g. `host-reference`. */
  readonly check: string;
  /** What it is about, e.g. `Deployment/app-web container web env REDIS_HOST`. */
  readonly subject: string;
  readonly message: string;
}

export function error(check: string, subject: string, message: string): Finding {
  return { level: 'error', check, subject, message };
}

export function warning(check: string, subject: string, message: string): Finding {
  return { level: 'warning', check, subject, message };
}

export function formatFinding(finding: Finding): string {
  return `${finding.subject}: ${finding.message} [${finding.check}]`;
}
