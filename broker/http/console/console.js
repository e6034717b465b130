// The trigger-broker console (docs/reference/console.md): plain DOM, no framework, no build step.
// Everything the broker sends is shown as text: elements are made with createElement and filled
// with textContent, never with innerHTML, since event data, ids and reasons are untrusted.
// The page holds no data of its own; every call goes to /admin/... with the admin token, which
// stays in this tab's sessionStorage.

const TOKEN_KEY = 'trigger-broker.admin-token';
/** How often the page reads the status and the dead letters. */
const POLL_MS = 2000;
/** The most dead letters shown (the oldest first, as the admin API lists them). */
const DEAD_LETTER_LIMIT = 200;
/** Characters of an event's data shown in the dead-letter list. */
const DATA_PREVIEW = 600;
const CHART_WIDTH = 180;
const CHART_HEIGHT = 36;
const SVG_NS = 'http://www.w3.org/2000/svg';
const EXAMPLE_EVENT = {
  specversion: '1.0',
  id: 'explain-1',
  source: '/console',
  type: 'com.example.order.created',
  datacontenttype: 'application/json',
  data: { amount: 120 },
};

const byId = (id) => document.getElementById(id);

let pollTimer;
let deadLetterSignature = '';
let polling = false;

class AdminError extends Error {
  constructor(status, code, detail) {
    super(`${status} ${code}: ${detail}`);
    this.status = status;
    this.code = code;
    this.detail = detail;
  }
}

/** One admin API call with the token; the JSON answer, or an AdminError. */
async function admin(method, path, body) {
  const headers = { authorization: `Bearer ${sessionStorage.getItem(TOKEN_KEY) ?? ''}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, body, cache: 'no-store', credentials: 'omit' });
  const text = await res.text();
  let json;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (!res.ok) throw new AdminError(res.status, json?.error ?? 'error', json?.detail ?? text);
  return json;
}

/** An element with attributes and children; strings become text nodes. */
function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined && value !== null) node.setAttribute(name, String(value));
  }
  for (const child of children) {
    if (child === undefined || child === null) continue;
    node.append(typeof child === 'string' || typeof child === 'number' ? String(child) : child);
  }
  return node;
}

function setStatusLine(text, isError = false) {
  const line = byId('status-line');
  line.textContent = text;
  line.className = isError ? 'error' : '';
}

function showLogin(message) {
  stopPolling();
  byId('main').hidden = true;
  byId('sign-out').hidden = true;
  byId('readiness').hidden = true;
  byId('store-check').textContent = '';
  byId('login').hidden = false;
  byId('login-error').textContent = message ?? '';
  byId('token').focus();
}

function showMain() {
  byId('login').hidden = true;
  byId('main').hidden = false;
  byId('sign-out').hidden = false;
}

/** What an error means here: a refused token sends the user back to the token form. */
function handleError(err, doing) {
  if (err instanceof AdminError && err.status === 401) {
    sessionStorage.removeItem(TOKEN_KEY);
    showLogin('The broker refused this token.');
    return;
  }
  if (err instanceof AdminError && err.status === 404 && err.code === 'not_found') {
    showLogin('The admin API is off on this broker (Broker.spec.admin.tokens is not set).');
    return;
  }
  const what = err instanceof AdminError ? `${err.code}: ${err.detail}` : String(err?.message ?? err);
  setStatusLine(`${doing} failed: ${what}`, true);
}

// ---- polling --------------------------------------------------------------------------------

function stopPolling() {
  clearTimeout(pollTimer);
  pollTimer = undefined;
}

function schedulePoll() {
  stopPolling();
  pollTimer = setTimeout(poll, POLL_MS);
}

async function poll() {
  if (document.hidden || byId('main').hidden || polling) {
    if (!byId('main').hidden) schedulePoll();
    return;
  }
  polling = true;
  try {
    await refresh();
  } catch (err) {
    handleError(err, 'reading the broker');
  } finally {
    polling = false;
  }
  if (!byId('main').hidden) schedulePoll();
}

async function refresh() {
  const [status, list] = await Promise.all([
    admin('GET', '/admin/status'),
    admin('GET', `/admin/deadletters?limit=${DEAD_LETTER_LIMIT}`),
  ]);
  renderStatus(status);
  renderDeadLetters(list.deadLetters);
  setStatusLine(`Updated ${new Date(status.now).toLocaleTimeString()}`);
}

async function open() {
  byId('login').hidden = true;
  try {
    await refresh();
  } catch (err) {
    handleError(err, 'reading the broker');
    if (!byId('login').hidden) return; // the token was refused, or the admin API is off
  }
  showMain();
  schedulePoll();
}

// ---- status ---------------------------------------------------------------------------------

function renderStatus(status) {
  const readiness = byId('readiness');
  readiness.hidden = false;
  readiness.textContent = status.ready ? 'ready' : 'not ready';
  readiness.className = `badge ${status.ready ? 'ready' : 'not-ready'}`;
  const store = status.checks?.store;
  byId('store-check').textContent = store === undefined || store === 'ok' ? '' : `store: ${store}`;
  renderSources(status.sources);
  renderSubscriptions(status);
}

function renderSources(sources) {
  const rows = sources.map((source) => {
    const detail =
      source.status === 'reconnecting'
        ? `attempt ${source.attempt}: ${source.error}`
        : source.status === 'degraded'
          ? source.error
          : '';
    return el(
      'tr',
      { 'data-source': source.name },
      el(
        'td',
        {},
        source.name,
        source.required
          ? el('span', { class: 'muted', title: 'required: true (counts for readiness)' }, ' required')
          : undefined,
      ),
      el('td', {}, source.kind),
      el('td', { class: `state state-${safeClass(source.status)}` }, source.status),
      el('td', {}, detail),
    );
  });
  byId('sources').tBodies[0].replaceChildren(...rows);
  byId('sources-empty').hidden = rows.length > 0;
}

function renderSubscriptions(status) {
  const rows = status.subscriptions.map((sub) => {
    const lastMinute = sum(sub.history, status.now - 60_000);
    const whole = sum(sub.history, Number.NEGATIVE_INFINITY);
    return el(
      'tr',
      { 'data-subscription': sub.name },
      el('td', {}, sub.name),
      el('td', { class: 'num depth' }, sub.depth === null ? '?' : sub.depth),
      el('td', { class: 'num delivered-rate' }, formatRate(lastMinute.delivered, lastMinute.seconds)),
      el('td', { class: 'num failed-rate' }, formatRate(lastMinute.failed, lastMinute.seconds)),
      el('td', { class: 'num delivered-count' }, whole.delivered),
      el('td', { class: 'num failed-count' }, whole.failed),
      el('td', { class: 'num deadlettered-count' }, whole.deadLettered),
      el('td', {}, chart(sub.history, status.now, status.windowSeconds)),
    );
  });
  byId('subscriptions').tBodies[0].replaceChildren(...rows);
  byId('subscriptions-empty').hidden = rows.length > 0;
  const seconds = (status.subscriptions[0]?.history ?? []).reduce((total, p) => total + p.seconds, 0);
  byId('window-note').textContent =
    `Window: the last ${formatDuration(seconds)}; the broker keeps up to ${formatDuration(
      status.windowSeconds,
    )} in ${status.sampleSeconds} s steps while the admin API is on.`;
}

/** Delivered, failed and dead-lettered counts and seconds of the points that end after `since`. */
function sum(history, since) {
  const total = { delivered: 0, failed: 0, deadLettered: 0, seconds: 0 };
  for (const point of history) {
    if (point.at <= since) continue;
    total.delivered += point.delivered;
    total.failed += point.failed;
    total.deadLettered += point.deadLettered;
    total.seconds += point.seconds;
  }
  return total;
}

function formatRate(count, seconds) {
  if (count === 0 || seconds <= 0) return '0';
  const perSecond = count / seconds;
  if (perSecond >= 10) return `${Math.round(perSecond)}/s`;
  if (perSecond >= 1) return `${perSecond.toFixed(1)}/s`;
  return `${(perSecond * 60).toFixed(1)}/min`;
}

function formatDuration(seconds) {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  return `${(seconds / 60).toFixed(1)} min`;
}

/**
 * A small line chart of one subscription's delivered and failed rates (per second) over the
 * points it has, drawn as SVG elements (no markup is parsed).
 */
function chart(history, now, windowSeconds) {
  const span = Math.max(windowSeconds, 60) * 1000;
  const start = now - span;
  const rate = (point, key) => (point.seconds > 0 ? point[key] / point.seconds : 0);
  const max = Math.max(0, ...history.flatMap((p) => [rate(p, 'delivered'), rate(p, 'failed')]));
  const x = (at) => (((at - start) / span) * (CHART_WIDTH - 2) + 1).toFixed(1);
  const y = (value) => (CHART_HEIGHT - 2 - (max > 0 ? (value / max) * (CHART_HEIGHT - 6) : 0)).toFixed(1);
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('class', 'chart');
  svg.setAttribute('width', String(CHART_WIDTH));
  svg.setAttribute('height', String(CHART_HEIGHT));
  svg.setAttribute('viewBox', `0 0 ${CHART_WIDTH} ${CHART_HEIGHT}`);
  svg.setAttribute('role', 'img');
  const title = document.createElementNS(SVG_NS, 'title');
  const peak = max >= 1 ? `${max.toFixed(1)}/s` : `${(max * 60).toFixed(1)}/min`;
  title.textContent = `Delivered and failed per second over the last ${Math.round(span / 60_000)} minutes; peak ${peak}`;
  svg.append(title);
  const zero = document.createElementNS(SVG_NS, 'line');
  zero.setAttribute('class', 'zero');
  zero.setAttribute('x1', '1');
  zero.setAttribute('x2', String(CHART_WIDTH - 1));
  zero.setAttribute('y1', y(0));
  zero.setAttribute('y2', y(0));
  svg.append(zero);
  if (max > 0) {
    const label = document.createElementNS(SVG_NS, 'text');
    label.setAttribute('class', 'peak');
    label.setAttribute('x', '3');
    label.setAttribute('y', '10');
    label.textContent = `peak ${peak}`;
    svg.append(label);
  }
  for (const key of ['delivered', 'failed']) {
    const line = document.createElementNS(SVG_NS, 'polyline');
    line.setAttribute('class', key);
    // Each point is drawn across its interval: from its start to its end, at its rate.
    const points = [];
    for (const point of history) {
      const from = Math.max(point.at - point.seconds * 1000, start);
      points.push(`${x(from)},${y(rate(point, key))}`, `${x(point.at)},${y(rate(point, key))}`);
    }
    line.setAttribute('points', points.join(' '));
    svg.append(line);
  }
  return svg;
}

/** The status values become class names: only letters, digits and dashes survive. */
function safeClass(text) {
  return String(text).replace(/[^a-z0-9-]/gi, '');
}

// ---- dead letters ---------------------------------------------------------------------------

function renderDeadLetters(entries) {
  const signature = entries
    .map((e) => `${e.subscription}\u0000${e.seq}\u0000${e.deadLetterSinkOutcome}`)
    .join('\u0001');
  byId('deadletters-note').textContent =
    entries.length >= DEAD_LETTER_LIMIT
      ? `Showing the oldest ${DEAD_LETTER_LIMIT}; \`trigger-broker deadletters\` lists them all.`
      : '';
  byId('deadletters-empty').hidden = entries.length > 0;
  byId('deadletters').hidden = entries.length === 0;
  // Rebuilt only when the list changed, so a button is not replaced under the pointer.
  if (signature === deadLetterSignature) return;
  deadLetterSignature = signature;
  byId('deadletters').tBodies[0].replaceChildren(...entries.map(deadLetterRow));
}

function deadLetterRow(entry) {
  const event = entry.event ?? {};
  const replay = el('button', { type: 'button', class: 'replay' }, 'Replay');
  replay.addEventListener('click', () => act('replay', entry, replay));
  const purge = el('button', { type: 'button', class: 'purge' }, 'Purge');
  purge.addEventListener('click', () => {
    if (confirm(`Purge the dead letter ${String(event.id)} of ${entry.subscription}? It cannot be undone.`))
      void act('purge', entry, purge);
  });
  return el(
    'tr',
    { 'data-subscription': entry.subscription, 'data-seq': entry.seq },
    el('td', {}, new Date(entry.at).toISOString()),
    el('td', {}, entry.subscription),
    el(
      'td',
      { class: 'event' },
      el(
        'div',
        {},
        el('span', { class: 'muted' }, 'id '),
        el('code', { class: 'event-id' }, String(event.id)),
      ),
      el('div', {}, el('span', { class: 'muted' }, 'type '), el('code', {}, String(event.type))),
      el('div', {}, el('span', { class: 'muted' }, 'source '), el('code', {}, String(event.source))),
    ),
    el(
      'td',
      { class: 'reason' },
      entry.reason,
      entry.attempts > 0 ? el('div', { class: 'muted' }, `${entry.attempts} attempt(s)`) : undefined,
      entry.deadLetterSinkOutcome && entry.deadLetterSinkOutcome !== 'none'
        ? el('div', { class: 'muted' }, `dead-letter sink: ${entry.deadLetterSinkOutcome}`)
        : undefined,
    ),
    el('td', {}, el('pre', { class: 'data' }, dataPreview(event))),
    el('td', { class: 'actions' }, replay, purge),
  );
}

/** The event's data as text, cut at DATA_PREVIEW characters. */
function dataPreview(event) {
  let text;
  if (event.data_base64 !== undefined) text = `(binary, base64) ${event.data_base64}`;
  else if (event.data === undefined) text = '(no data)';
  else if (typeof event.data === 'string') text = event.data;
  else text = JSON.stringify(event.data, null, 1);
  return text.length > DATA_PREVIEW ? `${text.slice(0, DATA_PREVIEW)}…` : text;
}

/** Replays or purges one dead letter: its subscription and its event's id. */
async function act(operation, entry, button) {
  const result = byId('deadletters-result');
  button.disabled = true;
  const id = String(entry.event?.id);
  try {
    const outcome = await admin(
      'POST',
      `/admin/deadletters/${operation}`,
      JSON.stringify({ subscription: entry.subscription, ids: [id] }),
    );
    const why = outcome.skippedItems?.[0]?.why;
    const verb = operation === 'replay' ? 'Replayed' : 'Purged';
    result.className = '';
    result.textContent = `${verb} ${outcome.done} of ${outcome.selected} dead letter(s) with id ${id}${
      outcome.skipped > 0 ? `; ${outcome.skipped} skipped: ${why}` : ''
    }.`;
    await refresh();
  } catch (err) {
    button.disabled = false;
    if (err instanceof AdminError && err.status !== 401 && err.status !== 404) {
      result.className = 'error';
      result.textContent = `${operation} of ${id} failed: ${err.code}: ${err.detail}`;
      return;
    }
    handleError(err, `${operation} of ${id}`);
  }
}

// ---- explain --------------------------------------------------------------------------------

async function explain(event) {
  event.preventDefault();
  const result = byId('explain-result');
  const text = byId('explain-event').value;
  result.replaceChildren(el('p', { class: 'muted' }, 'Explaining…'));
  try {
    const answer = await admin('POST', '/admin/explain', text);
    const rows = answer.subscriptions.map((s) =>
      el(
        'tr',
        { 'data-subscription': s.subscription },
        el('td', {}, s.subscription),
        el('td', { class: s.matched ? 'matched-yes' : 'matched-no' }, s.matched ? 'matches' : 'no match'),
        el('td', {}, s.reason ?? ''),
      ),
    );
    const table = el(
      'table',
      { id: 'explain-table' },
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          el('th', { scope: 'col' }, 'Subscription'),
          el('th', { scope: 'col' }, 'Result'),
          el('th', { scope: 'col' }, 'Why not'),
        ),
      ),
      el('tbody', {}, ...rows),
    );
    const schema = answer.eventSchema
      ? el(
          'p',
          { class: 'error' },
          `EventSchema ${answer.eventSchema.name} refuses this event (${answer.eventSchema.onInvalid}): ${answer.eventSchema.error}`,
        )
      : undefined;
    result.replaceChildren(...[schema, table].filter(Boolean));
  } catch (err) {
    if (err instanceof AdminError && err.status !== 401 && err.status !== 404) {
      result.replaceChildren(el('p', { class: 'error' }, `${err.code}: ${err.detail}`));
      return;
    }
    result.replaceChildren();
    handleError(err, 'explain');
  }
}

// ---- start ----------------------------------------------------------------------------------

byId('login-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const value = byId('token').value.trim();
  if (value === '') return;
  sessionStorage.setItem(TOKEN_KEY, value);
  byId('token').value = '';
  byId('login-error').textContent = '';
  void open();
});
byId('sign-out').addEventListener('click', () => {
  sessionStorage.removeItem(TOKEN_KEY);
  showLogin('');
});
byId('explain-form').addEventListener('submit', explain);
byId('explain-event').value = JSON.stringify(EXAMPLE_EVENT, null, 2);
document.addEventListener('visibilitychange', () => {
  if (!document.hidden && !byId('main').hidden) void poll();
});

if (sessionStorage.getItem(TOKEN_KEY) === null) showLogin('');
else void open();
