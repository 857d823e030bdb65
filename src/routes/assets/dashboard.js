/* majlis moderator dashboard: keyboard shortcuts and in-place decisions.
   Everything also works without this script (plain POST forms).
   j / k: next / previous comment; a: approve; r: reject (choose a reason,
   Enter sends); s: spam; x: select for a bulk action; e: edit. */
(function () {
  'use strict';
  var items = function () { return Array.prototype.slice.call(document.querySelectorAll('.item:not(.busy)')); };
  var current = null;

  function focusItem(el) {
    if (current) current.classList.remove('current');
    current = el || null;
    if (!current) return;
    current.classList.add('current');
    current.focus({ preventScroll: true });
    current.scrollIntoView({ block: 'nearest' });
  }

  function move(step) {
    var list = items();
    if (!list.length) return;
    var i = current ? list.indexOf(current) : -1;
    var next = list[Math.max(0, Math.min(list.length - 1, i + step))];
    focusItem(next);
  }

  function localTimes() {
    document.querySelectorAll('.meta time').forEach(function (t) {
      var d = new Date(t.getAttribute('datetime'));
      var span = t.parentNode.querySelector('.local');
      if (span && !isNaN(d)) span.textContent = '(' + d.toLocaleString() + ')';
    });
  }

  /* Send a decision form in the background and move on to the next comment
     at once; the decided one leaves the list when the server confirms. On
     failure, fall back to a normal form post (which shows the error). */
  function send(form) {
    var item = form.closest('.item');
    if (item && item.classList.contains('busy')) return;
    var body = new URLSearchParams(new FormData(form));
    if (item) {
      var list = items();
      var at = list.indexOf(item);
      item.classList.add('busy');
      focusItem(list[at + 1] || list[at - 1]);
    }
    fetch(form.action, {
      method: 'POST',
      body: body,
      credentials: 'same-origin',
      headers: { 'Accept': 'application/json' }
    }).then(function (r) {
      if (!r.ok) throw new Error('HTTP ' + r.status);
      if (item) item.remove();
      if (!document.querySelector('.item')) window.location.reload();
    }).catch(function () { form.submit(); });
  }

  document.addEventListener('submit', function (e) {
    var form = e.target;
    if (form.closest && form.closest('.item .actions') && window.fetch) {
      e.preventDefault();
      send(form);
    }
  });

  document.addEventListener('keydown', function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    var tag = (e.target.tagName || '').toLowerCase();
    if (tag === 'input' || tag === 'textarea' || tag === 'select') {
      if (e.key === 'Escape') { e.target.blur(); focusItem(current); }
      return;
    }
    var k = e.key;
    if (k === 'j') { move(1); e.preventDefault(); return; }
    if (k === 'k') { move(-1); e.preventDefault(); return; }
    if (!current) return;
    var q = function (sel) { return current.querySelector(sel); };
    if (k === 'a' && q('form.approve')) { e.preventDefault(); send(q('form.approve')); }
    else if (k === 'r' && q('form.reject select')) { e.preventDefault(); q('form.reject select').focus(); }
    else if (k === 's' && q('form.spam')) { e.preventDefault(); send(q('form.spam')); }
    else if (k === 'x') { e.preventDefault(); var c = q('input[type=checkbox]'); c.checked = !c.checked; }
    else if (k === 'e') { e.preventDefault(); var d = q('details.edit'); d.open = true; d.querySelector('textarea').focus(); }
  });

  document.addEventListener('DOMContentLoaded', function () {
    localTimes();
    focusItem(items()[0]);
  });
})();
