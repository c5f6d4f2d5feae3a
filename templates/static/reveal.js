// 查看: a masked 证件号码 and phone become whole only after the organizer
// says why; the server records the view (web/reveal.go) and answers with
// the numbers, which fill that row alone. Nothing is kept in the page's URL
// or storage.
(function () {
  const dlg = document.getElementById('reveal-dialog');
  if (!dlg) return;
  const reason = document.getElementById('reveal-reason');
  const note = document.getElementById('reveal-note');
  const err = document.getElementById('reveal-error');
  const ok = document.getElementById('reveal-ok');
  let row = null;

  function showError(msg) {
    err.textContent = msg;
    err.hidden = false;
  }

  document.addEventListener('click', function (e) {
    const btn = e.target.closest('button.reveal');
    if (!btn) return;
    row = btn.closest('tr[data-contestant]');
    document.getElementById('reveal-who').textContent = row.dataset.name;
    reason.value = '';
    note.value = '';
    err.hidden = true;
    ok.disabled = false;
    dlg.showModal();
    reason.focus();
  });
  document.getElementById('reveal-cancel').addEventListener('click', function () { dlg.close(); });

  document.getElementById('reveal-form').addEventListener('submit', async function (e) {
    e.preventDefault();
    let why = reason.value;
    const extra = note.value.trim();
    if (!why) { showError('请选择查看原因'); reason.focus(); return; }
    if (why === '其他') {
      if (!extra) { showError('选择“其他”时请填写说明'); note.focus(); return; }
      why = extra;
    } else if (extra) {
      why += '：' + extra;
    }
    ok.disabled = true;
    try {
      const res = await fetch('/api/v1/events/' + encodeURIComponent(dlg.dataset.event) + '/contestants/' +
        encodeURIComponent(row.dataset.contestant) + '/reveal', {
        method: 'POST', credentials: 'same-origin', cache: 'no-store',
        headers: { 'X-CSRF-Token': dlg.dataset.csrf, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ reason: why, page: dlg.dataset.page }),
      });
      const body = await res.json().catch(function () { return {}; });
      if (!res.ok) {
        showError((body.error && body.error.message) || body.message || ('查看失败（' + res.status + '）'));
        ok.disabled = false;
        return;
      }
      row.querySelectorAll('.masked[data-field]').forEach(function (span) {
        span.textContent = body[span.dataset.field] || '';
        span.classList.remove('masked');
        span.classList.add('revealed');
      });
      const btn = row.querySelector('button.reveal');
      if (btn) btn.replaceWith(Object.assign(document.createElement('span'), { className: 'meta', textContent: '（已记录查看）' }));
      dlg.close();
    } catch (x) {
      showError('网络连接中断，未能查看，请重试');
      ok.disabled = false;
    }
  });
})();
