// Arbiter local dashboard: polls /local/state once a second and renders it. No external assets.
/* global document */
'use strict';
const pollIntervalMs = 1000;
const timelineShownMax = 200;
const overrideTtlSeconds = 600;
const state = { afterSeq: 0, timeline: [], last: null, busy: false };

const $ = (id) => document.getElementById(id);
const esc = (value) => String(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
const clock = (ms) => new Date(ms).toISOString().slice(11, 19);

function toast(text) {
  const el = $('toast');
  el.textContent = text;
  el.classList.add('show');
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => el.classList.remove('show'), 4000);
}

async function api(method, path, body) {
  const headers = { 'content-type': 'application/json', 'x-arbiter-actor': 'dashboard' };
  if (method === 'POST') headers['idempotency-key'] = crypto.randomUUID();
  const response = await fetch(`/api/${state.last.apiObserver}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const json = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(json.error || `HTTP ${response.status}`);
  return json;
}

async function setMode(region, mode) {
  const response = await fetch(`/local/samples/${region}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ mode }) });
  toast(response.ok ? `Sample app in ${region} is now ${mode}` : `Could not switch ${region}: HTTP ${response.status}`);
  poll();
}

async function drain(region) {
  try {
    const answer = await api('POST', '/overrides', { target: region, action: 'drain', ttlSeconds: overrideTtlSeconds, reason: 'drained from the local dashboard' });
    toast(`Drain override ${answer.override.id} on ${region} for ${overrideTtlSeconds / 60} min`);
  } catch (error) {
    toast(`Drain refused: ${error.message}`);
  }
}

// Restore: end the target's drain override(s), and nothing else.
async function restore(region) {
  try {
    const { overrides } = await api('GET', '/overrides');
    const drains = overrides.filter((o) => o.target === region && o.action === 'drain');
    if (drains.length === 0) {
      toast(`${region} has no drain override: nothing to restore, nothing changed (automation or a pin decides it)`);
      return;
    }
    for (const o of drains) await api('DELETE', `/overrides/${encodeURIComponent(o.id)}?reason=${encodeURIComponent('restored from the local dashboard')}`);
    toast(`Ended drain override ${drains.map((o) => o.id).join(', ')} on ${region}`);
  } catch (error) {
    toast(`Restore failed: ${error.message}`);
  }
}

// Pin: a serve override, which switches automation off for the target; the API's warning says so.
async function pin(region) {
  try {
    const answer = await api('POST', '/overrides', { target: region, action: 'serve', ttlSeconds: overrideTtlSeconds, reason: 'pinned serving from the local dashboard' });
    toast(`Pinned ${region} serving (${answer.override.id}): ${(answer.warnings || [])[0] || 'automation is off for it'}`);
  } catch (error) {
    toast(`Pin refused: ${error.message}`);
  }
}

async function endOverride(id) {
  try {
    const answer = await api('DELETE', `/overrides/${encodeURIComponent(id)}?reason=${encodeURIComponent('ended from the local dashboard')}`);
    toast(`Ended ${answer.override.action} override ${id} on ${answer.override.target}`);
  } catch (error) {
    toast(`Could not end ${id}: ${error.message}`);
  }
}

async function drill(region) {
  try {
    const answer = await api('POST', '/drills', { target: region, mode: 'evacuate', holdSeconds: 30 });
    toast(`Evacuate drill ${answer.drill.id} started on ${region}`);
  } catch (error) {
    toast(`Drill refused: ${error.message}`);
  }
}

function routingOf(s, target) {
  const t = s.status.targets && s.status.targets.find((x) => x.target === target);
  return t ? t.routing : 'serving';
}

function renderRegions(s) {
  $('regions').innerHTML = s.targets.map((target) => {
    const w = s.weights.find((x) => x.target === target);
    const app = s.samples.find((x) => x.region === target);
    const weight = w.weight === null ? '–' : w.weight;
    const drained = w.weight === 0;
    const pct = w.weight === null ? 0 : Math.round((100 * w.weight) / Math.max(1, w.configuredWeight));
    const modes = ['healthy', 'down', 'slow', 'flaky'].map((m) => `<button data-mode="${m}" data-region="${esc(target)}" class="${app && app.mode === m ? 'active' : ''}">${m === 'healthy' ? 'Heal' : m[0].toUpperCase() + m.slice(1)}</button>`).join('');
    return `<div class="region ${drained ? 'drained' : ''}" data-region-card="${esc(target)}">
      <div class="region-head"><span class="region-name">${esc(target)}</span><span class="state ${drained ? 'drained' : 'serving'}" data-state="${esc(target)}">${drained ? 'drained' : 'serving'}</span></div>
      <div class="weight"><div class="bar"><span style="width:${pct}%"></span></div><span class="weight-value">weight <span data-weight="${esc(target)}">${esc(weight)}</span></span></div>
      <div class="app">sample app: <span class="mode ${app ? app.mode : ''}" data-mode-of="${esc(target)}">${app ? app.mode : 'none'}</span> · decided ${esc(routingOf(s, target))} · ${app ? app.requests : 0} probes answered</div>
      <div class="buttons">${modes}</div>
      <div class="buttons"><button class="danger" data-action="drain" data-region="${esc(target)}">Drain</button><button class="primary" data-action="restore" data-region="${esc(target)}">Restore</button><button data-action="drill" data-region="${esc(target)}">Evacuate drill</button><button data-action="pin" data-region="${esc(target)}" title="serve override: automation is off for this target">Pin serving</button></div>
    </div>`;
  }).join('');
}

function renderMatrix(s) {
  const head = `<tr><th>observer ↓ target →</th>${s.targets.map((t) => `<th>${esc(t)}</th>`).join('')}</tr>`;
  const rows = s.observers.map((o) => `<tr><th>${esc(o)}</th>${s.targets.map((t) => {
    const c = s.matrix.find((x) => x.observer === o && x.target === t);
    const latency = c.latencyMs === null ? '' : `${Math.round(c.latencyMs)} ms`;
    return `<td class="cell ${c.status}" data-cell="${esc(o)}>${esc(t)}" title="${esc(c.reason)}">${c.status} <span class="tally">${latency}</span><small>${esc(c.reason)}</small></td>`;
  }).join('')}</tr>`).join('');
  $('matrix').innerHTML = head + rows;
}

function renderProposals(s) {
  const st = s.status.targets ? s.status : null;
  $('quorum').textContent = st ? `quorum ${st.quorum} of ${s.observers.length}` : '';
  const head = `<tr><th>target ↓ observer →</th>${s.observers.map((o) => `<th>${esc(o)}</th>`).join('')}<th>tally</th></tr>`;
  const rows = s.targets.map((t) => {
    const tally = st ? st.targets.find((x) => x.target === t).tally : null;
    const cells = s.observers.map((o) => {
      const p = s.proposals.find((x) => x.observer === o);
      const tp = p && p.seq !== null ? p.targets[t] : null;
      if (!tp) return '<td class="unknown">–</td>';
      return `<td class="${tp.state}-cell" title="${esc(tp.reason)}">${tp.state}<small>${esc(tp.cause)}</small></td>`;
    }).join('');
    const tallyText = tally ? ['unhealthy', 'suspect', 'healthy', 'unknown'].filter((k) => tally[k] > 0).map((k) => `${tally[k]} ${k}`).join('<br>') : '';
    return `<tr><th>${esc(t)}</th>${cells}<td class="tally">${tallyText}</td></tr>`;
  }).join('');
  $('proposals').innerHTML = head + rows;
}

function renderTimeline() {
  $('timeline').innerHTML = state.timeline.slice().reverse().map((e) => `<li class="${e.kind}"><time>${clock(e.atMs)}</time><span class="who">${esc(e.observer || 'local')}</span><span class="what">${esc(e.text)}</span></li>`).join('');
}

function renderLists(s) {
  const overrides = s.status.activeOverrides || [];
  const pins = overrides.filter((o) => o.action === 'serve');
  $('pins').innerHTML = pins.map((o) => `<div class="pin" data-pin="${esc(o.target)}"><b>PINNED SERVING: ${esc(o.target)}</b> until ${clock(o.expiresMs)} UTC by ${esc(o.actor)} — automation is OFF for ${esc(o.target)}: it stays serving even if it fails. <button data-action="end" data-override-id="${esc(o.id)}">End pin</button></div>`).join('');
  $('overrides').innerHTML = overrides.length === 0 ? '<div class="empty">No active override: automation decides.</div>' : overrides.map((o) => `<div class="item ${o.action === 'serve' ? 'pinned' : ''}" data-override="${esc(o.target)}"><div class="title">${o.action === 'serve' ? 'PIN serve' : esc(o.action)} ${esc(o.target)}${o.force ? ' (forced)' : ''} <button data-action="end" data-override-id="${esc(o.id)}">End</button></div><div class="detail">${esc(o.id)} · by ${esc(o.actor)} · expires ${clock(o.expiresMs)} UTC · ${esc(o.reason)}</div></div>`).join('');
  $('drills').innerHTML = s.drills.length === 0 ? '<div class="empty">No drill yet.</div>' : s.drills.map((d) => `<div class="item"><div class="title">${esc(d.mode)} ${esc(d.target)}: ${esc(d.status)}${d.rtoMs === null ? '' : ` · RTO ${(d.rtoMs / 1000).toFixed(1)} s of ${d.rtoSecondsMax} s`}</div><div class="detail">${esc(d.id)} · ${clock(d.startedMs)} · ${d.phases.map((p) => `${esc(p.name)}${p.durationMs === null ? '' : ` ${(p.durationMs / 1000).toFixed(1)} s`}`).join(' → ')}${d.problems.length ? ` · ${esc(d.problems.join('; '))}` : ''}</div></div>`).join('');
}

async function poll() {
  if (state.busy) return;
  state.busy = true;
  try {
    const response = await fetch(`/local/state?after=${state.afterSeq}`);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const s = await response.json();
    state.last = s;
    for (const e of s.timeline) state.timeline.push(e);
    if (state.timeline.length > timelineShownMax) state.timeline.splice(0, state.timeline.length - timelineShownMax);
    if (s.timeline.length > 0) state.afterSeq = s.timeline[s.timeline.length - 1].seq;
    $('name').textContent = `${s.name} · ${s.observers.length} observers · probe every ${s.timings.probeIntervalMs / 1000} s`;
    $('clock').textContent = clock(s.nowMs);
    $('live').textContent = 'live';
    $('live').className = 'live on';
    renderRegions(s);
    renderMatrix(s);
    renderProposals(s);
    renderTimeline();
    renderLists(s);
  } catch (error) {
    $('live').textContent = `disconnected (${error.message})`;
    $('live').className = 'live';
  } finally {
    state.busy = false;
  }
}

document.addEventListener('click', (event) => {
  const button = event.target.closest('button');
  if (!button || !state.last) return;
  const region = button.dataset.region;
  if (button.dataset.mode) setMode(region, button.dataset.mode);
  else if (button.dataset.action === 'drain') drain(region).then(poll);
  else if (button.dataset.action === 'restore') restore(region).then(poll);
  else if (button.dataset.action === 'drill') drill(region).then(poll);
  else if (button.dataset.action === 'pin') pin(region).then(poll);
  else if (button.dataset.action === 'end') endOverride(button.dataset.overrideId).then(poll);
});

poll();
setInterval(poll, pollIntervalMs);
