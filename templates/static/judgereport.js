// A judge's own self-review report on the tablet (issue 16): asked with the
// tablet's device token (the one tablet.js keeps), so a judge only ever
// sees their own.
(function () {
  'use strict';
  var token = window.localStorage.getItem('skillscore.judge.token') || '';
  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function get(path) {
    return fetch(path, {headers: {'Authorization': 'Bearer ' + token}, cache: 'no-store'});
  }
  if (!token) {
    $('status').textContent = '本平板尚未登录，请先扫描裁判登录卡登录。';
    return;
  }
  get('/api/v1/judge/report').then(function (res) {
    return res.json().then(function (body) { return {ok: res.ok, body: body}; });
  }).then(function (r) {
    if (!r.ok) {
      $('status').textContent = (r.body && r.body.error && r.body.error.message) || '读取失败，请稍后重试';
      return;
    }
    var rep = r.body;
    $('title').textContent = rep.EventName + ' · 裁判 ' + rep.Judge + ' 评分自评报告';
    $('status').textContent = rep.Modules && rep.Modules.length ? '' : '本人评分的模块尚未锁定，锁定并经裁判长签字确认后可查看。';
    $('summary').textContent = '汇总：' + rep.StatsText;
    $('summary').hidden = false;
    if (rep.Pending && rep.Pending.length) {
      $('pending').textContent = '尚未锁定的模块：' + rep.Pending.join('、');
      $('pending').hidden = false;
    }
    (rep.Modules || []).forEach(function (m) {
      var box = $('modules');
      box.appendChild(el('h2', '', m.Name));
      var t = el('table', 'rows');
      var head = el('tr');
      ['选手', '评分项', '本人评分', '组平均', '偏差', '裁判组得分', '提示'].forEach(function (h) { head.appendChild(el('th', '', h)); });
      t.appendChild(head);
      (m.Rows || []).forEach(function (row) {
        var tr = el('tr');
        tr.appendChild(el('td', '', row.First ? row.Contestant + '（本人折合 ' + (row.SheetScore || '—') + '，裁判组 ' + row.ModuleScore + '）' : ''));
        tr.appendChild(el('td', '', row.Aspect));
        tr.appendChild(el('td', 'num' + (row.Dropped ? ' dropped' : ''), row.Mine));
        tr.appendChild(el('td', 'num', row.PanelMean || '—'));
        tr.appendChild(el('td', 'num deviation', row.Deviation || '—'));
        tr.appendChild(el('td', 'num', row.Panel));
        tr.appendChild(el('td', 'flag', (row.Dropped ? '去掉 ' : '') + (row.Flag || '')));
        t.appendChild(tr);
      });
      box.appendChild(t);
    });
    $('pdf').hidden = false;
  }).catch(function () {
    $('status').textContent = '网络不通，请稍后重试';
  });
  $('pdf').addEventListener('click', function () {
    get('/api/v1/judge/report.pdf').then(function (res) {
      if (!res.ok) throw new Error('pdf');
      return res.blob();
    }).then(function (b) {
      var a = document.createElement('a');
      a.href = URL.createObjectURL(b);
      a.download = '评分自评报告.pdf';
      document.body.appendChild(a);
      a.click();
      a.remove();
    }).catch(function () { $('status').textContent = 'PDF 下载失败，请稍后重试'; });
  });
})();
