/** What a release operation reports while it works; the CLI turns these into lines or JSON. */
import type { Stage } from '../render/model.ts';

export type ProgressEvent =
  | { readonly type: 'info'; readonly message: string }
  | { readonly type: 'stage'; readonly stage: Stage; readonly objects: number }
  | {
      readonly type: 'applied';
      readonly stage: Stage;
      readonly object: string;
      readonly change: 'created' | 'configured' | 'unchanged' | 'replaced';
      /** The component the object belongs to (a live table groups by it). */
      readonly component?: string | undefined;
    }
  | { readonly type: 'waiting'; readonly stage: Stage; readonly object: string; readonly message: string }
  | { readonly type: 'ready'; readonly stage: Stage; readonly object: string; readonly message: string }
  | { readonly type: 'stage-ready'; readonly stage: Stage; readonly seconds: number }
  | { readonly type: 'pruned'; readonly object: string }
  | { readonly type: 'kept'; readonly object: string; readonly reason: string };

export type ProgressListener = (event: ProgressEvent) => void;

export const silent: ProgressListener = () => undefined;
