/*
 * The operator's page. Plain browser JavaScript, no build step and no outside
 * requests. It holds no data of its own: everything comes from the admin API
 * beside it (the page's URL minus "ui"), with the token the operator gives
 * once (kept in sessionStorage, or taken from #token= and removed from the
 * address bar). API strings only ever reach the page as text (textContent),
 * never as HTML, and the token is never written into the page.
 */
'use strict';
(() => {
  const TOKEN_KEY = 'nest-archival.admin-token';
  const API = new URL('./', location.href);
  const $ = (selector) => document.querySelector(selector);

  /** An element with attributes, listeners (on*) and children; strings become text nodes. */
  function el(tag, attributes = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
      if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
      else if (name === 'class') node.className = value;
      else if (value !== undefined && value !== null && value !== false) node.setAttribute(name, value === true ? '' : String(value));
    }
    node.append(...nodes(children));
    return node;
  }

  /** Strings as text nodes; null and undefined (an absent part) are skipped. */
  const nodes = (children) => children.flat(2).filter((c) => c !== null && c !== undefined).map((c) => (c instanceof Node ? c : String(c)));
  /** Replaces a node's children. */
  const put = (node, ...children) => node.replaceChildren(...nodes(children));

  const when = (iso) => (iso ? el('span', { title: iso }, `${new Date(iso).toISOString().slice(0, 19).replace('T', ' ')}Z`) : '—');
  const count = (n) => (typeof n === 'number' ? n.toLocaleString('en-US') : '—');
  const badge = (text) => el('span', { class: `badge ${text}` }, text);
  function duration(ms) {
    if (typeof ms !== 'number') return '—';
    if (ms < 1000) return `${ms} ms`;
    if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
    return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
  }
  function size(bytes) {
    if (typeof bytes !== 'number') return '—';
    const units = ['B', 'KB', 'MB', 'GB', 'TB'];
    let value = bytes;
    let unit = 0;
    while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit++; }
    return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
  }
  const runMs = (run) => (run.finishedAt ? new Date(run.finishedAt) - new Date(run.startedAt) : null);

  /** Takes a token passed as #token=... once, and removes it from the address bar and the history entry. */
  function takeTokenFromAddress() {
    const token = new URLSearchParams(location.hash.slice(1)).get('token');
    if (token === null) return;
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    history.replaceState(null, '', location.pathname + location.search);
  }

  class Refused extends Error {}

  async function call(path, { method = 'GET', body } = {}) {
    const response = await fetch(new URL(path, API), {
      method,
      cache: 'no-store',
      headers: { Authorization: `Bearer ${sessionStorage.getItem(TOKEN_KEY)}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const payload = await response.json().catch(() => null);
    if (response.status === 401) {
      sessionStorage.removeItem(TOKEN_KEY);
      showLogin('The token was refused: enter it again.');
      throw new Refused();
    }
    if (!response.ok) {
      const message = payload && payload.message;
      throw new Error(`${response.status}: ${Array.isArray(message) ? message.join('; ') : message || response.statusText}`);
    }
    return payload;
  }

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

  function fill(table, rows) {
    put($(`${table} tbody`), rows);
  }

  function jobRow(job) {
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

  function tableRow(table) {
    return el('tr', { 'data-table': table.table, 'data-job': table.job },
      el('td', {}, table.job), el('td', {}, table.table), el('td', { class: 'num' }, size(table.hotBytes)),
      el('td', { class: 'num' }, table.eligibleRows === null ? el('span', { class: 'muted' }, 'with parents') : `~${count(table.eligibleRows)}`),
      el('td', { class: 'num' }, count(table.archivedRows)), el('td', { class: 'num' }, size(table.archivedBytes)),
      el('td', { class: 'num' }, count(table.archives)), el('td', {}, table.months.length ? chart(table.months) : el('span', { class: 'muted' }, 'none yet')),
    );
  }

  function runRow(run) {
    return el('tr', { 'data-run': run.id },
      el('td', {}, when(run.startedAt)), el('td', {}, run.job), el('td', {}, run.trigger), el('td', {}, run.dryRun ? 'dry run' : 'run'),
      el('td', {}, badge(run.status)), el('td', { class: 'num' }, count(run.rows)), el('td', { class: 'num' }, size(run.bytes)),
      el('td', { class: 'num' }, duration(runMs(run))), el('td', { class: 'error' }, run.error || ''),
    );
  }

  function archiveRow(archive) {
    const result = el('div', { class: 'actions' });
    const verify = async () => {
      put(result, el('span', { class: 'muted' }, 'verifying…'));
      try {
        const report = await call(`archives/${archive.id}/verify`, { method: 'POST' });
        const problems = [...report.problems.map((p) => p.problem), ...report.missing.map((m) => `missing: ${m.path}`)];
        put(result, report.intact ? badge('intact') : badge('damaged'), problems.length ? el('span', { class: 'error' }, ` ${problems.join('; ')}`) : null);
      } catch (error) {
        if (!(error instanceof Refused)) put(result, el('span', { class: 'error' }, error.message));
      }
    };
    result.append(el('button', { type: 'button', 'data-action': 'verify', onclick: verify }, 'Verify'));
    return el('tr', { 'data-archive': archive.id },
      el('td', { class: 'num' }, archive.id), el('td', {}, archive.schemaName ? `${archive.schemaName}.${archive.tableName}` : archive.tableName),
      el('td', {}, `${archive.startDate} … ${archive.endDate}`), el('td', { class: 'num' }, archive.part), el('td', {}, badge(archive.status)),
      el('td', { class: 'num' }, count(archive.rowCount)), el('td', { class: 'num' }, size(archive.compressedSize)), el('td', {}, when(archive.archivedAt)),
      el('td', {}, result),
    );
  }

  const ARCHIVES_SHOWN = 100;

  async function refresh() {
    setStatus('loading…');
    try {
      const [jobs, tables, runs, archives] = await Promise.all([call('jobs'), call('tables'), call('runs?limit=20'), call('archives?limit=10000')]);
      fill('#jobs', jobs.map(jobRow));
      fill('#tables', tables.map(tableRow));
      fill('#runs', runs.map(runRow));
      fill('#archives', archives.slice(-ARCHIVES_SHOWN).reverse().map(archiveRow));
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

  /** Starts a run, then polls it until it is no longer running and shows what it did. */
  async function start(job, dryRun) {
    const panel = $('#run-result');
    panel.hidden = false;
    put(panel, el('strong', {}, `${dryRun ? 'Dry run' : 'Run'} of ${job}`), ' starting…');
    try {
      const { runId } = await call(`jobs/${encodeURIComponent(job)}/run`, { method: 'POST', body: { dryRun } });
      await refresh();
      let run = await call(`runs/${runId}`);
      while (run.status === 'running') {
        put(panel, el('strong', {}, `${dryRun ? 'Dry run' : 'Run'} of ${job}`), ' ', badge('running'), ` ${count(run.rows)} rows so far`);
        await new Promise((resolve) => setTimeout(resolve, 1000));
        run = await call(`runs/${runId}`);
      }
      put(panel, ...runReport(run));
      await refresh();
    } catch (error) {
      if (!(error instanceof Refused)) put(panel, el('strong', {}, `${dryRun ? 'Dry run' : 'Run'} of ${job}`), ' ', el('span', { class: 'error' }, error.message));
    }
  }

  function runReport(run) {
    const tables = (run.summary && Array.isArray(run.summary.tables) ? run.summary.tables : []);
    const verb = run.dryRun ? 'would archive' : 'archived';
    return [
      el('strong', {}, `${run.dryRun ? 'Dry run' : 'Run'} of ${run.job}`), ' ', badge(run.status),
      ` ${verb} ${count(run.rows)} rows${run.dryRun ? '' : ` (${size(run.bytes)}, ${count(run.archives)} archives)`} in ${duration(runMs(run))}`,
      run.error ? el('div', { class: 'error' }, run.error) : null,
      el('ul', {}, tables.map((t) => el('li', {}, `${t.table}: ${count(t.rows)} rows before ${t.cutoff ? t.cutoff.slice(0, 10) : '—'}`,
        Array.isArray(t.plan) && t.plan.length ? el('span', { class: 'muted' }, ` (${t.plan.map((p) => `${p.window}: ${count(p.rows)}`).join(', ')})`) : null))),
    ];
  }

  document.addEventListener('DOMContentLoaded', () => {
    takeTokenFromAddress();
    $('#login-form').addEventListener('submit', (event) => {
      event.preventDefault();
      sessionStorage.setItem(TOKEN_KEY, $('#token').value);
      $('#token').value = '';
      refresh();
    });
    $('#refresh').addEventListener('click', refresh);
    $('#forget').addEventListener('click', () => {
      sessionStorage.removeItem(TOKEN_KEY);
      showLogin('');
    });
    if (sessionStorage.getItem(TOKEN_KEY)) refresh();
    else showLogin('');
  });
})();
