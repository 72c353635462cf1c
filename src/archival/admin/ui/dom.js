/*
 * Building the page safely: every string becomes a text node (never HTML),
 * and the formats the tables share.
 */
/** An element with attributes, listeners (on*) and children; strings become text nodes. */
export function el(tag, attributes = {}, ...children) {
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
export const put = (node, ...children) => node.replaceChildren(...nodes(children));

export const when = (iso) => (iso ? el('span', { title: iso }, `${new Date(iso).toISOString().slice(0, 19).replace('T', ' ')}Z`) : '—');
export const count = (n) => (typeof n === 'number' ? n.toLocaleString('en-US') : '—');
export const badge = (text) => el('span', { class: `badge ${text}` }, text);
export function duration(ms) {
  if (typeof ms !== 'number') return '—';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}
export function size(bytes) {
  if (typeof bytes !== 'number') return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit++; }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}
export const runMs = (run) => (run.finishedAt ? new Date(run.finishedAt) - new Date(run.startedAt) : null);
