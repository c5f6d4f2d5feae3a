// Judge tablet (docs/protocol.md). Every change is an operation with an id
// made here; operations wait in localStorage until the server acknowledges
// them (after its commit), survive reloads and lost Wi-Fi, and are replayed
// on reconnect: the server stores an id once, so a replay is harmless.
(function () {
  'use strict';

  var LS = window.localStorage;
  var KEY = {
    token: 'skillscore.judge.token',
    device: 'skillscore.judge.device',
    seq: 'skillscore.judge.seq',
    pending: 'skillscore.judge.pending',
    terms: 'skillscore.judge.terms',
    signKind: 'skillscore.judge.signkind' // 'digits' or 'text': which keyboard the signing secret needs (never the secret)
  };
  var MAX_INFLIGHT = 64;

  var S = {
    token: LS.getItem(KEY.token) || '',
    ws: null,
    connected: false,
    mode: 'ws',           // 'ws', or 'http' when the network blocks websockets
    wsFailures: 0,
    opened: false,
    welcome: null,
    server: {},           // "module|contestant" -> {status, marks: {aspect: "value"}}
    pending: loadPending(),
    inflight: {},
    current: null,        // {module, contestant}
    history: {},          // sheet key -> [{aspect, prev, op}]
    refused: {},          // "module|contestant|aspect" -> {text, message}: typed, not stored
    submitting: null,     // the op id of the submit awaiting its answer
    signWanted: false,    // the judge chose to set a signing PIN where the event does not require one
    signset: {first: '', text: false, busy: false},
    backoff: 500,
    lastMessage: 0,
    timer: null
  };
  window.__tablet = S; // for tests and support staff: the tablet's whole state

  function $(id) { return document.getElementById(id); }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) {
      if (k === 'class') e.className = attrs[k]; else e.setAttribute(k, attrs[k]);
    }
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // ---- operation ids and the pending queue --------------------------------

  function deviceId() {
    var d = LS.getItem(KEY.device);
    if (!d) {
      var b = new Uint8Array(8);
      crypto.getRandomValues(b); // works on plain-HTTP venue networks, unlike randomUUID
      d = Array.prototype.map.call(b, function (x) { return ('0' + x.toString(16)).slice(-2); }).join('');
      LS.setItem(KEY.device, d);
    }
    return d;
  }
  function nextOpId() {
    var n = parseInt(LS.getItem(KEY.seq) || '0', 10) + 1;
    LS.setItem(KEY.seq, String(n));
    return deviceId() + '-' + n;
  }
  function loadPending() {
    try { return JSON.parse(LS.getItem(KEY.pending) || '[]'); } catch (e) { return []; }
  }
  // Submits carry the PIN and stay in memory only; marks are persisted.
  function savePending() {
    LS.setItem(KEY.pending, JSON.stringify(S.pending.filter(function (o) { return o.type !== 'submit'; })));
  }

  function key(module, contestant) { return module + '|' + contestant; }

  // The sheet as the judge sees it: the server's marks with the pending
  // operations applied in order.
  function localMarks(module, contestant) {
    var sv = S.server[key(module, contestant)];
    var marks = {};
    if (sv) for (var a in sv.marks) marks[a] = sv.marks[a];
    S.pending.forEach(function (o) {
      if (o.module !== module || o.contestant !== contestant) return;
      if (o.type === 'mark') marks[o.aspect] = o.value;
      if (o.type === 'clear') delete marks[o.aspect];
    });
    return marks;
  }

  function enqueue(op) {
    S.pending.push(op);
    savePending();
    render();
    flush();
  }

  // value is the decimal's text, sent as it is: never through a float.
  function setMark(aspect, value) {
    var c = S.current;
    var k = key(c.module, c.contestant);
    var prev = localMarks(c.module, c.contestant)[aspect];
    var op = nextOpId();
    delete S.refused[k + '|' + aspect];
    (S.history[k] = S.history[k] || []).push({aspect: aspect, prev: prev, op: op});
    enqueue({op: op, type: 'mark', module: c.module, contestant: c.contestant, aspect: aspect, value: String(value)});
  }

  function undo() {
    var c = S.current;
    var k = key(c.module, c.contestant);
    var h = S.history[k];
    if (!h || !h.length) return;
    var last = h.pop();
    delete S.refused[k + '|' + last.aspect];
    if (last.prev === undefined) {
      enqueue({op: nextOpId(), type: 'clear', module: c.module, contestant: c.contestant, aspect: last.aspect});
    } else {
      enqueue({op: nextOpId(), type: 'mark', module: c.module, contestant: c.contestant, aspect: last.aspect, value: String(last.prev)});
    }
  }

  // ---- exact decimals ------------------------------------------------------
  // Typed values are checked and compared in 1/10000 units, as the server
  // keeps them, so what is stored is what was typed or nothing.

  var PLACES = 4, SCALE = 10000;

  // units reads a decimal's text: {units} or {bad: 'nan' | 'places' | 'big'}.
  function units(text) {
    var m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text);
    if (!m || (m[2] === '' && !m[3])) return {bad: 'nan'};
    var frac = m[3] || '';
    if (frac.length > PLACES) return {bad: 'places'};
    if (m[2].replace(/^0+/, '').length > 11) return {bad: 'big'};
    var u = parseInt(m[2] || '0', 10) * SCALE + parseInt((frac + '0000').slice(0, PLACES), 10);
    return {units: m[1] === '-' ? -u : u};
  }
  function text(u) {
    var neg = u < 0;
    if (neg) u = -u;
    var f = ('0000' + (u % SCALE)).slice(-PLACES).replace(/0+$/, '');
    return (neg ? '-' : '') + Math.floor(u / SCALE) + (f ? '.' + f : '');
  }
  // ru is a rubric number from the welcome (a JSON number) in units, or null.
  function ru(x) { return x === undefined || x === null ? null : units(String(x)).units; }

  // A tablet keyboard may type full-width digits, a full stop or a minus sign.
  function normalize(t) {
    return t.replace(/[０-９]/g, function (d) { return String.fromCharCode(d.charCodeAt(0) - 0xFEE0); })
      .replace(/[．。]/g, '.').replace(/[－−—]/g, '-').replace(/\s+/g, '');
  }

  function rangeText(ms) {
    var lo = ru(ms.min), hi = ru(ms.max), r;
    if (lo !== null && hi !== null) r = text(lo) + '–' + text(hi);
    else if (lo !== null) r = '不小于 ' + text(lo);
    else if (hi !== null) r = '不大于 ' + text(hi);
    else return '';
    return r + (ms.unit ? ' ' + ms.unit : '');
  }

  // check is the server's check of a typed measurement or deduction (the
  // same messages): {units} when the server would store it, else {error}.
  function check(a, typed) {
    var p = units(normalize(typed));
    if (p.bad === 'nan') return {error: '“' + typed.slice(0, 20) + '”不是数字，请输入数值，如 45 或 45.5'};
    if (p.bad === 'places') return {error: '最多 ' + PLACES + ' 位小数'};
    if (p.bad === 'big') return {error: '数值过大'};
    var u = p.units;
    if (a.kind === 'measurement') {
      var ms = a.measure, lo = ru(ms.min), hi = ru(ms.max), st = ru(ms.step);
      if ((lo !== null && u < lo) || (hi !== null && u > hi)) return {error: '测量值 ' + text(u) + ' 超出允许范围 ' + rangeText(ms)};
      if (st && u % st !== 0) return {error: '测量值须为 ' + text(st) + ' 的整数倍'};
    } else if (a.kind === 'deduction') {
      var max = ru(a.max), unit = ru(a.unit);
      if (u < 0) return {error: '扣分不能为负'};
      if (unit) {
        if (u % SCALE !== 0) return {error: (a.count_unit ? a.count_unit + '数' : '扣分次数') + '须为整数'};
        if (u / SCALE * unit > max) return {error: '扣分超过本项上限 ' + text(max) + '（' + perCount(a) + '）'};
      } else if (u > max) {
        return {error: '扣分超过本项上限 ' + text(max)};
      }
    }
    return {units: u};
  }

  // ---- the connection ------------------------------------------------------

  function send(msg) {
    if (S.ws && S.ws.readyState === 1) { S.ws.send(JSON.stringify(msg)); return true; }
    return false;
  }

  function flush() {
    if (!S.connected) return;
    if (S.mode === 'http') { httpFlush(); return; }
    var n = Object.keys(S.inflight).length;
    for (var i = 0; i < S.pending.length && n < MAX_INFLIGHT; i++) {
      var o = S.pending[i];
      if (S.inflight[o.op]) continue;
      var msg = {type: o.type, op: o.op, contestant: o.contestant, module: o.module};
      if (o.aspect) msg.aspect = o.aspect;
      if (o.value !== undefined) msg.value = o.value;
      if (o.pin) msg.pin = o.pin;
      if (!send(msg)) return;
      S.inflight[o.op] = true;
      n++;
    }
  }

  function connect() {
    if (!S.token) return;
    if (S.mode === 'http') { httpState(); return; }
    var proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    var ws;
    try { ws = new WebSocket(proto + '//' + location.host + '/api/v1/judge/ws'); } catch (e) { return retry(); }
    S.ws = ws;
    S.opened = false;
    ws.onopen = function () {
      S.opened = true;
      S.wsFailures = 0;
      S.lastMessage = Date.now();
      var last = '';
      ws.send(JSON.stringify({type: 'hello', v: 1, token: S.token, last_ack: last}));
    };
    ws.onmessage = function (ev) {
      S.lastMessage = Date.now();
      var m;
      try { m = JSON.parse(ev.data); } catch (e) { return; }
      receive(m);
    };
    ws.onclose = function (ev) {
      if (S.ws !== ws) return;
      S.ws = null;
      S.connected = false;
      S.inflight = {};
      render();
      if (ev.code === 4001) { return logout('登录已失效或被撤销，请重新扫码登录'); }
      if (!S.opened && ++S.wsFailures >= 3) { S.mode = 'http'; }
      retry();
    };
  }

  function retry() {
    clearTimeout(S.timer);
    var wait = S.backoff * (0.75 + Math.random() / 2);
    S.backoff = Math.min(S.backoff * 2, 15000);
    S.timer = setTimeout(connect, wait);
  }

  function receive(m) {
    switch (m.type) {
    case 'welcome':
      S.welcome = m;
      setTerms(m.event && m.event.terms);
      S.server = {};
      m.assignments.forEach(function (a) {
        var marks = {};
        for (var k in a.marks) marks[k] = String(a.marks[k]);
        S.server[key(a.module, a.contestant)] = {status: a.status, marks: marks, station: a.station};
      });
      S.connected = true;
      S.backoff = 500;
      S.inflight = {};
      render();
      flush();
      break;
    case 'ack':
      settle(m.op, true);
      break;
    case 'reject':
      if (m.code === 'rate_limited' || m.code === 'unavailable') {
        // Not refused for what it is: keep it and send it again shortly.
        delete S.inflight[m.op];
        setTimeout(flush, 1000);
        return;
      }
      if (m.code === 'unauthorized' && !isSubmit(m.op)) { return logout(m.message); }
      refused(m);
      settle(m.op, false);
      break;
    case 'error':
      if (m.code === 'unauthorized') { return logout(m.message); }
      toast(m.message);
      break;
    case 'sheet':
      var sv = S.server[key(m.module, m.contestant)];
      if (sv) sv.status = m.status;
      toast(word('chief', '裁判长') + (m.status === 'locked' ? '已锁定 ' + m.contestant : '已重新开放 ' + m.contestant + (m.reason ? '：' + m.reason : '')), 'info');
      render();
      break;
    case 'revoked':
      logout(m.message);
      break;
    }
  }

  // ---- words -------------------------------------------------------------------

  // The event's words for its people and places (裁判/裁判长/赛位 at a
  // competition, 考评员/考评组长/座位 at an assessment) come with the
  // welcome; before it, those the page was served with when a login card
  // was just scanned (its event's), else the last event's.
  function loadTerms() {
    var page = {};
    try { page = JSON.parse($('terms').textContent); } catch (e) { /* none */ }
    if (ticketFromURL()) return page;
    try {
      var saved = JSON.parse(LS.getItem(KEY.terms) || 'null');
      if (saved && saved.judge) return saved;
    } catch (e) { /* a damaged copy: the page's own */ }
    return page;
  }
  var T = loadTerms();
  function setTerms(t) {
    if (!t || !t.judge) return;
    T = t;
    LS.setItem(KEY.terms, JSON.stringify(t));
    applyTerms();
  }
  function applyTerms() {
    document.querySelectorAll('[data-term]').forEach(function (e) {
      var w = T[e.getAttribute('data-term')];
      if (w) e.textContent = w;
    });
    if (T.judge) document.title = document.title.replace(/^(裁判|考评员)/, T.judge);
  }
  function word(k, fallback) { return T[k] || fallback; }

  function isSubmit(op) {
    return S.pending.some(function (o) { return o.op === op && o.type === 'submit'; });
  }

  function pendingOp(op) {
    for (var i = 0; i < S.pending.length; i++) if (S.pending[i].op === op) return S.pending[i];
    return null;
  }

  // refused shows a rejection where the judge is looking: a mark's next to
  // its field (the typed text stays, the stored value shown apart), a
  // submit's in the PIN box, anything else in the message bar.
  function refused(m) {
    var o = pendingOp(m.op);
    if (o && o.type === 'mark') {
      var k = key(o.module, o.contestant);
      S.refused[k + '|' + o.aspect] = {text: o.value, message: m.message};
      S.history[k] = (S.history[k] || []).filter(function (h) { return h.op !== o.op; });
      if (!S.current || key(S.current.module, S.current.contestant) !== k) toast(o.contestant + ' ' + o.aspect + ' 未保存：' + m.message);
      return;
    }
    if (o && o.type === 'submit' && S.submitting === o.op) {
      S.submitting = null;
      var box = $('submit-box');
      if (!box.hidden && S.current && key(S.current.module, S.current.contestant) === key(o.module, o.contestant)) {
        submitError(m.message);
        return;
      }
    }
    toast(m.message);
  }

  // settle removes an answered operation; an acknowledged one joins the
  // server's state.
  function settle(opId, ok) {
    delete S.inflight[opId];
    for (var i = 0; i < S.pending.length; i++) {
      var o = S.pending[i];
      if (o.op !== opId) continue;
      S.pending.splice(i, 1);
      if (ok) {
        var k = key(o.module, o.contestant);
        var sv = S.server[k] = S.server[k] || {status: 'open', marks: {}};
        if (o.type === 'mark') sv.marks[o.aspect] = o.value;
        if (o.type === 'clear') delete sv.marks[o.aspect];
        if (o.type === 'submit') {
          sv.status = 'submitted';
          delete S.history[k];
          if (S.submitting === o.op) {
            S.submitting = null;
            $('submit-box').hidden = true;
            toast('评分表已提交：' + o.contestant, 'ok');
            S.justSubmitted = k;
          }
        }
      }
      break;
    }
    savePending();
    render();
    flush();
  }

  // ---- HTTP fallback: the same operations, batched, for networks without websockets

  function api(method, path, body) {
    return fetch(path, {method: method, headers: {'Authorization': 'Bearer ' + S.token, 'Content-Type': 'application/json'},
      body: body ? JSON.stringify(body) : undefined});
  }
  function httpState() {
    api('GET', '/api/v1/judge/state').then(function (r) {
      if (r.status === 401) throw {auth: true};
      if (!r.ok) throw new Error(r.status);
      return r.json();
    }).then(function (w) { receive(w); }).catch(function (e) {
      S.connected = false;
      render();
      if (e && e.auth) return logout('登录已失效，请重新扫码登录');
      retry();
    });
  }
  var httpBusy = false;
  function httpFlush() {
    if (httpBusy || !S.pending.length) return;
    httpBusy = true;
    var batch = S.pending.slice(0, 200);
    var ops = batch.map(function (o) {
      var m = {type: o.type, op: o.op, contestant: o.contestant, module: o.module};
      if (o.aspect) m.aspect = o.aspect;
      if (o.value !== undefined) m.value = o.value;
      if (o.pin) m.pin = o.pin;
      return m;
    });
    api('POST', '/api/v1/judge/sync', {ops: ops}).then(function (r) {
      if (!r.ok) throw new Error(r.status);
      return r.json();
    }).then(function (res) {
      httpBusy = false;
      res.results.forEach(function (m, i) { m.op = m.op || batch[i].op; receive(m); });
    }).catch(function () {
      httpBusy = false;
      S.connected = false;
      render();
      retry();
    });
  }

  // Heartbeat: a silent connection is a dead one; close it and reconnect.
  setInterval(function () {
    if (S.mode === 'http') { if (S.connected) httpFlush(); return; }
    if (!S.ws || S.ws.readyState !== 1) return;
    if (Date.now() - S.lastMessage > 45000) { S.ws.close(); return; }
    send({type: 'ping', id: String(Date.now())});
  }, 15000);
  window.addEventListener('online', function () { S.backoff = 500; if (!S.ws) connect(); });

  // ---- login ---------------------------------------------------------------

  function ticketFromURL() { return new URLSearchParams(location.search).get('t') || ''; }

  function login() {
    var pin = $('pin').value.trim();
    $('login-error').textContent = '';
    fetch('/api/v1/judge/login', {method: 'POST', headers: {'Content-Type': 'application/json'},
      body: JSON.stringify({ticket: ticketFromURL(), pin: pin, device: navigator.userAgent.slice(0, 120)})})
      .then(function (r) { return r.json().then(function (b) { return {ok: r.ok, body: b}; }); })
      .then(function (res) {
        if (!res.ok) {
          $('pin').value = ''; // a wrong PIN is typed again from the start
          $('login-error').textContent = res.body.error ? res.body.error.message : '登录失败';
          return;
        }
        S.token = res.body.token;
        LS.setItem(KEY.token, S.token);
        history.replaceState(null, '', location.pathname);
        S.mode = 'ws';
        render();
        connect();
      })
      .catch(function () { $('login-error').textContent = '无法连接服务器，请检查网络后重试'; });
  }

  function logout(msg) {
    S.token = '';
    LS.removeItem(KEY.token);
    if (S.ws) { var ws = S.ws; S.ws = null; ws.close(); }
    S.connected = false;
    S.welcome = null;
    render();
    if (msg) toast(msg);
  }

  // toast writes into the message bar fixed at the foot of the screen, seen
  // wherever the page is scrolled; kind: 'error' (default), 'ok' or 'info'.
  var toastTimer = null;
  function toast(msg, kind) {
    var t = $('toast');
    t.textContent = msg;
    t.className = 'toast ' + (kind || 'error');
    t.setAttribute('role', kind === 'ok' || kind === 'info' ? 'status' : 'alert');
    t.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { t.hidden = true; }, kind === 'ok' ? 4000 : 8000);
  }

  function submitError(msg) {
    $('submit-msg').textContent = '';
    $('submit-error').textContent = msg;
    $('submit-pin').value = ''; // the PIN is typed again from the start
    $('submit-go').disabled = false;
    $('submit-error').scrollIntoView({block: 'nearest'});
  }

  // ---- rendering -------------------------------------------------------------

  var STATUS = {open: '未评', progress: '进行中', ready: '待提交', submitted: '已提交', locked: '已锁定'};

  function sheetStatus(module, contestant) {
    var sv = S.server[key(module, contestant)];
    if (sv && (sv.status === 'submitted' || sv.status === 'locked')) return sv.status;
    var n = Object.keys(localMarks(module, contestant)).length;
    var m = moduleInfo(module);
    if (m && n >= m.aspects.length) return 'ready';
    return n ? 'progress' : 'open';
  }

  function show(id) {
    ['login', 'noticket', 'signset', 'list', 'sheet', 'incident'].forEach(function (s) { $(s).hidden = s !== id; });
  }

  function render() {
    var sync = $('sync');
    var n = S.pending.length;
    var bad = Object.keys(S.refused).length;
    if (!S.connected) {
      sync.className = 'sync offline';
      sync.textContent = n ? '离线 · ' + n + ' 条待同步' : '离线';
    } else if (n) {
      sync.className = 'sync pending';
      sync.textContent = n + ' 条待同步';
    } else if (bad) {
      sync.className = 'sync refused';
      sync.textContent = bad + ' 项未保存';
    } else {
      sync.className = 'sync synced';
      sync.textContent = '已同步';
    }
    if (bad && (!S.connected || n)) sync.textContent += ' · ' + bad + ' 项未保存';
    sync.dataset.pending = String(n);
    sync.dataset.connected = String(S.connected);
    sync.dataset.refused = String(bad);
    sync.hidden = !S.token; // no connection is wanted before the login
    if (!S.token) {
      $('who').textContent = '';
      show(ticketFromURL() ? 'login' : 'noticket');
      return;
    }
    if (!S.welcome) { $('who').textContent = '正在连接…'; show('list'); return; }
    $('who').textContent = S.welcome.judge.code + ' ' + S.welcome.judge.name + ' · ' + S.welcome.event.name;
    var sg = signing();
    if (!sg.set && (sg.required || S.signWanted)) { S.current = null; renderSignset(); return; }
    if (S.screen === 'incident') { show('incident'); return; } // the 赛场记录 (incidents.js) draws itself
    if (S.current) renderSheet(); else renderList();
  }
  window.__tabletRender = render;

  // ---- the judge's own signing PIN -------------------------------------------

  function signing() { return (S.welcome && S.welcome.signing) || {}; }

  function renderSignset() {
    show('signset');
    var st = S.signset;
    $('signset-later').hidden = !!signing().required;
    $('signset-again').hidden = !st.first;
    $('signset-text').hidden = !!st.first;
    $('signset-pad').hidden = st.text;
    var inp = $('signset-pin');
    inp.setAttribute('inputmode', st.text ? 'text' : 'numeric');
    inp.maxLength = st.text ? 64 : 12;
    inp.classList.toggle('text', st.text);
    $('signset-text').textContent = st.text ? '改用数字密码' : '改用文字密码';
    $('signset-step').textContent = st.first ? '第 2 步：请再输入一次，确认无误'
      : (st.text ? '第 1 步：请输入 8 个字以上的文字密码（可含汉字、字母、数字）' : '第 1 步：请输入 6–12 位数字（不要用 123456、111111 这类）');
    $('signset-go').textContent = st.first ? '确认设置' : '下一步';
    $('signset-go').disabled = st.busy;
  }

  // signsetCheck is the server's rule, said before the round trip.
  function signsetCheck(v, text) {
    if (!text) {
      if (!/^[0-9]+$/.test(v)) return '请只输入数字';
      if (v.length < 6) return '签名密码至少 6 位数字，您输入了 ' + v.length + ' 位';
      if (/^(\d)\1+$/.test(v) || '0123456789'.indexOf(v) >= 0 || '9876543210'.indexOf(v) >= 0) return '签名密码太简单（同一数字重复或连续数字），请换一个别人猜不到的';
      return '';
    }
    if (v.trim() !== v) return '文字密码的开头和结尾不能是空格';
    if (Array.from(v).length < 8) return '文字密码至少 8 个字符';
    return '';
  }

  function signsetError(msg) {
    $('signset-error').textContent = msg;
    $('signset-pin').value = '';
  }

  function signsetGo() {
    var st = S.signset, v = $('signset-pin').value;
    if (!st.text) v = v.trim();
    $('signset-error').textContent = '';
    if (!st.first) {
      var bad = signsetCheck(v, st.text);
      if (bad) { signsetError(bad); return; }
      st.first = v;
      $('signset-pin').value = '';
      renderSignset();
      $('signset-pin').focus();
      return;
    }
    if (v !== st.first) {
      st.first = '';
      renderSignset();
      signsetError('两次输入不一致，请从第 1 步重新输入');
      return;
    }
    st.busy = true;
    renderSignset();
    api('POST', '/api/v1/judge/signing-key', {secret: v}).then(function (r) {
      return r.json().then(function (b) { return {ok: r.ok, status: r.status, body: b}; });
    }).then(function (res) {
      st.busy = false;
      st.first = '';
      if (!res.ok) {
        renderSignset();
        signsetError(res.body.error ? res.body.error.message : '设置失败，请重试');
        if (res.status === 401) logout('登录已失效，请重新扫码登录');
        return;
      }
      LS.setItem(KEY.signKind, st.text ? 'text' : 'digits');
      S.welcome.signing = res.body;
      $('signset-pin').value = '';
      render();
      toast('签名密码已设置。提交评分表时请输入它；忘记时请联系组织者重置。', 'ok');
    }).catch(function () {
      st.busy = false;
      renderSignset();
      signsetError('无法连接服务器，请检查网络后重试');
    });
  }

  function renderList() {
    show('list');
    var sg = signing(), banner = $('sign-banner');
    banner.hidden = !(sg.locked || !sg.set);
    banner.textContent = sg.locked ? '您的签名密码已连续输错 5 次被锁定，暂时不能提交评分表。请联系组织者重置后重新设置。'
      : '您尚未设置自己的签名密码，目前用登录卡 PIN 提交（组织者也知道该 PIN，证明力较弱）。';
    if (!sg.locked && !sg.set) {
      var b = el('button', {class: 'big', type: 'button', id: 'sign-now'}, '设置本人签名密码');
      b.onclick = function () { S.signWanted = true; render(); };
      banner.appendChild(document.createTextNode(' '));
      banner.appendChild(b);
    }
    $('event-name').textContent = '我的评分任务';
    var box = $('modules');
    box.textContent = '';
    S.welcome.modules.forEach(function (m) {
      box.appendChild(el('h2', {}, m.name));
      var grid = el('div', {class: 'codes'});
      S.welcome.assignments.filter(function (a) { return a.module === m.code; }).forEach(function (a) {
        var st = sheetStatus(a.module, a.contestant);
        var b = el('button', {'data-code': a.contestant, 'data-module': a.module, 'data-status': st});
        b.appendChild(el('span', {}, a.contestant));
        b.appendChild(el('small', {class: 'chip s-' + st}, (a.station ? word('station', '赛位') + ' ' + a.station + ' · ' : '') + STATUS[st]));
        b.onclick = function () { S.current = {module: a.module, contestant: a.contestant}; $('submit-box').hidden = true; render(); showSheetEvidence(); window.scrollTo(0, 0); };
        grid.appendChild(b);
      });
      box.appendChild(grid);
    });
  }

  function moduleInfo(code) {
    for (var i = 0; i < S.welcome.modules.length; i++) if (S.welcome.modules[i].code === code) return S.welcome.modules[i];
    return null;
  }

  function num(v) { return v === undefined ? NaN : parseFloat(v); }

  function renderSheet() {
    show('sheet');
    var c = S.current;
    var k = key(c.module, c.contestant);
    var m = moduleInfo(c.module);
    var st = sheetStatus(c.module, c.contestant);
    var readonly = st === 'submitted' || st === 'locked';
    var marks = localMarks(c.module, c.contestant);
    $('sheet-title').textContent = c.contestant + ' · ' + m.name;
    $('sheet-status').textContent = STATUS[st];
    $('sheet-status').className = 'chip s-' + st;
    var box = $('aspects');
    // A re-render (an acknowledgement, a reconnect) must not take away
    // what the judge is typing: keep the focused field's text and caret.
    var keep = null, ae = document.activeElement;
    if (ae && ae.tagName === 'INPUT' && box.contains(ae) && !S.committing) {
      keep = {aspect: ae.closest('[data-aspect]').dataset.aspect, value: ae.value, start: ae.selectionStart, end: ae.selectionEnd};
    }
    box.textContent = '';
    box.className = readonly ? 'readonly' : '';
    m.aspects.forEach(function (a) {
      var v = marks[a.code];
      var bad = S.refused[k + '|' + a.code];
      var card = el('div', {class: 'aspect' + (v !== undefined ? ' done' : '') + (bad ? ' refused' : ''), 'data-aspect': a.code, 'data-value': v === undefined ? '' : v});
      var top = a.kind === 'deduction' ? '（最多扣 ' + a.max + ' 分）' : '（' + a.max + ' 分）';
      card.appendChild(el('h3', {}, a.code + ' ' + a.name + top));
      if (a.description) card.appendChild(el('div', {class: 'desc'}, a.description));
      var ch = el('div', {class: 'choices'});
      function choice(label, value, cls) {
        var b = el('button', {'data-value': String(value), class: (num(v) === value ? 'on ' : '') + (cls || '')}, label);
        b.onclick = function () {
          if (readonly) return;
          if (a.kind === 'veto' && value === 1 && !confirm('确认触发否决项“' + a.name + '”？')) return;
          setMark(a.code, value);
        };
        ch.appendChild(b);
      }
      switch (a.kind) {
      case 'judgement':
        for (var i = 0; i <= (a.scale || 3); i++) choice(String(i), i);
        if (a.descriptors && v !== undefined && a.descriptors[num(v)]) card.appendChild(el('div', {class: 'desc'}, a.descriptors[num(v)]));
        break;
      case 'veto':
        choice('未触发', 0);
        choice('触发否决', 1, 'veto' + (num(v) === 1 ? ' on' : ''));
        break;
      case 'measurement':
        if (!a.measure) { choice('达到', 1); choice('未达到', 0); break; }
        stepper(card, ch, a, v, bad, readonly);
        break;
      case 'deduction':
        if (v === undefined) choice('无扣分', 0);
        stepper(card, ch, a, v, bad, readonly);
        break;
      }
      if (!ch.parentNode) card.appendChild(ch);
      box.appendChild(card);
    });
    S.committing = false;
    if (keep) {
      var again = box.querySelector('[data-aspect="' + keep.aspect + '"] input');
      if (again && !again.disabled) {
        again.value = keep.value;
        again.focus();
        try { again.setSelectionRange(keep.start, keep.end); } catch (e) { /* not a text field */ }
      }
    }
    var hist = S.history[k];
    $('undo').disabled = readonly || !hist || !hist.length;
    $('submit').disabled = readonly || !S.connected || !!S.submitting || Object.keys(marks).length < m.aspects.length;
    // The sheet's state at its foot, where the submit button is.
    var done = $('sheet-done');
    done.hidden = !readonly;
    done.textContent = st === 'locked' ? '此评分表已由' + word('chief', '裁判长') + '锁定' : '✓ 评分表已提交，不能再修改（需' + word('chief', '裁判长') + '重新开放）';
    if (S.justSubmitted === k) {
      S.justSubmitted = null;
      done.scrollIntoView({block: 'nearest'});
    }
  }

  // perCount says what one counted occurrence of a deduction costs, in the
  // rubric's words when it names what is counted: 每 1 分钟扣 1 分.
  function perCount(a) {
    return (a.count_unit ? '每 1 ' + a.count_unit + '扣 ' : '每计 1 扣 ') + text(ru(a.unit)) + ' 分';
  }

  // stepper is the field of a measured value or a deduction: − and + by the
  // rubric's step, or the value typed. Nothing is ever clamped: a value the
  // rubric refuses stays in the field, marked, with the reason under it and
  // the stored value apart, and is not sent.
  function stepper(card, ch, a, v, bad, readonly) {
    var k = key(S.current.module, S.current.contestant) + '|' + a.code;
    var lo, hi, step, places = PLACES, unit = '';
    if (a.kind === 'measurement') {
      lo = ru(a.measure.min); hi = ru(a.measure.max); unit = a.measure.unit || '';
      step = ru(a.measure.step) || SCALE;
      if (a.measure.step) places = (String(a.measure.step).split('.')[1] || '').length;
    } else if (a.unit) { // a count of occurrences: whole numbers
      lo = 0; hi = Math.floor(ru(a.max) / ru(a.unit)) * SCALE; step = SCALE; places = 0; unit = a.count_unit || '';
    } else {
      lo = 0; hi = ru(a.max); step = SCALE / 2; unit = '分';
    }
    var stored = v === undefined ? null : ru(v);
    var cur = stored === null ? (a.kind === 'deduction' ? 0 : Math.min(Math.max(lo || 0, 0), hi === null ? Infinity : hi)) : stored;
    var wrap = el('div', {class: 'stepper'});
    var minus = el('button', {'aria-label': '减少'}, '−');
    var typed = bad ? bad.text : (v === undefined ? (a.kind === 'deduction' ? '0' : '') : String(v));
    // a signed value (min below 0) needs a keyboard with a minus sign, which
    // the decimal pad of some tablets lacks
    var input = el('input', {inputmode: lo < 0 ? 'text' : 'decimal', autocomplete: 'off', value: typed, 'aria-label': a.name,
      size: String(fieldWidth(lo, hi, places))});
    input.style.width = 'calc(' + fieldWidth(lo, hi, places) + 'ch + 1.6rem)';
    var plus = el('button', {'aria-label': '增加'}, '+');
    function go(u) {
      if (readonly || check(a, text(u)).error) return;
      setMark(a.code, text(u));
    }
    minus.onclick = function () { go(cur - step); };
    plus.onclick = function () { go(cur + step); };
    minus.disabled = readonly || !!check(a, text(cur - step)).error;
    plus.disabled = readonly || !!check(a, text(cur + step)).error;
    input.onchange = function () {
      var t = input.value.trim();
      S.committing = true;
      if (t === '') { delete S.refused[k]; render(); return; } // nothing typed: the stored value again
      var r = check(a, t);
      if (r.error) { S.refused[k] = {text: input.value, message: r.error}; render(); return; }
      if (stored !== null && stored === r.units && !bad) { render(); return; }
      setMark(a.code, text(r.units));
    };
    input.onkeydown = function (e) { if (e.key === 'Enter') input.blur(); };
    if (readonly) { input.disabled = true; minus.disabled = true; plus.disabled = true; }
    if (bad) { input.className = 'bad'; input.setAttribute('aria-invalid', 'true'); }
    wrap.appendChild(minus); wrap.appendChild(input); wrap.appendChild(plus);
    if (unit) wrap.appendChild(el('span', {class: 'unit'}, unit));
    ch.appendChild(wrap);
    card.appendChild(ch);
    var hint = a.kind === 'measurement' ? rangeText(a.measure) && '允许范围 ' + rangeText(a.measure)
      : a.unit ? '填 0–' + text(hi) + ' 的整数' + (a.count_unit ? '（' + a.count_unit + '）' : '') + '，' + perCount(a) : '0–' + text(hi) + ' 分';
    if (bad) {
      card.appendChild(el('p', {class: 'field-error', role: 'alert'}, '未保存：' + bad.message));
      card.appendChild(el('p', {class: 'field-stored'}, (stored === null ? '尚无已保存的值' : '已保存的值仍为 ' + text(stored) + (unit ? ' ' + unit : '')) + '；清空此框即保留原值'));
    } else if (hint && !readonly) {
      card.appendChild(el('p', {class: 'hint'}, hint));
    }
  }

  // fieldWidth is how many characters the longest value at the rubric's
  // precision needs (sign, digits, point, decimals).
  function fieldWidth(lo, hi, places) {
    function digits(u) { return u === null || u === undefined ? 6 : String(Math.floor(Math.abs(u) / SCALE)).length; }
    var n = Math.max(digits(lo), digits(hi)) + (places ? places + 1 : 0);
    if (lo === null || lo === undefined || lo < 0) n++;
    return Math.max(n, 3);
  }

  // ---- wiring ----------------------------------------------------------------

  // keypad fills a big digit pad for input (up to its maxLength).
  function keypad(pad, input) {
    '123456789'.split('').concat(['⌫', '0']).forEach(function (d) {
      var b = el('button', {type: 'button', 'aria-label': d === '⌫' ? '删除' : d}, d);
      b.onclick = function () {
        var p = $(input);
        p.value = d === '⌫' ? p.value.slice(0, -1) : (p.value + d).slice(0, p.maxLength > 0 ? p.maxLength : 64);
      };
      $(pad).appendChild(b);
    });
  }
  keypad('pinpad', 'pin');
  keypad('signset-pad', 'signset-pin');
  keypad('submit-pad', 'submit-pin');
  $('signset-go').onclick = signsetGo;
  $('signset-pin').addEventListener('keydown', function (e) { if (e.key === 'Enter') signsetGo(); });
  $('signset-again').onclick = function () { S.signset.first = ''; $('signset-error').textContent = ''; $('signset-pin').value = ''; renderSignset(); };
  $('signset-text').onclick = function () { S.signset.text = !S.signset.text; $('signset-error').textContent = ''; $('signset-pin').value = ''; renderSignset(); };
  $('signset-later').onclick = function () { S.signWanted = false; S.signset.first = ''; $('signset-error').textContent = ''; $('signset-pin').value = ''; render(); };
  $('login-go').onclick = login;
  $('pin').addEventListener('keydown', function (e) { if (e.key === 'Enter') login(); });
  $('back').onclick = function () { S.current = null; $('submit-box').hidden = true; $('evidence-msg').textContent = ''; render(); };
  $('undo').onclick = undo;
  $('toast').onclick = function () { $('toast').hidden = true; };
  $('submit').onclick = function () {
    // A refused value still in its field: the judge meant something other
    // than what is stored, so the sheet is not signed until it is settled.
    var c = S.current, pre = key(c.module, c.contestant) + '|';
    var bad = Object.keys(S.refused).filter(function (k) { return k.indexOf(pre) === 0; });
    if (bad.length) {
      var first = $('aspects').querySelector('[data-aspect="' + bad[0].slice(pre.length) + '"]');
      if (first) first.scrollIntoView({block: 'center'});
      toast('还有 ' + bad.length + ' 项未保存（红框），请改正，或清空该框保留原值，再提交');
      return;
    }
    $('submit-box').hidden = false;
    var own = !!signing().set, text = own && LS.getItem(KEY.signKind) === 'text';
    $('submit-ask').textContent = own ? '请输入您自己设置的签名密码签名确认：' : '请输入登录卡上的 6 位 PIN 签名确认：';
    $('submit-pin').maxLength = own ? 64 : 6;
    $('submit-pin').type = own ? 'password' : 'text';
    $('submit-pin').setAttribute('inputmode', text ? 'text' : 'numeric');
    $('submit-pin').classList.toggle('text', text);
    $('submit-pad').hidden = text;
    $('submit-pin').value = '';
    $('submit-error').textContent = '';
    $('submit-msg').textContent = '';
    $('submit-go').disabled = false;
    $('submit-box').scrollIntoView({block: 'nearest'});
    $('submit-pin').focus();
  };
  $('submit-cancel').onclick = function () { $('submit-box').hidden = true; };
  $('submit-pin').addEventListener('keydown', function (e) { if (e.key === 'Enter') $('submit-go').click(); });
  $('submit-go').onclick = function () {
    var c = S.current;
    var own = !!signing().set;
    var pin = own && LS.getItem(KEY.signKind) === 'text' ? $('submit-pin').value : $('submit-pin').value.trim();
    if (own && !pin) { submitError('请输入您自己设置的签名密码'); return; }
    if (!own && !/^[0-9]{6}$/.test(pin)) { submitError('请输入登录卡上的 6 位数字 PIN'); return; }
    $('submit-error').textContent = '';
    $('submit-msg').textContent = '正在提交…';
    $('submit-go').disabled = true;
    var op = nextOpId();
    S.submitting = op;
    enqueue({op: op, type: 'submit', module: c.module, contestant: c.contestant, pin: pin});
  };

  // Evidence (issue 16): a photo or clip from the camera goes to the
  // server as it is (the body is the file) to path — the judge's sheet on
  // screen, or a 赛场记录 entry (incidents.js). Nothing is kept on the
  // tablet: without a network it says so. say(text, bad) writes the answer
  // beside the camera button; the message bar repeats it. It resolves to
  // whether the file is stored.
  function sendEvidence(f, path, say) {
    say('正在上传' + (f.type.indexOf('video/') === 0 ? '视频' : '照片') + '…', false);
    return fetch(path, {method: 'POST', headers: {'Authorization': 'Bearer ' + S.token}, body: f})
      .then(function (r) { return r.json().then(function (b) { return {ok: r.ok, body: b}; }); })
      .then(function (res) {
        var m = res.ok ? res.body.message : ((res.body.error && res.body.error.message) || '上传失败');
        say(m, !res.ok);
        toast(m, res.ok ? 'ok' : 'error');
        return res.ok;
      })
      .catch(function () {
        var m = '无法连接服务器，证据未上传，请恢复网络后重拍或重选';
        say(m, true);
        toast(m);
        return false;
      });
  }
  window.__tabletEvidence = sendEvidence;

  // mediaText says what is attached: "2 张照片、1 段视频", "" for nothing
  // (the sheet here, each 赛场记录 entry in incidents.js).
  function mediaText(photos, clips) {
    var parts = [];
    if (photos) parts.push(photos + ' 张照片');
    if (clips) parts.push(clips + ' 段视频');
    return parts.join('、');
  }
  window.__tabletMediaText = mediaText;

  function sheetEvidencePath(c) {
    return '/api/v1/judge/evidence?module=' + encodeURIComponent(c.module) + '&contestant=' + encodeURIComponent(c.contestant);
  }

  // showSheetEvidence says beside the camera button how many photos and
  // clips the open sheet already carries (the server's count, so it holds
  // after a reload or on another tablet). Offline it says nothing rather
  // than a stale figure.
  function showSheetEvidence() {
    var c = S.current, out = $('evidence-count');
    out.textContent = '';
    if (!c) return;
    fetch(sheetEvidencePath(c), {headers: {'Authorization': 'Bearer ' + S.token}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (n) {
        if (!n || S.current !== c) return;
        var what = mediaText(n.photos, n.clips);
        out.textContent = what ? '本表已附证据：' + what : '本表尚无证据';
      })
      .catch(function () {});
  }

  $('evidence-file').addEventListener('change', function () {
    var input = this, f = input.files && input.files[0], c = S.current;
    if (!f || !c) return;
    var msg = $('evidence-msg');
    sendEvidence(f, sheetEvidencePath(c),
      function (text, bad) { msg.textContent = text; msg.classList.toggle('error', bad); msg.classList.toggle('muted', !bad); })
      .then(function (stored) { input.value = ''; if (stored) showSheetEvidence(); });
  });

  applyTerms();
  render();
  connect();
})();
