/** The steps of `npm run bench:interference` (bench/interference.ts) and what its workers send back. */

/** How long each step works beside the load. */
export const STEP_MS = 10_000;
/** Log rows seeded; ids run 1..ROWS. */
export const ROWS = 1_000_000;

export type StepKind = 'idle' | 'busy' | 'copy' | 'rate' | 'delete';

export interface Step {
  text: string;
  kind: StepKind;
  /** Rows per batch (copy, delete) or rows/s (rate). */
  size: number;
  /** The share of time spent working: after each batch the step rests (1/share − 1) times as long as it took. */
  share: number;
  /** Worker processes (busy2: two). */
  workers: number;
}

/** Where the next batch starts: the key after which it reads or deletes. */
export interface Position {
  readAfter: number;
  deleteAfter: number;
}

export interface WorkerResult {
  rows: number;
  /** How long the step worked (its last batch may end after STEP_MS). */
  seconds: number;
  at: Position;
}

export type WorkerMessage = { ready: true } | { result: WorkerResult };

const KINDS = ['idle', 'busy1', 'busy2', 'copy', 'rate', 'delete'];

/** `kind[:size[:share]]`; a bad step is named, with what was expected. */
export function parseStep(text: string): Step {
  const [kind, size, share] = text.split(':');
  if (!KINDS.includes(kind)) throw new Error(`step ${text}: unknown kind "${kind}"; known: ${KINDS.join(', ')}`);
  const step: Step = {
    text,
    kind: kind.startsWith('busy') ? 'busy' : (kind as StepKind),
    size: Number(size ?? (kind === 'rate' ? 30_000 : 10_000)),
    share: Number(share ?? 1),
    workers: kind === 'busy2' ? 2 : 1,
  };
  if (!Number.isInteger(step.size) || step.size < 1) throw new Error(`step ${text}: expected a whole number of rows, not "${size}"`);
  if (!(step.share > 0 && step.share <= 1)) throw new Error(`step ${text}: expected a share of time above 0 and at most 1, not "${share}"`);
  return step;
}
