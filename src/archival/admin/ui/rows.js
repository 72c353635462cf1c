/*
 * One table row per job, table, run and archive, built from API objects with
 * dom.js (text only); the actions are the page's (app.js).
 */
import { badge, count, duration, el, put, runMs, size, when } from './dom.js';

export function jobRow(job, { start, confirmRun }) {
  const last = job.lastRun;
  const actions = el('div', { class: 'actions' });
  const offer = () => put(actions,
    el('button', { type: 'button', class: 'primary', 'data-action': 'dry-run', onclick: () => start(job.name, true) }, 'Dry run'),
    el('button', { type: 'button', class: 'danger', 'data-action': 'real-run', onclick: () => confirmRun(job.name) }, 'Run for real'),
    el('button', { type: 'button', onclick: () => put(actions, runButton) }, 'Cancel'),
  );
  const runButton = el('button', { type: 'button', 'data-action': 'run', disabled: job.running, onclick: offer }, job.running ? 'Running…' : 'Run…');
  actions.append(runButton);
  return el('tr', { 'data-job': job.name },
    el('td', {}, el('strong', {}, job.name), job.enabled ? null : el('span', { class: 'muted' }, ' disabled')),
    el('td', { class: 'mono' }, job.cron, el('span', { class: 'muted' }, ` ${job.timezone}`)),
    el('td', {}, job.nextRun ? when(job.nextRun) : el('span', { class: 'muted' }, 'not scheduled')),
    el('td', {}, last ? [badge(last.status), last.dryRun ? ' dry run ' : ' ', when(last.startedAt)] : el('span', { class: 'muted' }, 'never')),
    el('td', { class: 'num' }, last ? count(last.rows) : ''),
    el('td', { class: 'num' }, last ? duration(last.durationMs) : ''),
    el('td', { class: 'error' }, last && last.error ? last.error : ''),
    el('td', {}, actions),
  );
}

/** Archived rows per month as bars (heights set through the CSSOM, which the CSP allows, unlike style attributes). */
function chart(months) {
  const shown = months.slice(-24);
  const highest = Math.max(1, ...shown.map((m) => m.rows));
  return el('div', { class: 'chart', role: 'img', 'aria-label': `${shown.length} months archived` }, shown.map((m) => {
    const bar = el('span', { class: 'bar', title: `${m.month}: ${count(m.rows)} rows, ${size(m.bytes)}`, 'data-month': m.month });
    bar.style.height = `${Math.round((m.rows / highest) * 100)}%`;
    return bar;
  }));
}

export function tableRow(table) {
  return el('tr', { 'data-table': table.table, 'data-job': table.job },
    el('td', {}, table.job), el('td', {}, table.table), el('td', { class: 'num' }, size(table.hotBytes)),
    el('td', { class: 'num' }, table.eligibleRows === null ? el('span', { class: 'muted' }, 'with parents') : `~${count(table.eligibleRows)}`),
    el('td', { class: 'num' }, count(table.archivedRows)), el('td', { class: 'num' }, size(table.archivedBytes)),
    el('td', { class: 'num' }, count(table.archives)), el('td', {}, table.months.length ? chart(table.months) : el('span', { class: 'muted' }, 'none yet')),
  );
}

export function runRow(run) {
  return el('tr', { 'data-run': run.id },
    el('td', {}, when(run.startedAt)), el('td', {}, run.job), el('td', {}, run.trigger), el('td', {}, run.dryRun ? 'dry run' : 'run'),
    el('td', {}, badge(run.status)), el('td', { class: 'num' }, count(run.rows)), el('td', { class: 'num' }, size(run.bytes)),
    el('td', { class: 'num' }, duration(runMs(run))), el('td', { class: 'error' }, run.error || ''),
  );
}

export function archiveRow(archive, { verify, previewRestore }) {
  const result = el('div', { class: 'actions' });
  result.append(
    el('button', { type: 'button', 'data-action': 'verify', onclick: () => verify(archive, result) }, 'Verify'),
    el('button', { type: 'button', 'data-action': 'restore-preview', disabled: archive.status !== 'purged', onclick: () => previewRestore(archive) }, 'Restore…'),
  );
  return el('tr', { 'data-archive': archive.id },
    el('td', { class: 'num' }, archive.id), el('td', {}, archive.schemaName ? `${archive.schemaName}.${archive.tableName}` : archive.tableName),
    el('td', {}, `${archive.startDate} … ${archive.endDate}`), el('td', { class: 'num' }, archive.part), el('td', {}, badge(archive.status)),
    el('td', { class: 'num' }, count(archive.rowCount)), el('td', { class: 'num' }, size(archive.compressedSize)), el('td', {}, when(archive.archivedAt)),
    el('td', {}, result),
  );
}
