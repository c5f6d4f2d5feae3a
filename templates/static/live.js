// Live leaderboard client for the big screen and the phone view. Protocol:
// docs/live.md. A snapshot replaces the board; an update applies only on top
// of the revision it names ("from"), otherwise the client asks the server
// for what it missed. Reconnects resume from the last revision; after
// repeated failures it polls the JSON board instead.
(function () {
  'use strict';
  const root = document.querySelector('[data-live]');
  if (!root) return;
  const code = root.dataset.event;
  const view = root.dataset.view || 'public';
  const bigscreen = root.dataset.live === 'bigscreen';
  const groupsEl = root.querySelector('.live-groups');
  const tabsEl = root.querySelector('.live-tabs');
  const progressEl = root.querySelector('.live-progress b');
  const modeEl = root.querySelector('.live-mode');
  const statusEl = root.querySelector('.live-status');
  const clockEl = root.querySelector('.live-clock');

  let epoch = '';
  let revision = -1;
  let board = null;
  let askedAt = null; // the revision a resync was requested from
  let failures = 0;
  let pollTimer = null;
  let active = location.hash.slice(1); // the group shown
  const ranks = new Map(); // key -> rank last shown, for the arrows

  const api = '/api/v1/events/' + encodeURIComponent(code);

  function setStatus(state, text) {
    statusEl.dataset.state = state;
    statusEl.textContent = text;
  }

  function connect() {
    const proto = location.protocol === 'https:' ? 'wss://' : 'ws://';
    let url = proto + location.host + api + '/live?view=' + encodeURIComponent(view);
    if (epoch) url += '&epoch=' + encodeURIComponent(epoch) + '&since=' + revision;
    const ws = new WebSocket(url);
    ws.onopen = function () {
      failures = 0;
      setStatus('ok', '实时');
      stopPolling();
    };
    ws.onmessage = function (e) {
      let msg;
      try { msg = JSON.parse(e.data); } catch (_) { return; }
      handle(msg, ws);
    };
    ws.onclose = function () {
      failures++;
      setStatus('down', '重新连接中');
      if (failures >= 3) startPolling();
      setTimeout(connect, Math.min(10000, 1000 * failures));
    };
  }

  function handle(msg, ws) {
    if (msg.type === 'snapshot') {
      epoch = msg.epoch;
      revision = msg.revision;
      board = msg.board;
      askedAt = null;
      render();
      return;
    }
    if (msg.type !== 'update' || !board) return;
    if (msg.epoch !== epoch || msg.from !== revision) {
      // A gap: ask once for what we missed since our revision.
      if (ws && ws.readyState === WebSocket.OPEN && askedAt !== revision) {
        askedAt = revision;
        ws.send(JSON.stringify({ type: 'resync', epoch: epoch, revision: revision }));
      }
      return;
    }
    apply(msg);
    revision = msg.revision;
    askedAt = null;
    render();
  }

  function apply(msg) {
    board.progress = msg.progress;
    for (const d of msg.groups || []) {
      const g = board.groups.find(function (x) { return x.code === d.code; });
      if (!g) continue;
      const byKey = new Map(g.rows.map(function (r) { return [r.key, r]; }));
      for (const r of d.rows || []) byKey.set(r.key, r);
      const order = d.order || g.rows.map(function (r) { return r.key; });
      g.rows = order.map(function (k) { return byKey.get(k); }).filter(Boolean);
      g.hidden = d.hidden || 0;
    }
  }

  function startPolling() {
    if (pollTimer) return;
    const poll = function () {
      fetch(api + '/board?view=' + encodeURIComponent(view), { cache: 'no-cache' })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (msg) {
          if (msg && msg.type === 'snapshot' && (msg.epoch !== epoch || msg.revision !== revision)) handle(msg, null);
        })
        .catch(function () {});
    };
    poll();
    pollTimer = setInterval(poll, 2000);
  }

  function stopPolling() {
    if (pollTimer) clearInterval(pollTimer);
    pollTimer = null;
  }

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  const modeText = {
    frozen: '成绩已封榜 · 最终名次将在颁奖时揭晓',
    ceremony: '颁奖揭晓中'
  };

  function render() {
    root.dataset.revision = String(revision);
    root.dataset.mode = board.mode;
    root.dataset.published = board.published ? 'yes' : 'no';
    progressEl.textContent = board.progress.done + '/' + board.progress.expected;
    modeEl.hidden = !modeText[board.mode];
    modeEl.textContent = modeText[board.mode] || '';
    if (!board.groups.some(function (g) { return g.code === active; })) {
      active = board.groups.length ? board.groups[0].code : '';
    }
    // FLIP: remember where each row was, render, then slide rows from
    // their old place to the new one.
    const before = new Map();
    groupsEl.querySelectorAll('tr[data-key]').forEach(function (tr) {
      const box = tr.getBoundingClientRect();
      if (box.height) before.set(tr.closest('table').dataset.group + '/' + tr.dataset.key, box.top);
    });
    renderTabs();
    groupsEl.replaceChildren.apply(groupsEl, board.groups.map(renderGroup));
    groupsEl.querySelectorAll('tr[data-key]').forEach(function (tr) {
      const old = before.get(tr.closest('table').dataset.group + '/' + tr.dataset.key);
      const box = tr.getBoundingClientRect();
      if (old === undefined || !box.height || old === box.top) return;
      tr.style.transform = 'translateY(' + (old - box.top) + 'px)';
      tr.getBoundingClientRect();
      tr.style.transition = 'transform 0.8s ease';
      tr.style.transform = '';
    });
  }

  function renderTabs() {
    tabsEl.replaceChildren.apply(tabsEl, board.groups.map(function (g) {
      const b = el('button', g.code === active ? 'active' : '', g.name);
      b.type = 'button';
      b.setAttribute('role', 'tab');
      b.setAttribute('aria-selected', g.code === active ? 'true' : 'false');
      b.addEventListener('click', function () { show(g.code); });
      return b;
    }));
  }

  function show(groupCode) {
    active = groupCode;
    if (!bigscreen) history.replaceState(null, '', '#' + groupCode);
    groupsEl.querySelectorAll('.live-group').forEach(function (s) {
      s.hidden = s.dataset.group !== active;
      s.scrollTop = 0;
    });
    tabsEl.querySelectorAll('button').forEach(function (b, i) {
      const on = board.groups[i].code === active;
      b.className = on ? 'active' : '';
      b.setAttribute('aria-selected', on ? 'true' : 'false');
    });
  }

  function renderGroup(g) {
    const sec = el('div', 'live-group');
    sec.dataset.group = g.code;
    sec.hidden = g.code !== active;
    const table = el('table', 'live-table');
    table.dataset.group = g.code;
    const head = el('tr');
    head.append(el('th', 'rank', '名次'), el('th', 'who', board.published ? '选手' : '参赛编号'));
    if (board.published) head.append(el('th', 'org', '单位'));
    for (const m of board.modules) head.append(el('th', 'num module', m.name));
    head.append(el('th', 'num total', '总成绩'), el('th', 'award', '奖项'));
    const thead = el('thead');
    thead.append(head);
    const tbody = el('tbody');
    if (g.hidden) {
      const tr = el('tr', 'hidden-rows');
      const td = el('td', '', '尚有 ' + g.hidden + ' 名待揭晓');
      td.colSpan = 4 + board.modules.length + (board.published ? 1 : 0);
      tr.append(td);
      tbody.append(tr);
    }
    for (const r of g.rows) tbody.append(renderRow(r));
    if (!g.rows.length && !g.hidden) {
      const tr = el('tr');
      const td = el('td', 'empty', '本组暂无选手');
      td.colSpan = 4 + board.modules.length;
      tr.append(td);
      tbody.append(tr);
    }
    table.append(thead, tbody);
    sec.append(table);
    return sec;
  }

  function renderRow(r) {
    const tr = el('tr', r.complete ? '' : 'partial');
    tr.dataset.key = r.key;
    const prev = ranks.get(r.key);
    const rank = el('td', 'rank', r.rank ? String(r.rank) : '—');
    if (prev && r.rank && prev !== r.rank) {
      rank.append(el('span', prev > r.rank ? 'up' : 'down', prev > r.rank ? '▲' : '▼'));
      tr.classList.add('moved');
    }
    ranks.set(r.key, r.rank);
    const who = el('td', 'who');
    who.append(el('span', 'code', r.code));
    if (r.name) who.append(el('span', 'name', r.name));
    // A mark of a sheet its judge has not submitted counts in this row
    // (the chief judge's view, or an event with live draft marks).
    if (r.draft) who.append(el('span', 'draft', '草稿'));
    tr.append(rank, who);
    if (board.published) tr.append(el('td', 'org', r.org || ''));
    r.scores.forEach(function (s) { tr.append(el('td', 'num module', s)); });
    tr.append(el('td', 'num total', r.total), el('td', 'award', r.award || ''));
    return tr;
  }

  // The big screen turns through the groups by itself, scrolling a long
  // group a screenful at a time.
  if (bigscreen) {
    setInterval(function () {
      if (!board || !board.groups.length) return;
      const sec = groupsEl.querySelector('.live-group[data-group="' + active + '"]');
      if (sec && sec.scrollTop + sec.clientHeight < sec.scrollHeight - 4) {
        sec.scrollTo({ top: sec.scrollTop + sec.clientHeight * 0.8, behavior: 'smooth' });
        return;
      }
      const i = board.groups.findIndex(function (g) { return g.code === active; });
      show(board.groups[(i + 1) % board.groups.length].code);
    }, 10000);
  }
  if (clockEl) {
    const tick = function () {
      clockEl.textContent = new Date().toLocaleTimeString('zh-CN', { hour12: false });
    };
    tick();
    setInterval(tick, 1000);
  }
  connect();
})();
