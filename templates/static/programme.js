// Programme board (docs/programme.md). It watches the board over the
// websocket /api/v1/programmes/{code}/live: the board, then each change as
// an update of the event lines and table rows that changed, one frame the
// server builds once for every viewer. An update applies only on top of
// the version it names ("from"); otherwise the page asks for what it
// missed. Where the websocket cannot open (a proxy that does not pass it,
// a refusal) or keeps dropping, the page long-polls /board?since=ETAG
// instead and tries the websocket again now and then. Both carry the same
// epoch and version (the ETag is "EPOCH-VERSION"), so switching between
// them resumes instead of starting over.
(function () {
  'use strict';
  var root = document.querySelector('[data-programme]');
  if (!root) return;
  var code = root.dataset.programme;
  var api = '/api/v1/programmes/' + encodeURIComponent(code);
  var big = root.classList.contains('bigscreen');
  var statusEl = root.querySelector('.live-status');
  var epoch = '';
  var revision = -1;
  var board = null;
  var askedAt = null; // the version a resync was asked from
  var failures = 0; // websocket attempts in a row that failed
  var polling = false;
  var pollGen = 0; // the current long-poll loop; older loops stop
  var pollAbort = null;
  var last = {}; // delegation code → position, to flash moved rows
  var open = {}; // delegation codes whose reasons are shown (phone)

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function setState(state, text) {
    statusEl.dataset.state = state;
    statusEl.textContent = text;
  }

  function render(b) {
    var counts = {};
    b.events.forEach(function (e) { counts[e.status] = (counts[e.status] || 0) + 1; });
    var parts = [b.events.length + ' 个赛项'];
    [['running', '比赛中'], ['frozen', '封榜'], ['publication', '公示中'], ['final', '已确认']].forEach(function (p) {
      if (counts[p[0]]) parts.push(p[1] + ' ' + counts[p[0]]);
    });
    root.querySelector('.prog-summary').textContent = parts.join(' · ');
    root.querySelector('.prog-counted').textContent = '计入 ' + b.table.counted + ' 个赛项' +
      (b.table.pending ? '，' + b.table.pending + ' 个赛项成绩未公示' : '');

    var t = b.table;
    var head = root.querySelector('.prog-table thead');
    head.textContent = '';
    var hr = el('tr');
    hr.appendChild(el('th', '', '名次'));
    hr.appendChild(el('th', '', '代表队'));
    t.bands.forEach(function (band) { hr.appendChild(el('th', '', band.name)); });
    hr.appendChild(el('th', '', '合计'));
    if (t.team) { hr.appendChild(el('th', 'pts-col', '团体积分')); hr.appendChild(el('th', 'pts-col', '团体奖')); }
    head.appendChild(hr);

    var body = root.querySelector('.prog-table tbody');
    body.textContent = '';
    var now = {};
    t.rows.forEach(function (r) {
      var tr = el('tr');
      tr.dataset.delegation = r.code;
      tr.appendChild(el('td', 'pos', r.position + (r.shared ? '=' : '')));
      tr.appendChild(el('td', 'name', r.name));
      r.counts.forEach(function (n, i) { var td = el('td', 'n', String(n)); td.dataset.band = t.bands[i].code; tr.appendChild(td); });
      tr.appendChild(el('td', 'n total', String(r.awards)));
      if (t.team) { tr.appendChild(el('td', 'n pts-col', String(r.points))); tr.appendChild(el('td', 'pts-col', r.prize || '')); }
      if (last[r.code] !== undefined && last[r.code] !== r.position) tr.classList.add('moved');
      now[r.code] = r.position;
      body.appendChild(tr);
      var why = el('tr', 'why');
      var td = el('td');
      td.colSpan = 4 + t.bands.length;
      r.reasons.forEach(function (line) { td.appendChild(el('div', '', line)); });
      why.appendChild(td);
      why.hidden = !big && !open[r.code];
      body.appendChild(why);
      tr.addEventListener('click', function () { open[r.code] = !open[r.code]; why.hidden = !open[r.code]; });
    });
    last = now;

    var list = root.querySelector('.prog-events');
    list.textContent = '';
    b.events.forEach(function (e) {
      var li = el('li');
      li.dataset.event = e.code;
      var left = el('div');
      left.appendChild(el('div', 'ev', e.name));
      var sub = '选手 ' + e.contestants + ' 人';
      if (e.progress) sub += ' · 已完成评分 ' + e.progress.done + '/' + e.progress.expected;
      left.appendChild(el('div', 'sub', sub));
      li.appendChild(left);
      var badge = el('span', 'badge', e.status_name);
      badge.dataset.status = e.status;
      li.appendChild(badge);
      list.appendChild(li);
    });
  }

  // show takes the board at a new version and draws it.
  function show(b, e, v) {
    board = b;
    epoch = e;
    revision = v;
    askedAt = null;
    root.dataset.revision = String(v);
    render(b);
  }

  function connect() {
    if (!window.WebSocket) { startPolling(); return; }
    var proto = location.protocol === 'https:' ? 'wss://' : 'ws://';
    var url = proto + location.host + api + '/live';
    if (epoch) url += '?epoch=' + encodeURIComponent(epoch) + '&since=' + revision;
    var opened = false;
    var ws = new WebSocket(url);
    ws.onopen = function () {
      opened = true;
      failures = 0;
      stopPolling();
      root.dataset.transport = 'websocket';
      setState('ok', '实时');
    };
    ws.onmessage = function (e) {
      var msg;
      try { msg = JSON.parse(e.data); } catch (_) { return; }
      handle(msg, ws);
    };
    ws.onclose = function () {
      failures++;
      // A socket that never opened, or drops again and again: the long
      // poll keeps the board live while the websocket is tried again.
      if (!opened || failures >= 2) startPolling();
      else setState('down', '重新连接中');
      setTimeout(connect, opened ? 1000 : Math.min(60000, 2000 * failures));
    };
  }

  function handle(msg, ws) {
    if (msg.type === 'snapshot') {
      show(msg.board, msg.epoch, msg.revision);
      return;
    }
    if (msg.type !== 'update' || !board) return;
    if (msg.epoch !== epoch || msg.from !== revision) {
      // A gap: ask once for what we missed since our version.
      if (ws.readyState === WebSocket.OPEN && askedAt !== revision) {
        askedAt = revision;
        ws.send(JSON.stringify({ type: 'resync', epoch: epoch, revision: revision }));
      }
      return;
    }
    apply(msg);
    show(board, epoch, msg.revision);
  }

  // apply puts an update's changed event lines and table rows into board.
  function apply(msg) {
    (msg.events || []).forEach(function (e) {
      for (var i = 0; i < board.events.length; i++) {
        if (board.events[i].code === e.code) board.events[i] = e;
      }
    });
    var t = msg.table;
    if (!t) return;
    var table = board.table;
    table.counted = t.counted;
    table.pending = t.pending;
    table.unassigned = t.unassigned;
    var byCode = {};
    table.rows.forEach(function (r) { byCode[r.code] = r; });
    (t.rows || []).forEach(function (r) { byCode[r.code] = r; });
    var order = t.row_order || table.rows.map(function (r) { return r.code; });
    table.rows = order.map(function (c) { return byCode[c]; }).filter(Boolean);
  }

  // The long poll: the board at once, then each new version as it comes.
  function startPolling() {
    if (polling) return;
    polling = true;
    poll(++pollGen);
  }

  function stopPolling() {
    polling = false;
    pollGen++;
    if (pollAbort) pollAbort.abort();
    pollAbort = null;
  }

  function current(gen) { return polling && gen === pollGen; }

  function poll(gen) {
    if (!current(gen)) return;
    var url = api + '/board' + (epoch ? '?since=' + encodeURIComponent('"' + epoch + '-' + revision + '"') : '');
    var ctl = window.AbortController ? new AbortController() : null;
    pollAbort = ctl;
    fetch(url, { cache: 'no-store', signal: ctl ? ctl.signal : undefined }).then(function (res) {
      if (!res.ok) throw new Error('HTTP ' + res.status);
      var etag = (res.headers.get('ETag') || '').replace(/"/g, '');
      var cut = etag.lastIndexOf('-');
      return res.json().then(function (b) {
        if (!current(gen)) return;
        root.dataset.transport = 'poll';
        setState('ok', '实时');
        var e = etag.slice(0, cut), v = Number(etag.slice(cut + 1));
        if (cut > 0 && (e !== epoch || v !== revision)) show(b, e, v);
        poll(gen);
      });
    }).catch(function () {
      if (!current(gen)) return;
      setState('down', '重新连接中');
      // The server or the network is down: try again shortly.
      setTimeout(function () { poll(gen); }, 3000);
    });
  }

  if (big) {
    var clock = root.querySelector('.live-clock');
    var tick = function () { clock.textContent = new Date().toLocaleTimeString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false }); };
    tick();
    setInterval(tick, 1000);
  }
  connect();
})();
