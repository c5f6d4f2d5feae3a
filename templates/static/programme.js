// Programme board: fetches /api/v1/programmes/{code}/board, then long-polls
// it with ?since=ETAG; the server answers when the board changes (one
// computation per change for every viewer) or after a while unchanged.
(function () {
  'use strict';
  var root = document.querySelector('[data-programme]');
  if (!root) return;
  var code = root.dataset.programme;
  var big = root.classList.contains('bigscreen');
  var statusEl = root.querySelector('.live-status');
  var etag = '';
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

  function poll() {
    var url = '/api/v1/programmes/' + encodeURIComponent(code) + '/board' + (etag ? '?since=' + encodeURIComponent(etag) : '');
    fetch(url, { cache: 'no-store' }).then(function (res) {
      if (!res.ok) throw new Error('HTTP ' + res.status);
      var next = res.headers.get('ETag') || '';
      return res.json().then(function (b) {
        setState('ok', '实时');
        if (next !== etag) { etag = next; root.dataset.etag = etag; render(b); }
        poll();
      });
    }).catch(function () {
      setState('down', '重新连接中');
      // The server or the network is down: try again shortly.
      setTimeout(poll, 3000);
    });
  }

  if (big) {
    var clock = root.querySelector('.live-clock');
    var tick = function () { clock.textContent = new Date().toLocaleTimeString('zh-CN', { hour12: false }); };
    tick();
    setInterval(tick, 1000);
  }
  poll();
})();
