// Arbiter local dashboard. The server pushes the state every second (server-sent events at
// /local/events); the page is built once and then updated in place: text and classes change,
// nodes stay, so a button being pressed is never replaced under the pointer and text can be
// selected and copied. When the stream breaks, the page greys out and its buttons are disabled
// until it comes back. No external assets.
/* global document, EventSource */
'use strict';
const timelineShownMax = 200;
const problemsShownMax = 8;
/** No state for this long means the connection is gone, even if the browser has not said so. */
const staleAfterMs = 3500;
const ui = { state: null, connected: false, lastMessageMs: 0, built: false, problems: [] };

const $ = (id) => document.getElementById(id);
const utc = (ms) => (ms === null || ms === undefined ? '–' : `${new Date(ms).toISOString().slice(11, 19)} UTC`);
const seconds = (ms) => `${Math.max(0, Math.ceil(ms / 1000))} s`;
const duration = (ms) => {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return s >= 60 ? `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s` : `${s} s`;
};

/** An element with attributes (class, data-*, properties) and children. */
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === 'class') el.className = value;
    else if (key.startsWith('data-') || key === 'title') el.setAttribute(key, value);
    else el[key] = value;
  }
  for (const child of children) el.append(child);
  return el;
}
/** Changes a node only when its text differs (a selection inside it survives). */
function setText(el, value) {
  const text = String(value);
  if (el.textContent !== text) el.textContent = text;
}
function setClass(el, value) {
  if (el.className !== value) el.className = value;
}
function setAttr(el, name, value) {
  if (el.getAttribute(name) !== value) el.setAttribute(name, value);
}

/**
 * Makes `container`'s keyed children match `items` in order: creates the missing, updates all,
 * removes the gone, and moves a node only when the order changed.
 */
function syncList(container, items, keyOf, create, update) {
  const existing = new Map();
  for (const child of [...container.children]) if (child.dataset.key !== undefined) existing.set(child.dataset.key, child);
  let previous = null;
  for (const item of items) {
    const key = String(keyOf(item));
    let node = existing.get(key);
    if (node === undefined) {
      node = create(item);
      node.dataset.key = key;
    }
    existing.delete(key);
    update(node, item);
    const expected = previous === null ? container.firstElementChild : previous.nextElementSibling;
    if (node !== expected) container.insertBefore(node, expected);
    previous = node;
  }
  for (const node of existing.values()) node.remove();
  const empty = container.querySelector(':scope > .empty');
  if (empty !== null) {
    empty.hidden = items.length > 0;
    if (empty !== container.lastElementChild) container.append(empty);
  }
}

function toast(text) {
  const el = $('toast');
  el.textContent = text;
  el.classList.add('show');
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => el.classList.remove('show'), 5000);
}

/** A problem stays listed until cleared (an action refused, the API unreadable, the stream broken). */
function problem(text) {
  ui.problems.unshift({ atMs: Date.now(), text });
  ui.problems.splice(problemsShownMax);
  renderProblems();
  toast(text);
}

function renderProblems() {
  const statusProblems = ui.state && ui.state.status.error !== undefined ? [{ atMs: ui.state.nowMs, text: `status unreadable: ${ui.state.status.error}` }] : [];
  const fromStatus = ui.state && Array.isArray(ui.state.status.problems) ? ui.state.status.problems.map((text) => ({ atMs: ui.state.nowMs, text })) : [];
  const all = [...statusProblems, ...fromStatus, ...ui.problems];
  $('problems').hidden = all.length === 0;
  syncList($('problem-list'), all, (p) => `${p.atMs}-${p.text}`, () => h('li', {}, h('time'), h('span')), (node, p) => {
    setText(node.children[0], utc(p.atMs));
    setText(node.children[1], p.text);
  });
}

// ---- inputs and actions -------------------------------------------------------------------

/** A duration input (90s, 10m, 2h) in seconds, or a problem naming the field. */
function durationInput(id, label) {
  const value = $(id).value.trim();
  const match = /^(\d{1,6})([smh])$/.exec(value);
  if (match === null) throw new Error(`${label} must be a duration with a unit, like 90s, 10m or 2h (got "${value}")`);
  return Number(match[1]) * { s: 1, m: 60, h: 3600 }[match[2]];
}
function reasonInput() {
  const reason = $('reason').value.trim();
  if (reason === '') throw new Error('Reason is required: it goes into the audit log');
  return reason;
}

async function api(method, path, body) {
  const headers = { 'content-type': 'application/json', 'x-arbiter-actor': 'dashboard' };
  if (method === 'POST') headers['idempotency-key'] = crypto.randomUUID();
  const response = await fetch(`/api/${ui.state.apiObserver}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const json = await response.json().catch(() => ({}));
  if (!response.ok) {
    const details = Array.isArray(json.problems) ? `: ${json.problems.map((p) => `${p.path} ${p.message}`).join('; ')}` : '';
    throw new Error(`${json.error || `HTTP ${response.status}`}${details}`);
  }
  return json;
}

async function post(path, body) {
  const response = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(json.error || `HTTP ${response.status}`);
  return json;
}

const actions = {
  async mode(button) {
    await post(`/local/samples/${button.dataset.region}`, { mode: button.dataset.mode });
    toast(`Sample app in ${button.dataset.region} is now ${button.dataset.mode}`);
  },
  async observer(button) {
    await post(`/local/observers/${button.dataset.observer}`, { mode: button.dataset.observerMode });
    toast(`Observer ${button.dataset.observer} is now ${button.dataset.observerMode}`);
  },
  async drain(button) {
    const region = button.dataset.region;
    const answer = await api('POST', '/overrides', { target: region, action: 'drain', ttlSeconds: durationInput('ttl', 'TTL'), reason: reasonInput(), force: $('force').checked });
    toast(`Drain override ${answer.override.id} on ${region} until ${utc(answer.override.expiresMs)}`);
  },
  // Restore ends the target's drain override(s) and nothing else.
  async restore(button) {
    const region = button.dataset.region;
    const { overrides } = await api('GET', '/overrides');
    const drains = overrides.filter((o) => o.target === region && o.action === 'drain');
    if (drains.length === 0) {
      toast(`${region} has no drain override: nothing to restore, nothing changed`);
      return;
    }
    for (const o of drains) await api('DELETE', `/overrides/${encodeURIComponent(o.id)}?reason=${encodeURIComponent(reasonInput())}`);
    toast(`Ended drain override ${drains.map((o) => o.id).join(', ')} on ${region}`);
  },
  // Pin: a serve override, which switches automation off for the target; the API's warning says so.
  async pin(button) {
    const region = button.dataset.region;
    const answer = await api('POST', '/overrides', { target: region, action: 'serve', ttlSeconds: durationInput('ttl', 'TTL'), reason: reasonInput() });
    toast(`Pinned ${region} serving (${answer.override.id}): ${(answer.warnings || [])[0] || 'automation is off for it'}`);
  },
  async end(button) {
    const answer = await api('DELETE', `/overrides/${encodeURIComponent(button.dataset.overrideId)}?reason=${encodeURIComponent(reasonInput())}`);
    toast(`Ended ${answer.override.action} override ${answer.override.id} on ${answer.override.target}`);
  },
  async drill(button) {
    const mode = button.dataset.drillMode;
    const body = { target: button.dataset.region, mode, ...(mode === 'evacuate' ? { holdSeconds: durationInput('hold', 'Drill hold') } : {}) };
    const answer = await api('POST', '/drills', body);
    toast(`${mode} drill ${answer.drill.id} started on ${button.dataset.region}`);
  },
  async 'clear-problems'() {
    ui.problems = [];
    renderProblems();
  },
};

document.addEventListener('click', (event) => {
  const button = event.target.closest('button[data-action]');
  if (!button || button.disabled) return;
  const action = actions[button.dataset.action];
  if (action === undefined || (!ui.state && button.dataset.action !== 'clear-problems')) return;
  button.classList.add('busy');
  action(button)
    .catch((error) => problem(`${button.textContent.trim()} ${button.dataset.region || button.dataset.observer || button.dataset.overrideId || ''}: ${error.message}`))
    .finally(() => button.classList.remove('busy'));
});

// ---- building the page once ---------------------------------------------------------------

function button(label, data, extraClass) {
  const attrs = { class: extraClass || '', type: 'button' };
  for (const [key, value] of Object.entries(data)) attrs[`data-${key}`] = value;
  return h('button', attrs, label);
}

function buildRegions(s) {
  $('regions').replaceChildren(...s.targets.map((target) => h('div', { class: 'region', 'data-region-card': target },
    h('div', { class: 'region-head' }, h('span', { class: 'region-name' }, target), h('span', { class: 'state serving', 'data-state': target }, 'serving')),
    h('div', { class: 'weight' }, h('div', { class: 'bar' }, h('span', {})), h('span', { class: 'weight-value' }, 'weight ', h('span', { 'data-weight': target }, '–'))),
    h('div', { class: 'app', 'data-app': target }),
    h('div', { class: 'countdowns', 'data-countdowns': target }),
    h('div', { class: 'buttons' }, ...['healthy', 'down', 'slow', 'flaky'].map((m) => button(m === 'healthy' ? 'Heal' : m[0].toUpperCase() + m.slice(1), { action: 'mode', mode: m, region: target }))),
    h('div', { class: 'buttons' },
      button('Drain', { action: 'drain', region: target }, 'danger'),
      button('Restore', { action: 'restore', region: target }, 'primary'),
      button('Pin serving', { action: 'pin', region: target }, 'warn'),
      button('Evacuate drill', { action: 'drill', 'drill-mode': 'evacuate', region: target }),
      button('Shadow drill', { action: 'drill', 'drill-mode': 'shadow', region: target })),
  )));
}

function buildObservers(s) {
  $('observers').replaceChildren(...s.observers.map((observer) => h('div', { class: 'observer', 'data-observer-card': observer },
    h('div', { class: 'region-head' }, h('span', { class: 'region-name' }, observer), h('span', { class: 'state', 'data-observer-mode': observer }, '')),
    h('div', { class: 'beats', 'data-beats': observer }),
    h('div', { class: 'buttons' }, ...[['running', 'Run'], ['stopped', 'Stop'], ['partitioned', 'Partition']].map(([mode, label]) => button(label, { action: 'observer', observer, 'observer-mode': mode }))),
  )));
}

function buildTables(s) {
  const q = `p${Math.round(s.timings.latencyQuantile * 100)}`;
  setText($('matrix-hint'), `observer × target: last latency, ${q} of the window vs latencyMsMax`);
  $('matrix').replaceChildren(
    h('tr', {}, h('th', {}, 'observer ↓ target →'), ...s.targets.map((t) => h('th', {}, t))),
    ...s.observers.map((o) => h('tr', {}, h('th', {}, o), ...s.targets.map((t) => h('td', { class: 'cell unknown', 'data-cell': `${o}>${t}` }, h('b', {}), h('span', { class: 'tally' }), h('small', {}))))),
  );
  $('proposals').replaceChildren(
    h('tr', {}, h('th', {}, 'target ↓ observer →'), ...s.observers.map((o) => h('th', {}, o)), h('th', {}, 'tally')),
    ...s.targets.map((t) => h('tr', {}, h('th', {}, t), ...s.observers.map((o) => h('td', { class: 'unknown', 'data-proposal': `${o}>${t}` }, h('b', {}), h('small', {}))), h('td', { class: 'tally', 'data-tally': t }))),
  );
}

function build(s) {
  buildRegions(s);
  buildObservers(s);
  buildTables(s);
  ui.built = true;
}

// ---- updating in place --------------------------------------------------------------------

const statusTargets = (s) => (Array.isArray(s.status.targets) ? s.status.targets : []);
const activeOverrides = (s) => (Array.isArray(s.status.activeOverrides) ? s.status.activeOverrides : []);

/** What holds a target back, with the time left: override expiry, recovery hold, flip cooldown. */
function countdowns(s, target) {
  const lines = [];
  for (const o of activeOverrides(s).filter((x) => x.target === target)) {
    lines.push({ kind: o.action === 'serve' ? 'pin' : 'override', text: `${o.action === 'serve' ? 'PINNED serving (automation off)' : `${o.action} override`} ends in ${duration(o.expiresMs - s.nowMs)}` });
  }
  const proposed = s.proposals.filter((p) => p.seq !== null && p.targets[target]).map((p) => p.targets[target]);
  const hold = proposed.find((p) => p.cause === 'recovery-hold' && p.healthyQuorumSinceMs !== null);
  if (hold) lines.push({ kind: 'hold', text: `recovery hold: ${seconds(hold.healthyQuorumSinceMs + s.timings.recoveryHoldMs - s.nowMs)} left of ${s.timings.recoveryHoldMs / 1000} s` });
  const flipMs = s.lastDecision && s.lastDecision.lastFlipMs ? s.lastDecision.lastFlipMs[target] : null;
  if (flipMs !== null && flipMs !== undefined && flipMs + s.timings.flipCooldownMs > s.nowMs) lines.push({ kind: 'cooldown', text: `flip cooldown: ${seconds(flipMs + s.timings.flipCooldownMs - s.nowMs)} left` });
  return lines;
}

function updateRegions(s) {
  for (const target of s.targets) {
    const card = document.querySelector(`[data-region-card="${target}"]`);
    const w = s.weights.find((x) => x.target === target);
    const app = s.samples.find((x) => x.region === target);
    const drained = w.weight === 0;
    const decided = statusTargets(s).find((x) => x.target === target);
    setClass(card, `region${drained ? ' drained' : ''}`);
    const badge = card.querySelector('[data-state]');
    setText(badge, drained ? 'drained' : 'serving');
    setClass(badge, `state ${drained ? 'drained' : 'serving'}`);
    setText(card.querySelector('[data-weight]'), w.weight === null ? '–' : w.weight);
    card.querySelector('.bar > span').style.width = `${w.weight === null ? 0 : Math.round((100 * w.weight) / Math.max(1, w.configuredWeight))}%`;
    setText(card.querySelector('[data-app]'), `sample app ${app ? app.mode : 'none'} · decided ${decided ? decided.routing : '–'} · ${app ? app.requests : 0} probes answered`);
    for (const b of card.querySelectorAll('button[data-mode]')) b.classList.toggle('active', app !== undefined && app.mode === b.dataset.mode);
    syncList(card.querySelector('[data-countdowns]'), countdowns(s, target), (c) => c.kind, () => h('div', {}), (node, c) => {
      setText(node, c.text);
      setClass(node, `countdown ${c.kind}`);
    });
  }
}

function updateObservers(s) {
  const staleMs = s.timings.verdictFreshnessMs;
  const labels = { verdicts: 'verdicts written (probe)', proposal: 'proposal written (decide)', probeLoop: 'probe loop heartbeat' };
  for (const o of s.observerStates) {
    const badge = document.querySelector(`[data-observer-mode="${o.observer}"]`);
    setText(badge, o.mode);
    setClass(badge, `state ${o.mode === 'running' ? 'serving' : 'drained'}`);
    const beats = Object.keys(labels).filter((kind) => kind !== 'probeLoop' || o.heartbeats.probeLoop !== null).map((kind) => {
      const at = o.heartbeats[kind];
      const age = at === null ? null : s.nowMs - at;
      const stale = age === null || age > staleMs;
      return { kind, text: at === null ? `${labels[kind]}: not yet` : `${labels[kind]} ${seconds(age)} ago, ${utc(at)}${stale ? ' — stale' : ''}`, stale };
    });
    syncList(document.querySelector(`[data-beats="${o.observer}"]`), beats, (b) => b.kind, () => h('div', {}), (node, b) => {
      setText(node, b.text);
      setClass(node, b.stale ? 'beat stale-beat' : 'beat');
    });
    for (const b of document.querySelectorAll(`button[data-observer="${o.observer}"]`)) b.classList.toggle('active', b.dataset.observerMode === o.mode);
  }
}

function fact(label, value, key) {
  return { label, value, key: key || label };
}

function updateSafety(s) {
  const d = s.lastDecision;
  const facts = [
    fact('minServing', `${s.safety.minServing} (serving now: ${s.safety.serving})`),
    fact('maxDrained', `${s.safety.maxDrained} (drained now: ${s.safety.drained})`),
    fact('recovery hold / cooldown', `${s.timings.recoveryHoldMs / 1000} s / ${s.timings.flipCooldownMs / 1000} s`),
    fact('last decision', d === null ? 'none yet: every target at its configured weight' : `${d.decisionId} by ${d.observer} at ${utc(d.appliedMs)}`),
    fact('Route 53', d === null || d.lastChange === null ? 'no change yet' : `change ${d.lastChange.changeId}: ${d.lastChange.route53Status}, for ${d.lastChange.decisionId} by ${d.lastChange.observer} at ${utc(d.lastChange.appliedMs)}`),
    fact('operator API', `answered by ${s.apiObserver}`),
  ];
  syncList($('safety'), facts, (f) => f.key, () => h('div', {}, h('dt'), h('dd')), (node, f) => {
    setText(node.children[0], f.label);
    setText(node.children[1], f.value);
  });
}

function updateTables(s) {
  const q = `p${Math.round(s.timings.latencyQuantile * 100)}`;
  for (const c of s.matrix) {
    const cell = document.querySelector(`[data-cell="${c.observer}>${c.target}"]`);
    setClass(cell, `cell ${c.status}`);
    setText(cell.children[0], c.status);
    const over = c.quantileMs !== null && c.quantileMs > c.latencyMsMax;
    setText(cell.children[1], `${c.latencyMs === null ? '' : `last ${Math.round(c.latencyMs)} ms · `}${q} ${c.quantileMs === null ? '–' : Math.round(c.quantileMs)} / ${c.latencyMsMax} ms${over ? ' (over)' : ''}`);
    setText(cell.children[2], c.reason);
    setAttr(cell, 'title', c.reason);
  }
  const st = s.status.quorum !== undefined ? s.status : null;
  setText($('quorum'), st ? `quorum ${st.quorum} of ${s.observers.length}` : '');
  for (const t of s.targets) {
    for (const o of s.observers) {
      const p = s.proposals.find((x) => x.observer === o);
      const tp = p && p.seq !== null ? p.targets[t] : null;
      const cell = document.querySelector(`[data-proposal="${o}>${t}"]`);
      setClass(cell, tp ? `${tp.state}-cell` : 'unknown');
      setText(cell.children[0], tp ? tp.state : '–');
      setText(cell.children[1], tp ? tp.cause : '');
      setAttr(cell, 'title', tp ? tp.reason : '');
    }
    const tally = st ? (st.targets.find((x) => x.target === t) || {}).tally : null;
    setText(document.querySelector(`[data-tally="${t}"]`), tally ? ['unhealthy', 'suspect', 'healthy', 'unknown'].filter((k) => tally[k] > 0).map((k) => `${tally[k]} ${k}`).join(', ') : '');
  }
}

function updateLists(s) {
  const overrides = activeOverrides(s);
  syncList($('pins'), overrides.filter((o) => o.action === 'serve'), (o) => o.id, (o) => h('div', { class: 'pin', 'data-pin': o.target }, h('span'), button('End pin', { action: 'end', 'override-id': o.id })), (node, o) => {
    setText(node.children[0], `PINNED SERVING: ${o.target} until ${utc(o.expiresMs)} by ${o.actor}. Automation is OFF for ${o.target}: it stays serving even if it fails.`);
  });
  syncList($('overrides'), overrides, (o) => o.id, (o) => h('div', { class: 'item', 'data-override': o.target }, h('div', { class: 'title' }, h('span'), button('End', { action: 'end', 'override-id': o.id })), h('div', { class: 'detail' })), (node, o) => {
    setClass(node, `item${o.action === 'serve' ? ' pinned' : ''}`);
    setText(node.querySelector('.title > span'), `${o.action === 'serve' ? 'PIN serve' : o.action} ${o.target}${o.force ? ' (forced)' : ''} · ends in ${duration(o.expiresMs - s.nowMs)}`);
    setText(node.querySelector('.detail'), `${o.id} · by ${o.actor} · until ${utc(o.expiresMs)} · ${o.reason}`);
  });
  syncList($('drills'), s.drills, (d) => d.id, () => h('div', { class: 'item' }, h('div', { class: 'title' }), h('div', { class: 'detail' })), (node, d) => {
    const rto = d.rtoMs === null ? '' : ` · ${d.mode === 'shadow' ? 'predicted ' : ''}RTO ${(d.rtoMs / 1000).toFixed(1)} s of ${d.rtoSecondsMax} s`;
    setText(node.children[0], `${d.mode} ${d.target}: ${d.status}${d.mode === 'evacuate' ? ` · hold ${d.holdSeconds} s` : ''}${rto}`);
    const phases = d.phases.map((p) => `${p.name}${p.durationMs === null ? ' (did not complete)' : ` ${(p.durationMs / 1000).toFixed(1)} s`}`).join(' → ');
    setText(node.children[1], `${d.id} · ${utc(d.startedMs)} · ${phases}${d.problems.length ? ` · ${d.problems.join('; ')}` : ''}`);
    setAttr(node, 'data-drill-status', d.status);
  });
  syncList($('audit').tBodies[0], s.audit, (e) => e.id, () => h('tr', {}, h('td'), h('td'), h('td'), h('td'), h('td')), (node, e) => {
    [utc(e.atMs), e.observer, e.kind, e.actor, e.summary].forEach((v, i) => setText(node.children[i], v));
  });
}

function updateTimeline(entries) {
  const list = $('timeline');
  for (const e of entries) {
    if (list.querySelector(`[data-key="${e.seq}"]`) !== null) continue;
    const node = h('li', { class: e.kind, 'data-key': String(e.seq) }, h('time', {}, utc(e.atMs).replace(' UTC', '')), h('span', { class: 'who' }, e.observer || 'local'), h('span', { class: 'what' }, e.text));
    list.insertBefore(node, list.firstElementChild);
  }
  while (list.children.length > timelineShownMax) list.lastElementChild.remove();
}

function setConnected(connected, why) {
  ui.connected = connected;
  document.body.classList.toggle('stale', !connected);
  for (const b of document.querySelectorAll('button[data-action]')) if (b.dataset.action !== 'clear-problems') b.disabled = !connected;
  setText($('live'), connected ? 'live' : `disconnected${why ? ` (${why})` : ''}: data below is stale`);
  setClass($('live'), connected ? 'live on' : 'live');
}

function apply(s) {
  ui.state = s;
  ui.lastMessageMs = Date.now();
  if (!ui.built) build(s);
  setText($('name'), `${s.name} · ${s.observers.length} observers · probe every ${s.timings.probeIntervalMs / 1000} s`);
  setText($('clock'), utc(s.nowMs));
  updateRegions(s);
  updateObservers(s);
  updateSafety(s);
  updateTables(s);
  updateLists(s);
  updateTimeline(s.timeline);
  renderProblems();
  if (!ui.connected) setConnected(true);
}

function connect() {
  const stream = new EventSource('/local/events');
  stream.addEventListener('state', (message) => apply(JSON.parse(message.data)));
  stream.addEventListener('problem', (message) => problem(`state unreadable: ${JSON.parse(message.data).error}`));
  stream.addEventListener('error', () => {
    if (ui.connected) setConnected(false, 'the local run does not answer');
  });
}

setInterval(() => {
  if (ui.connected && Date.now() - ui.lastMessageMs > staleAfterMs) setConnected(false, `no update for ${Math.round(staleAfterMs / 1000)} s`);
}, 1000);
$('clear-problems').dataset.action = 'clear-problems';
connect();
