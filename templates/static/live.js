// Live leaderboard client for the big screen, the phone view and the
// leaderboard page. Protocol: docs/live.md. A snapshot replaces the board;
// an update applies only on top of the revision it names ("from"),
// otherwise the client asks the server for what it missed. Reconnects
// resume from the last revision; after repeated failures it polls the JSON
// board instead.
(function () {
  'use strict';
  const root = document.querySelector('[data-live]');
  if (!root) return;

  // stream follows one view of an event's board and calls onBoard(board,
  // revision) after every change, onStatus(state, text) when the
  // connection comes or goes.
  function stream(code, view, onBoard, onStatus) {
    const api = '/api/v1/events/' + encodeURIComponent(code);
    let epoch = '';
    let revision = -1;
    let board = null;
    let askedAt = null; // the revision a resync was requested from
    let failures = 0;
    let pollTimer = null;

    function connect() {
      const proto = location.protocol === 'https:' ? 'wss://' : 'ws://';
      let url = proto + location.host + api + '/live?view=' + encodeURIComponent(view);
      if (epoch) url += '&epoch=' + encodeURIComponent(epoch) + '&since=' + revision;
      const ws = new WebSocket(url);
      ws.onopen = function () {
        failures = 0;
        onStatus('ok', '实时');
        stopPolling();
      };
      ws.onmessage = function (e) {
        let msg;
        try { msg = JSON.parse(e.data); } catch (_) { return; }
        handle(msg, ws);
      };
      ws.onclose = function () {
        failures++;
        onStatus('down', '重新连接中');
        if (view === 'chief') checkLogin();
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
        onBoard(board, revision, true);
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
      onBoard(board, revision, false);
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

    // The chief judge's view rides on a login: once it has ended (a logout
    // elsewhere, an expired session) reconnecting can never succeed, so go
    // to the login page and come back here.
    function checkLogin() {
      fetch(api + '/board?view=chief', { cache: 'no-cache' })
        .then(function (r) {
          // 403: the browser's login is now another role's; logging in as
          // the chief judge again is the way back too.
          if (r.status === 401 || r.status === 403) location.href = '/login?next=' + encodeURIComponent(location.pathname + location.search);
        })
        .catch(function () {});
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

    connect();
  }

  // score shows a module score; "" is a module nobody has marked yet.
  function score(s) { return s === '' ? '—' : s; }

  // The award, or a status (缺考, 取消资格 …) with its reason beneath.
  function awardCell(td, r) {
    td.textContent = r.award || '';
    if (r.status_reason) td.append(el('small', 'status-note', r.status_reason));
    return td;
  }

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // liveBoard renders the big screen and the phone view from scratch on
  // every change (rows slide to their new places).
  function liveBoard() {
    const bigscreen = root.dataset.live === 'bigscreen';
    const groupsEl = root.querySelector('.live-groups');
    const tabsEl = root.querySelector('.live-tabs');
    const progressEl = root.querySelector('.live-progress b');
    const modeEl = root.querySelector('.live-mode');
    const roundEl = root.querySelector('.live-round');
    const statusEl = root.querySelector('.live-status');
    const clockEl = root.querySelector('.live-clock');
    const rotateMs = 1000 * (Number(root.dataset.rotate) || 10);
    let board = null;
    let revision = -1;
    let active = location.hash.slice(1); // the group shown
    const ranks = new Map(); // key -> rank last shown, for the arrows
    const shownRows = new Map(); // group -> rows shown at the last render

    function setStatus(state, text) {
      statusEl.dataset.state = state;
      statusEl.textContent = text;
    }

    // revealing is the group the ceremony is revealing: the one shown while
    // it still has places to reveal or has just revealed one, else the first
    // with places left. The screen stays on it instead of turning.
    function revealing() {
      const cur = board.groups.find(function (g) { return g.code === active; });
      const grew = function (g) { return shownRows.has(g.code) && g.rows.length > shownRows.get(g.code); };
      if (cur && (cur.hidden > 0 || grew(cur))) return active;
      const next = board.groups.find(function (g) { return g.hidden > 0; });
      return next ? next.code : active;
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
      // an event with rounds shows its current round, standings so far
      if (roundEl) {
        roundEl.hidden = !board.round;
        roundEl.textContent = board.round ? board.round.name + '排名' + (board.round.after ? '（' + board.round.after + ' 之后）' : '') : '';
      }
      modeEl.hidden = !modeText[board.mode];
      modeEl.textContent = modeText[board.mode] || '';
      if (!board.groups.some(function (g) { return g.code === active; })) {
        active = board.groups.length ? board.groups[0].code : '';
      }
      if (bigscreen && board.mode === 'ceremony') active = revealing(); // a phone keeps the tab its holder chose
      root.dataset.active = active;
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
      root.dataset.active = active;
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
      head.append(el('th', 'num total', board.round ? '本轮成绩' : '总成绩'), el('th', 'award', '奖项'));
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
      r.scores.forEach(function (s) { tr.append(el('td', 'num module', score(s))); });
      tr.append(el('td', 'num total', r.total), awardCell(el('td', 'award'), r));
      return tr;
    }

    // The big screen turns through the groups by itself, scrolling a long
    // group a screenful at a time; during the ceremony it stays on the
    // group being revealed.
    if (bigscreen) {
      let ticks = 0;
      setInterval(function () {
        root.dataset.ticks = String(++ticks);
        if (!board || !board.groups.length || board.mode === 'ceremony') return;
        const sec = groupsEl.querySelector('.live-group[data-group="' + active + '"]');
        if (sec && sec.scrollTop + sec.clientHeight < sec.scrollHeight - 4) {
          sec.scrollTo({ top: sec.scrollTop + sec.clientHeight * 0.8, behavior: 'smooth' });
          return;
        }
        const i = board.groups.findIndex(function (g) { return g.code === active; });
        show(board.groups[(i + 1) % board.groups.length].code);
      }, rotateMs);
    }
    if (clockEl) {
      const tick = function () {
        clockEl.textContent = new Date().toLocaleTimeString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false });
      };
      tick();
      setInterval(tick, 1000);
    }
    stream(root.dataset.event, root.dataset.view || 'public', function (b, rev) {
      board = b;
      revision = rev;
      render();
      board.groups.forEach(function (g) { shownRows.set(g.code, g.rows.length); });
    }, setStatus);
  }

  // leaderboard updates the server-rendered 成绩排行 page in place: rows
  // are moved and their cells rewritten, never rebuilt, so an opened
  // 成绩说明 stays open. Reasons come from the standings document, fetched
  // after each change. A change of the board's shape (mode, publication,
  // modules, groups) reloads the page, which renders the new columns.
  function leaderboard() {
    const code = root.dataset.event;
    const view = root.dataset.view || 'public';
    const statusEl = root.querySelector('.live-status');
    const progressEl = root.querySelector('.lb-progress');
    const api = '/api/v1/events/' + encodeURIComponent(code);
    const shape = [root.dataset.mode, root.dataset.published, root.dataset.modules, root.dataset.groups].join('|');
    const ranks = new Map();
    let fetching = false;
    let again = false;

    function boardShape(b) {
      return [b.mode, b.published ? 'yes' : 'no', b.modules.map(function (m) { return m.code; }).join(','),
        b.groups.map(function (g) { return g.code; }).join(',')].join('|');
    }

    function cell(tr, cls, tag) {
      let td = tr.querySelector('td.' + cls);
      if (!td) {
        td = el(tag || 'td', cls);
        tr.append(td);
      }
      return td;
    }

    function fillRow(tr, r, b) {
      tr.dataset.key = r.key;
      tr.dataset.code = r.code;
      tr.classList.toggle('partial', !r.complete);
      const prev = ranks.get(r.key);
      if (prev !== undefined && prev !== r.rank) {
        tr.classList.remove('moved');
        tr.getBoundingClientRect();
        tr.classList.add('moved');
      }
      ranks.set(r.key, r.rank);
      cell(tr, 'rank').textContent = r.rank ? String(r.rank) : '—';
      const who = cell(tr, 'code');
      who.textContent = r.code;
      if (r.draft) who.append(' ', el('small', 'draft', '草稿'));
      if (b.published) {
        cell(tr, 'name').textContent = r.name || '';
        cell(tr, 'org').textContent = r.org || '';
      }
      let mods = tr.querySelectorAll('td.module');
      if (mods.length !== b.modules.length) {
        mods.forEach(function (td) { td.remove(); });
        b.modules.forEach(function (m) {
          const td = el('td', 'num module');
          td.dataset.label = m.name;
          tr.append(td);
        });
        mods = tr.querySelectorAll('td.module');
      }
      r.scores.forEach(function (s, i) {
        const td = mods[i];
        td.textContent = score(s);
        td.title = s === '' ? '尚无评分' : '';
      });
      // total and award stay the last cells
      const total = cell(tr, 'total');
      total.classList.add('num');
      total.textContent = r.total;
      const award = awardCell(cell(tr, 'award'), r);
      tr.append(total, award); // total and award stay the last cells
    }

    function info(text) {
      const tr = el('tr', 'lb-info');
      const td = el('td', 'empty', text);
      td.colSpan = 20;
      tr.append(td);
      return tr;
    }

    function render(b, rev) {
      if (boardShape(b) !== shape) {
        // Once per revision: a page that still differs after reloading
        // (it should not) goes on updating the rows it has.
        const mark = 'skillscore-reloaded-' + code + '-' + view;
        if (sessionStorage.getItem(mark) !== String(rev)) {
          sessionStorage.setItem(mark, String(rev));
          location.reload();
          return;
        }
      }
      progressEl.textContent = b.progress.done + '/' + b.progress.expected;
      const roundEl = root.querySelector('#round');
      if (roundEl && b.round) roundEl.textContent = b.round.name + '排名' + (b.round.after ? '（' + b.round.after + ' 之后）' : '');
      for (const g of b.groups) {
        const table = root.querySelector('table.standings[data-group="' + g.code + '"]');
        if (!table) continue;
        const tbody = table.tBodies[0];
        const rows = new Map();
        tbody.querySelectorAll('tr[data-key]').forEach(function (tr) { rows.set(tr.dataset.key, tr); });
        const reasons = new Map();
        tbody.querySelectorAll('tr.reasons').forEach(function (tr) { reasons.set(tr.dataset.for, tr); });
        tbody.querySelectorAll('tr.lb-info').forEach(function (tr) { tr.remove(); });
        if (g.hidden) tbody.append(info('另有 ' + g.hidden + ' 人尚未揭晓'));
        const keep = new Set();
        for (const r of g.rows) {
          let tr = rows.get(r.key);
          if (!tr) tr = el('tr');
          fillRow(tr, r, b);
          tbody.append(tr); // moves an existing row, details and all
          keep.add(r.key);
          const why = reasons.get(r.key);
          if (why) tbody.append(why);
        }
        rows.forEach(function (tr, key) { if (!keep.has(key)) tr.remove(); });
        reasons.forEach(function (tr, key) { if (!keep.has(key)) tr.remove(); });
        if (!g.rows.length && !g.hidden) tbody.append(info('本组暂无选手'));
        const count = root.querySelector('#group-' + CSS.escape(g.code) + ' .lb-count');
        if (count) count.textContent = g.rows.length + ' 人' + (g.hidden ? '，另有 ' + g.hidden + ' 人尚未揭晓' : '');
      }
      reasonsFromStandings();
    }

    // reasonsFromStandings rewrites each row's 成绩说明 list from the
    // standings document, leaving the <details> (and whether it is open)
    // alone. One fetch at a time; a change meanwhile fetches once more.
    function reasonsFromStandings() {
      if (fetching) {
        again = true;
        return;
      }
      fetching = true;
      fetch(api + '/standings?view=' + encodeURIComponent(view), { cache: 'no-cache' })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (doc) {
          if (!doc) return;
          for (const c of doc.contestants || []) {
            const tr = root.querySelector('tr[data-key="' + CSS.escape(c.key) + '"]');
            if (!tr) continue;
            const texts = (c.reasons || []).map(function (x) { return x.text; });
            let why = tr.nextElementSibling;
            if (!why || !why.classList.contains('reasons') || why.dataset.for !== c.key) why = null;
            if (!texts.length) {
              if (why) why.remove();
              continue;
            }
            if (!why) {
              why = el('tr', 'reasons');
              why.dataset.for = c.key;
              const td = el('td');
              td.colSpan = 20;
              const details = el('details');
              details.append(el('summary', '', '成绩说明'), el('ul'));
              td.append(details);
              why.append(el('td', 'pad'), td);
              tr.after(why);
            }
            const ul = why.querySelector('ul');
            const now = Array.from(ul.children).map(function (li) { return li.textContent; });
            if (now.join('\n') === texts.join('\n')) continue;
            ul.replaceChildren.apply(ul, texts.map(function (t) { return el('li', '', t); }));
          }
        })
        .catch(function () {})
        .finally(function () {
          fetching = false;
          if (again) {
            again = false;
            reasonsFromStandings();
          }
        });
    }

    stream(code, view, function (b, rev) {
      root.dataset.revision = String(rev);
      render(b, rev);
    }, function (state, text) {
      statusEl.dataset.state = state;
      statusEl.textContent = text;
    });
  }

  if (root.dataset.live === 'leaderboard') leaderboard();
  else liveBoard();
})();
