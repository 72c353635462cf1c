/*
 * The operator's page: jobs, tables, runs and archives from the admin API,
 * and the actions on them (runs and restores, each previewed by a dry run
 * first; verify). Plain browser modules, no build step, no outside requests.
 */
import { call, follow, onRefused, Refused, token } from './api.js';
import { badge, count, duration, el, put, runMs, size } from './dom.js';
import { archiveRow, jobRow, runRow, tableRow } from './rows.js';

const $ = (selector) => document.querySelector(selector);
const ARCHIVES_SHOWN = 100;

function showLogin(message) {
  $('#dashboard').hidden = true;
  $('#session').hidden = true;
  $('#login').hidden = false;
  $('#login-error').textContent = message || '';
  $('#token').focus();
}

function setStatus(text, isError) {
  $('#status').textContent = text;
  $('#status').className = isError ? 'error' : '';
}

const fill = (table, rows) => put($(`${table} tbody`), rows);
const failed = (panel, title) => (error) => {
  if (!(error instanceof Refused)) put(panel, el('strong', {}, title), ' ', el('span', { class: 'error' }, error.message));
};

async function refresh() {
  setStatus('loading…');
  try {
    const [jobs, tables, runs, archives] = await Promise.all([call('jobs'), call('tables'), call('runs?limit=20'), call('archives?limit=10000')]);
    fill('#jobs', jobs.map((job) => jobRow(job, { start, confirmRun })));
    fill('#tables', tables.map(tableRow));
    fill('#runs', runs.map(runRow));
    fill('#archives', archives.slice(-ARCHIVES_SHOWN).reverse().map((archive) => archiveRow(archive, { verify, previewRestore })));
    $('#archives-note').textContent = archives.length > ARCHIVES_SHOWN ? `newest ${ARCHIVES_SHOWN} of ${count(archives.length)}` : `${count(archives.length)}`;
    $('#login').hidden = true;
    $('#dashboard').hidden = false;
    $('#session').hidden = false;
    setStatus(`updated ${new Date().toISOString().slice(11, 19)}Z`);
  } catch (error) {
    if (!(error instanceof Refused)) setStatus(error.message, true);
  }
}

function confirmRun(job) {
  if (confirm(`Run ${job} for real? Rows past retention are archived, verified, then deleted from the table.`)) start(job, false);
}

/**
 * A running run's progress as the API reports it (rows of the planned rows, rate, where it is, ETA);
 * a run of another replica, or of the CLI, has none here: its rows so far from the catalog.
 */
function progressText(run) {
  const p = run.progress;
  if (!p) return `${count(run.rows)} rows so far`;
  const planned = p.plannedRows ? ` of ${count(p.plannedRows)}` : '';
  const percent = p.percent === null || p.percent === undefined ? '' : ` (${p.percent}%)`;
  const where = p.table ? `, ${p.table}${p.window ? ` ${p.window}` : ''}` : '';
  const eta = p.throttled
    ? `, throttled (${p.throttled})`
    : p.etaSeconds === null || p.etaSeconds === undefined ? '' : `, ETA ${duration(p.etaSeconds * 1000)}`;
  return `${count(p.rows)}${planned} rows${percent}, ${count(Math.round(p.rowsPerSecond))} rows/s${where}${eta}`;
}

/** Starts a run, follows it until it ends and shows what it did. */
async function start(job, dryRun) {
  const panel = $('#run-result');
  const title = `${dryRun ? 'Dry run' : 'Run'} of ${job}`;
  panel.hidden = false;
  put(panel, el('strong', {}, title), ' starting…');
  try {
    const { runId } = await call(`jobs/${encodeURIComponent(job)}/run`, { method: 'POST', body: { dryRun } });
    await refresh();
    const run = await follow(runId, (r) => put(panel, el('strong', {}, title), ' ', badge('running'), ` ${progressText(r)}`));
    put(panel, runReport(run));
    await refresh();
  } catch (error) {
    failed(panel, title)(error);
  }
}

function runReport(run) {
  const tables = run.summary && Array.isArray(run.summary.tables) ? run.summary.tables : [];
  return [
    el('strong', {}, `${run.dryRun ? 'Dry run' : 'Run'} of ${run.job}`), ' ', badge(run.status),
    ` ${run.dryRun ? 'would archive' : 'archived'} ${count(run.rows)} rows${run.dryRun ? '' : ` (${size(run.bytes)}, ${count(run.archives)} archives)`} in ${duration(runMs(run))}`,
    run.error ? el('div', { class: 'error' }, run.error) : null,
    el('ul', {}, tables.map((t) => el('li', {}, `${t.table}: ${count(t.rows)} rows before ${t.cutoff ? t.cutoff.slice(0, 10) : '—'}`,
      Array.isArray(t.plan) && t.plan.length ? el('span', { class: 'muted' }, ` (${t.plan.map((p) => `${p.window}: ${count(p.rows)}`).join(', ')})`) : null))),
  ];
}

async function verify(archive, cell) {
  put(cell, el('span', { class: 'muted' }, 'verifying…'));
  try {
    const report = await call(`archives/${archive.id}/verify`, { method: 'POST' });
    const problems = [...report.problems.map((p) => p.problem), ...report.missing.map((m) => `missing: ${m.path}`)];
    put(cell, badge(report.intact ? 'intact' : 'damaged'), problems.length ? el('span', { class: 'error' }, ` ${problems.join('; ')}`) : null);
  } catch (error) {
    if (!(error instanceof Refused)) put(cell, el('span', { class: 'error' }, error.message));
  }
}

/** A restore, dry run first: what would come back, then the real one with a conflict rule, after a confirmation. */
async function restore(archive, { dryRun, conflict }) {
  const panel = $('#restore-result');
  const title = `${dryRun ? 'Restore preview' : 'Restore'} of archive ${archive.id}`;
  panel.hidden = false;
  put(panel, el('strong', {}, title), ' starting…');
  try {
    const { runId } = await call('restore', { method: 'POST', body: { archiveId: archive.id, dryRun, ...(conflict ? { conflict } : {}) } });
    const run = await follow(runId, () => put(panel, el('strong', {}, title), ' ', badge('running')));
    const report = (run.summary && run.summary.restore) || { archives: [], rows: 0, written: 0 };
    put(panel,
      el('strong', {}, title), ' ', badge(run.status),
      dryRun ? ` would restore ${count(report.rows)} rows` : ` restored ${count(report.rows)} rows, ${count(report.written)} written (conflict ${report.conflict})`,
      run.error ? el('div', { class: 'error' }, run.error) : null,
      el('ul', {}, report.archives.map((a) => el('li', {}, `${a.table}: ${count(a.rows)} rows from ${a.path}`, a.skipped ? el('span', { class: 'muted' }, ` (${a.skipped})`) : null))),
      dryRun && run.status === 'succeeded' ? restoreChoice(archive) : null,
    );
    if (!dryRun) await refresh();
  } catch (error) {
    failed(panel, title)(error);
  }
}

function restoreChoice(archive) {
  const conflict = el('select', { 'aria-label': 'rows already in the table', 'data-field': 'conflict' },
    el('option', { value: 'skip' }, 'keep rows already in the table (skip)'),
    el('option', { value: 'overwrite' }, 'replace them (overwrite)'),
    el('option', { value: 'fail' }, 'restore nothing if any exists (fail)'));
  const go = () => {
    if (confirm(`Restore archive ${archive.id} into ${archive.tableName} (${conflict.value})?`)) restore(archive, { dryRun: false, conflict: conflict.value });
  };
  return el('div', { class: 'actions' }, conflict, el('button', { type: 'button', class: 'danger', 'data-action': 'restore', onclick: go }, 'Restore for real'));
}

const previewRestore = (archive) => restore(archive, { dryRun: true });

document.addEventListener('DOMContentLoaded', () => {
  token.takeFromAddress();
  onRefused(showLogin);
  $('#login-form').addEventListener('submit', (event) => {
    event.preventDefault();
    token.set($('#token').value);
    $('#token').value = '';
    refresh();
  });
  $('#refresh').addEventListener('click', refresh);
  $('#forget').addEventListener('click', () => {
    token.forget();
    showLogin('');
  });
  if (token.present()) refresh();
  else showLogin('');
});
