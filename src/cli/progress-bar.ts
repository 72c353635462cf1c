/**
 * `archival run` while the run goes on: on a terminal, a bar redrawn in place
 * on stderr (rows, percent of the planned rows, rows/s, table and window, ETA);
 * elsewhere one plain line per purged part. Read from the run's in-memory
 * progress (ArchivalService.progress), polled; nothing with --json.
 */
import { ArchivalService } from '../archival/archival.service';
import { ProgressSnapshot } from '../archival/engine/run-progress';
import { CliIo } from './cli-commands';

const WIDTH = 24;
const POLL_MS = 100;
/** Back to the line's start and clear it, so each frame replaces the last. */
const REDRAW = '\r\x1b[2K';

export function formatBar(p: ProgressSnapshot): string {
  const filled = Math.round(((p.percent ?? 0) / 100) * WIDTH);
  const percent = p.percent === null ? '  ?%' : `${String(p.percent).padStart(3)}%`;
  const where = p.table ? ` ${p.table}${p.window ? ` ${p.window}` : ''}` : '';
  const eta = p.throttled ? `throttled (${p.throttled})` : `ETA ${formatEta(p.etaSeconds)}`;
  return `[${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${percent} ${p.rows}/${p.plannedRows} rows, ${p.rowsPerSecond} rows/s${where}, ${eta}`;
}

export function formatLine(job: string, p: ProgressSnapshot): string {
  const percent = p.percent === null ? '' : ` (${p.percent}%)`;
  return `${job}: ${p.rows}/${p.plannedRows} rows${percent}, ${p.table ?? '-'} ${p.window ?? ''}`.trimEnd();
}

function formatEta(seconds: number | null): string {
  if (seconds === null) return '--:--';
  const m = Math.floor(seconds / 60);
  return `${m}:${String(seconds % 60).padStart(2, '0')}`;
}

/** Shows the run's progress until the returned stop() is called (which clears the bar). */
export function showProgress(archival: ArchivalService, job: string, runId: string, io: CliIo): () => void {
  let lastRows = 0;
  const tick = () => {
    const snapshot = archival.progress(runId);
    if (!snapshot) return;
    if (io.progress) io.progress(REDRAW + formatBar(snapshot));
    else if (snapshot.rows > lastRows) io.err(formatLine(job, snapshot));
    lastRows = snapshot.rows;
  };
  const timer = setInterval(tick, POLL_MS);
  return () => {
    clearInterval(timer);
    io.progress?.(REDRAW);
  };
}
