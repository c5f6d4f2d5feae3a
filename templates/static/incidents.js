// 赛场记录 on the judge tablet (docs/oversight-incidents.md): one button on
// the list, a short form (station, kind, time added for an equipment fault,
// time, description), then the contestant's acknowledgment on a PIN pad
// (the last 4 of their 证件号码), or 待签字 for the printed log, or a
// refusal; a photo or clip from the camera for any entry listed, before or
// after the answer. It uses the tablet's login (tablet.js keeps the token) and talks
// to /api/v1/judge/incidents directly: an entry is saved while the network
// is up, or the judge is told it was not.
(function () {
  'use strict';

  var S = window.__tablet;
  if (!S) return;
  // evidence: per entry id, the camera's last answer {text, bad} and the
  // photos and clips sent from this tablet since the page opened ({url} of
  // a photo, to show as a thumbnail; the server never sends a judge a file).
  var I = {stations: [], incidents: [], kinds: [], pick: null, kind: '', ack: null, busy: false, camera: false, evidence: {}};
  window.__incidents = I; // for tests

  function $(id) { return document.getElementById(id); }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) {
      if (k === 'class') e.className = attrs[k]; else e.setAttribute(k, attrs[k]);
    }
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function word(k, fallback) {
    var t = S.welcome && S.welcome.event && S.welcome.event.terms;
    return (t && t[k]) || fallback;
  }

  // api answers {ok, body}; a network failure answers {ok: false, body: {error: {message}}}.
  function api(method, path, body) {
    return fetch(path, {method: method, headers: {'Authorization': 'Bearer ' + S.token, 'Content-Type': 'application/json'},
      body: body ? JSON.stringify(body) : undefined})
      .then(function (r) { return r.json().then(function (b) { return {ok: r.ok, status: r.status, body: b}; }); })
      .catch(function () { return {ok: false, body: {error: {message: '无法连接服务器，未保存：请检查网络后重试'}}}; });
  }
  function message(res) { return (res.body && res.body.error && res.body.error.message) || '未保存，请重试'; }

  // China time, as the server reads the field: a tablet set to another
  // zone still proposes the venue's clock.
  function nowHHMM() {
    return new Date().toLocaleTimeString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false, hour: '2-digit', minute: '2-digit' });
  }

  function open() {
    S.screen = 'incident';
    window.__tabletRender();
    resetForm();
    $('inc-list').textContent = '正在加载…';
    load();
    window.scrollTo(0, 0);
  }
  function close() {
    S.screen = '';
    $('inc-ack').hidden = true;
    window.__tabletRender();
  }

  function load() {
    return api('GET', '/api/v1/judge/incidents').then(function (res) {
      if (!res.ok) { $('inc-error').textContent = message(res); return; }
      I.stations = res.body.stations;
      I.incidents = res.body.incidents;
      I.kinds = res.body.kinds;
      I.camera = res.body.camera;
      draw();
    });
  }

  function resetForm() {
    I.pick = null;
    I.kind = '';
    $('inc-min').value = '';
    $('inc-sec').value = '';
    $('inc-time').value = nowHHMM();
    $('inc-desc').value = '';
    $('inc-error').textContent = '';
    draw();
  }

  function draw() {
    // The stations grouped by session, a heading each: the judge finds
    // the session, then taps the station.
    var box = $('inc-stations');
    box.textContent = '';
    if (!I.stations.length) box.appendChild(el('p', {class: 'muted'}, '您没有分配到场次中的' + word('station', '赛位') + '：不能录入。'));
    var grid = null, last = null;
    I.stations.forEach(function (x) {
      if (x.session !== last) {
        last = x.session;
        box.appendChild(el('h3', {class: 'session'}, x.session + ' ' + x.session_label));
        grid = el('div', {class: 'codes'});
        box.appendChild(grid);
      }
      var b = el('button', {type: 'button', 'data-session': x.session, 'data-station': x.station});
      b.appendChild(el('span', {}, word('station', '赛位') + ' ' + x.station));
      if (x.contestant) b.appendChild(el('small', {}, word('contestant', '选手') + ' ' + x.contestant));
      if (I.pick && I.pick.session === x.session && I.pick.station === x.station) b.className = 'on';
      b.onclick = function () { I.pick = x; draw(); };
      grid.appendChild(b);
    });
    var kinds = $('inc-kinds');
    kinds.textContent = '';
    I.kinds.forEach(function (k) {
      var b = el('button', {type: 'button', 'data-kind': k.value}, k.name);
      if (I.kind === k.value) b.className = 'on';
      b.onclick = function () { I.kind = k.value; draw(); };
      kinds.appendChild(b);
    });
    $('inc-added').hidden = I.kind !== 'equipment';
    drawList();
  }

  function drawList() {
    var list = $('inc-list');
    list.textContent = '';
    if (!I.incidents.length) { list.appendChild(el('p', {class: 'muted'}, '暂无记录。')); return; }
    I.incidents.slice().reverse().forEach(function (e) {
      var card = el('div', {class: 'aspect incident ack-' + e.ack + (e.corrected_by ? ' corrected' : ''), 'data-no': String(e.no), 'data-ack': e.ack});
      card.appendChild(el('h3', {}, '第 ' + e.no + ' 号 · ' + e.session + ' · ' + word('station', '赛位') + ' ' + e.station + ' · ' + e.kind_name +
        (e.added ? ' · 补时 ' + e.added : '')));
      card.appendChild(el('p', {class: 'desc'}, e.occurred + ' ' + e.description + (e.corrected_by ? '（已由第 ' + e.corrected_by + ' 号更正）' : '')));
      var st = el('p', {class: 'field-stored'}, e.ack_name + ' · 录入：' + e.entered_name);
      card.appendChild(st);
      if (e.ack === 'pending' && !e.corrected_by) {
        var b = el('button', {type: 'button', class: 'primary big ack-open'}, '请' + word('contestant', '选手') + '确认');
        b.onclick = function () { openAck(e); };
        card.appendChild(b);
      }
      if (I.camera) card.appendChild(evidenceBox(e, 'inc-ev-'));
      list.appendChild(card);
    });
    var box = $('inc-ack-evidence');
    box.textContent = '';
    var now = I.ack && I.incidents.filter(function (x) { return x.id === I.ack.id; })[0];
    if (I.camera && now) box.appendChild(evidenceBox(now, 'inc-ack-ev-'));
  }

  // ---- evidence: the tablet camera, for an entry ------------------------------

  // evidenceBox is an entry's camera button (the same capture input as the
  // sheet's), what is attached, and the last answer, beside the button.
  function evidenceBox(e, prefix) {
    var ev = I.evidence[e.id] || {sent: []};
    var box = el('div', {class: 'evidence-box inc-evidence'});
    var input = el('input', {id: prefix + e.id, class: 'evidence-input', type: 'file', accept: 'image/*,video/*', capture: 'environment',
      'aria-label': '拍照或录像，附在第 ' + e.no + ' 号记录上'});
    input.addEventListener('change', function () { attach(e, input); });
    box.appendChild(el('label', {for: prefix + e.id, class: 'big evidence-btn'}, '拍照 / 录像取证'));
    box.appendChild(input);
    var what = window.__tabletMediaText(e.photos, e.clips);
    box.appendChild(el('span', {class: 'evidence-count', 'data-photos': String(e.photos), 'data-clips': String(e.clips)},
      what ? '已附证据：' + what : '尚无证据'));
    if (ev.sent.length) {
      var thumbs = el('div', {class: 'thumbs', title: '本平板拍摄并已上传'});
      ev.sent.forEach(function (x) {
        thumbs.appendChild(x.url ? el('img', {src: x.url, alt: '已上传的照片'}) : el('span', {class: 'clip'}, '▶ 视频'));
      });
      box.appendChild(thumbs);
    }
    box.appendChild(el('p', {class: 'evidence-msg ' + (ev.bad ? 'error' : 'muted'), role: 'status'}, ev.text || ''));
    return box;
  }

  function attach(e, input) {
    var f = input.files && input.files[0];
    if (!f) return;
    var ev = I.evidence[e.id] = I.evidence[e.id] || {sent: []};
    window.__tabletEvidence(f, '/api/v1/judge/incidents/' + e.id + '/evidence', function (text, bad) {
      ev.text = text;
      ev.bad = bad;
      drawList();
    }).then(function (ok) {
      if (!ok) return;
      ev.sent.push({url: f.type.indexOf('image/') === 0 ? URL.createObjectURL(f) : ''});
      load();
    });
  }

  function save() {
    if (I.busy) return;
    var err = $('inc-error');
    if (!I.pick) { err.textContent = '请先点选' + word('station', '赛位'); return; }
    if (!I.kind) { err.textContent = '请点选类别'; return; }
    var min = 0, sec = 0;
    if (I.kind === 'equipment') {
      var mt = $('inc-min').value.trim(), stx = $('inc-sec').value.trim();
      if (!/^\d{0,3}$/.test(mt) || !/^\d{0,2}$/.test(stx)) { err.textContent = '补时的分、秒请填写整数'; return; }
      min = parseInt(mt || '0', 10); sec = parseInt(stx || '0', 10);
    }
    err.textContent = '';
    I.busy = true;
    $('inc-save').disabled = true;
    api('POST', '/api/v1/judge/incidents', {session: I.pick.session, station: I.pick.station, kind: I.kind, occurred: $('inc-time').value,
      added_min: min, added_sec: sec, description: $('inc-desc').value}).then(function (res) {
      I.busy = false;
      $('inc-save').disabled = false;
      if (!res.ok) { err.textContent = message(res); return; }
      resetForm();
      load().then(function () { openAck(res.body); });
    });
  }

  // ---- the contestant's acknowledgment --------------------------------------

  function openAck(e) {
    I.ack = e;
    $('inc-summary').textContent = '第 ' + e.no + ' 号 · ' + e.session + ' · ' + word('station', '赛位') + ' ' + e.station + ' · ' + e.kind_name +
      (e.added ? ' · 补时 ' + e.added : '') + ' · ' + e.occurred + '：' + e.description;
    $('inc-pin').value = '';
    $('inc-ack-error').textContent = '';
    $('inc-ack').hidden = false;
    $('inc-form').hidden = true;
    drawList();
    $('inc-ack').scrollIntoView({block: 'start'});
  }
  function closeAck() {
    I.ack = null;
    $('inc-ack-evidence').textContent = '';
    $('inc-ack').hidden = true;
    $('inc-form').hidden = false;
  }
  function answer(body, done) {
    if (I.busy || !I.ack) return;
    I.busy = true;
    api('POST', '/api/v1/judge/incidents/' + I.ack.id + '/ack', body).then(function (res) {
      I.busy = false;
      if (!res.ok) { $('inc-ack-error').textContent = message(res); $('inc-pin').value = ''; return; }
      closeAck();
      toast(done);
      load();
    });
  }
  function toast(text) {
    var t = $('toast');
    t.textContent = text;
    t.className = 'toast ok';
    t.hidden = false;
    setTimeout(function () { t.hidden = true; }, 4000);
  }

  var pad = $('inc-pad');
  '123456789'.split('').concat(['X', '0', '⌫']).forEach(function (d) {
    var b = el('button', {type: 'button', 'data-key': d}, d);
    b.onclick = function () {
      var p = $('inc-pin');
      p.value = d === '⌫' ? p.value.slice(0, -1) : (p.value + d).slice(0, 4);
    };
    pad.appendChild(b);
  });
  $('inc-ack-go').onclick = function () {
    var v = $('inc-pin').value;
    if (!/^[0-9X]{4}$/.test(v)) { $('inc-ack-error').textContent = '请输入 4 位（数字或 X）'; return; }
    answer({ack: 'pin', pin: v}, word('contestant', '选手') + '已确认');
  };
  $('inc-paper').onclick = function () { answer({ack: 'paper'}, '已记为待签字：打印赛场记录后由' + word('contestant', '选手') + '签字'); };
  $('inc-refuse').onclick = function () {
    if (!window.confirm('记录为' + word('contestant', '选手') + '拒绝签字？')) return;
    answer({ack: 'refused'}, '已记录：' + word('contestant', '选手') + '拒绝签字');
  };
  $('inc-later').onclick = closeAck;
  $('incident-open').onclick = open;
  $('inc-back').onclick = close;
  $('inc-save').onclick = save;
})();
