// 状态…: the dialog asks for the status and, where the results will publish
// it, the reason; the server checks who may set what (web/statuses.go) and
// the page reloads to show the change.
(function () {
  const dlg = document.getElementById('status-dialog');
  if (!dlg) return;
  const value = document.getElementById('status-value');
  const reason = document.getElementById('status-reason');
  const err = document.getElementById('status-error');
  const ok = document.getElementById('status-ok');
  let id = null;

  function showError(msg) {
    err.textContent = msg;
    err.hidden = false;
  }

  document.addEventListener('click', function (e) {
    const btn = e.target.closest('button.set-status');
    if (!btn) return;
    id = btn.dataset.contestant;
    document.getElementById('status-who').textContent = btn.dataset.who;
    document.getElementById('status-now').textContent = btn.dataset.status || '正常参赛';
    value.value = '';
    reason.value = '';
    err.hidden = true;
    ok.disabled = false;
    dlg.showModal();
    value.focus();
  });
  document.getElementById('status-cancel').addEventListener('click', function () { dlg.close(); });

  document.getElementById('status-form').addEventListener('submit', async function (e) {
    e.preventDefault();
    const opt = value.options[value.selectedIndex];
    const why = reason.value.trim();
    if (!value.value) { showError('请选择选手状态'); value.focus(); return; }
    if (opt.dataset.needsReason === 'true' && !why) { showError(opt.textContent + '须填写原因'); reason.focus(); return; }
    ok.disabled = true;
    try {
      const res = await fetch('/api/v1/events/' + encodeURIComponent(dlg.dataset.event) + '/contestants/' +
        encodeURIComponent(id) + '/status', {
        method: 'POST', credentials: 'same-origin', cache: 'no-store',
        headers: { 'X-CSRF-Token': dlg.dataset.csrf, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ status: value.value, reason: why }),
      });
      const body = await res.json().catch(function () { return {}; });
      if (!res.ok) {
        showError((body.error && body.error.message) || ('设置失败（' + res.status + '）'));
        ok.disabled = false;
        return;
      }
      dlg.close();
      location.reload();
    } catch (x) {
      showError('网络连接中断，未能设置，请重试');
      ok.disabled = false;
    }
  });
})();
