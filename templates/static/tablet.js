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
    pending: 'skillscore.judge.pending'
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
    history: {},          // sheet key -> [{aspect, prev}]
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

  function setMark(aspect, value) {
    var c = S.current;
    var k = key(c.module, c.contestant);
    var prev = localMarks(c.module, c.contestant)[aspect];
    (S.history[k] = S.history[k] || []).push({aspect: aspect, prev: prev});
    enqueue({op: nextOpId(), type: 'mark', module: c.module, contestant: c.contestant, aspect: aspect, value: String(value)});
  }

  function undo() {
    var c = S.current;
    var h = S.history[key(c.module, c.contestant)];
    if (!h || !h.length) return;
    var last = h.pop();
    if (last.prev === undefined) {
      enqueue({op: nextOpId(), type: 'clear', module: c.module, contestant: c.contestant, aspect: last.aspect});
    } else {
      enqueue({op: nextOpId(), type: 'mark', module: c.module, contestant: c.contestant, aspect: last.aspect, value: String(last.prev)});
    }
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
      toast(m.message);
      settle(m.op, false);
      break;
    case 'error':
      if (m.code === 'unauthorized') { return logout(m.message); }
      toast(m.message);
      break;
    case 'sheet':
      var sv = S.server[key(m.module, m.contestant)];
      if (sv) sv.status = m.status;
      toast(m.status === 'locked' ? '裁判长已锁定 ' + m.contestant : '裁判长已重新开放 ' + m.contestant + (m.reason ? '：' + m.reason : ''));
      render();
      break;
    case 'revoked':
      logout(m.message);
      break;
    }
  }

  function isSubmit(op) {
    return S.pending.some(function (o) { return o.op === op && o.type === 'submit'; });
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
        if (o.type === 'submit') { sv.status = 'submitted'; delete S.history[k]; }
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
        if (!res.ok) { $('login-error').textContent = res.body.error ? res.body.error.message : '登录失败'; return; }
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

  var toastTimer = null;
  function toast(msg) {
    var t = $('toast');
    t.textContent = msg;
    t.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { t.hidden = true; }, 6000);
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
    ['login', 'noticket', 'list', 'sheet'].forEach(function (s) { $(s).hidden = s !== id; });
  }

  function render() {
    var sync = $('sync');
    var n = S.pending.length;
    if (!S.connected) {
      sync.className = 'sync offline';
      sync.textContent = n ? '离线 · ' + n + ' 条待同步' : '离线';
    } else if (n) {
      sync.className = 'sync pending';
      sync.textContent = n + ' 条待同步';
    } else {
      sync.className = 'sync synced';
      sync.textContent = '已同步';
    }
    sync.dataset.pending = String(n);
    sync.dataset.connected = String(S.connected);
    if (!S.token) {
      $('who').textContent = '';
      show(ticketFromURL() ? 'login' : 'noticket');
      return;
    }
    if (!S.welcome) { $('who').textContent = '正在连接…'; show('list'); return; }
    $('who').textContent = S.welcome.judge.code + ' ' + S.welcome.judge.name + ' · ' + S.welcome.event.name;
    if (S.current) renderSheet(); else renderList();
  }

  function renderList() {
    show('list');
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
        b.appendChild(el('small', {class: 'chip s-' + st}, (a.station ? '赛位 ' + a.station + ' · ' : '') + STATUS[st]));
        b.onclick = function () { S.current = {module: a.module, contestant: a.contestant}; $('submit-box').hidden = true; render(); window.scrollTo(0, 0); };
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
    var m = moduleInfo(c.module);
    var st = sheetStatus(c.module, c.contestant);
    var readonly = st === 'submitted' || st === 'locked';
    var marks = localMarks(c.module, c.contestant);
    $('sheet-title').textContent = c.contestant + ' · ' + m.name;
    $('sheet-status').textContent = STATUS[st];
    $('sheet-status').className = 'chip s-' + st;
    var box = $('aspects');
    box.textContent = '';
    box.className = readonly ? 'readonly' : '';
    m.aspects.forEach(function (a) {
      var v = marks[a.code];
      var card = el('div', {class: 'aspect' + (v !== undefined ? ' done' : ''), 'data-aspect': a.code, 'data-value': v === undefined ? '' : v});
      card.appendChild(el('h3', {}, a.code + ' ' + a.name + '（' + a.max + ' 分）'));
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
        stepper(ch, a, v, parseFloat(a.measure.step || 1), a.measure.min, a.measure.max, a.measure.unit || '', readonly);
        break;
      case 'deduction':
        if (v === undefined) choice('无扣分', 0);
        stepper(ch, a, v === undefined ? '0' : v, a.unit ? 1 : 0.5, 0, a.unit ? null : a.max, a.unit ? '次' : '分', readonly);
        break;
      }
      card.appendChild(ch);
      box.appendChild(card);
    });
    var hist = S.history[key(c.module, c.contestant)];
    $('undo').disabled = readonly || !hist || !hist.length;
    $('submit').disabled = readonly || !S.connected || Object.keys(marks).length < m.aspects.length;
  }

  function stepper(box, a, v, step, min, max, unit, readonly) {
    var wrap = el('div', {class: 'stepper'});
    var cur = v === undefined ? (min || 0) : num(v);
    var minus = el('button', {'aria-label': '减少'}, '−');
    var input = el('input', {inputmode: 'decimal', value: v === undefined ? '' : String(v), 'aria-label': a.name});
    var plus = el('button', {'aria-label': '增加'}, '+');
    function set(x) {
      if (readonly) return;
      if (min !== null && min !== undefined && x < min) x = min;
      if (max !== null && max !== undefined && x > max) x = max;
      setMark(a.code, +x.toFixed(4));
    }
    minus.onclick = function () { set(cur - step); };
    plus.onclick = function () { set(cur + step); };
    input.onchange = function () { var x = parseFloat(input.value); if (!isNaN(x)) set(x); };
    if (readonly) input.disabled = true;
    wrap.appendChild(minus); wrap.appendChild(input); wrap.appendChild(plus);
    if (unit) wrap.appendChild(el('span', {}, unit));
    box.appendChild(wrap);
  }

  // ---- wiring ----------------------------------------------------------------

  var pad = $('pinpad');
  '123456789'.split('').concat(['⌫', '0']).forEach(function (d) {
    var b = el('button', {type: 'button'}, d);
    b.onclick = function () {
      var p = $('pin');
      p.value = d === '⌫' ? p.value.slice(0, -1) : (p.value + d).slice(0, 6);
    };
    pad.appendChild(b);
  });
  $('login-go').onclick = login;
  $('pin').addEventListener('keydown', function (e) { if (e.key === 'Enter') login(); });
  $('back').onclick = function () { S.current = null; render(); };
  $('undo').onclick = undo;
  $('submit').onclick = function () { $('submit-box').hidden = false; $('submit-pin').value = ''; $('submit-pin').focus(); };
  $('submit-cancel').onclick = function () { $('submit-box').hidden = true; };
  $('submit-go').onclick = function () {
    var c = S.current;
    var pin = $('submit-pin').value.trim();
    $('submit-box').hidden = true;
    enqueue({op: nextOpId(), type: 'submit', module: c.module, contestant: c.contestant, pin: pin});
  };

  render();
  connect();
})();
