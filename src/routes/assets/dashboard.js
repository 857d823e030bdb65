/* majlis moderator dashboard: keyboard shortcuts and in-place decisions.
   Everything also works without this script (plain POST forms).
   j / k: next / previous comment; a: approve (a held comment asks for a
   second a); r: reject (choose a reason, Enter sends); s: spam; x: select
   for a bulk action; e: edit; u: undo the last decision while it waits. */
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
    document.querySelectorAll('.item .confirm').forEach(function (c) { c.remove(); });
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

  var toast = document.getElementById('toast');
  var undoMs = toast ? parseInt(toast.getAttribute('data-undo-ms'), 10) || 0 : 0;
  /* Decisions waiting for their undo window: {form, item, parent, next, timer}. */
  var waiting = [];

  function kindOf(form) {
    return ['approve', 'reject', 'spam', 'delete'].filter(function (k) {
      return form.classList.contains(k);
    })[0] || 'approve';
  }

  function say(text, withUndo) {
    if (!toast) return;
    toast.querySelector('.msg').textContent = text;
    toast.querySelector('.undo').hidden = !withUndo;
    toast.hidden = false;
  }

  function mark() { document.body.setAttribute('data-waiting', String(waiting.length)); }

  /* The tabs' counts, fetched again after every decision the server confirms
     and every half minute. */
  function refreshCounts() {
    if (!window.fetch || !document.querySelector('.tabs a[data-tab]')) return;
    var site = new URLSearchParams(window.location.search).get('site') || '';
    fetch('/dashboard/counts?site=' + encodeURIComponent(site), { credentials: 'same-origin' })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (counts) {
        if (!counts) return;
        Object.keys(counts).forEach(function (k) {
          var c = document.querySelector('.tabs a[data-tab="' + k + '"] .count');
          /* The server stops counting at 1000 (TAB_COUNT_CAP): a badge says 999+. */
          if (c) c.textContent = counts[k] >= 1000 ? '999+' : String(counts[k]);
        });
      })
      .catch(function () {});
  }

  /* Send a decision form in the background. On failure, fall back to a
     normal form post (which shows the error). */
  function post(form, item) {
    fetch(form.action, {
      method: 'POST',
      body: new URLSearchParams(new FormData(form)),
      credentials: 'same-origin',
      headers: { 'Accept': 'application/json' }
    }).then(function (r) {
      if (!r.ok) throw new Error('HTTP ' + r.status);
      if (item) item.remove();
      refreshCounts();
      if (!document.querySelector('.item') && !waiting.length) window.location.reload();
    }).catch(function () {
      if (item && !item.isConnected) document.querySelector('.items').appendChild(item);
      if (toast) say(toast.getAttribute('data-failed'), false);
      form.submit();
    });
  }

  /* A decision: the comment leaves the list at once and the next one is
     selected. With an undo window the decision waits there first; "undo"
     (the button or u) puts the comment back. */
  function send(form) {
    var item = form.closest('.item');
    if (item && item.classList.contains('busy')) return;
    if (item) {
      var list = items();
      var at = list.indexOf(item);
      focusItem(list[at + 1] || list[at - 1]);
    }
    if (!undoMs || !item) {
      if (item) item.classList.add('busy');
      post(form, item);
      return;
    }
    var w = { form: form, item: item, parent: item.parentNode, next: item.nextSibling };
    item.remove();
    w.timer = setTimeout(function () { commit(w); }, undoMs);
    waiting.push(w);
    mark();
    say(toast.getAttribute('data-' + kindOf(form)), true);
  }

  function commit(w) {
    var i = waiting.indexOf(w);
    if (i < 0) return;
    waiting.splice(i, 1);
    mark();
    if (!waiting.length && toast) toast.hidden = true;
    post(w.form, null);
  }

  function undo() {
    var w = waiting.pop();
    if (!w) return;
    clearTimeout(w.timer);
    mark();
    w.parent.insertBefore(w.item, w.next && w.next.parentNode === w.parent ? w.next : null);
    focusItem(w.item);
    if (waiting.length) say(toast.getAttribute('data-' + kindOf(waiting[waiting.length - 1].form)), true);
    else toast.hidden = true;
  }

  /* Leaving the page sends what is still waiting. */
  window.addEventListener('pagehide', function () {
    waiting.splice(0).forEach(function (w) {
      clearTimeout(w.timer);
      navigator.sendBeacon(w.form.action, new URLSearchParams(new FormData(w.form)));
    });
    mark();
  });

  if (toast) toast.querySelector('.undo').addEventListener('click', undo);

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
    if (k === 'u') { e.preventDefault(); undo(); return; }
    if (!current) return;
    var q = function (sel) { return current.querySelector(sel); };
    if (k === 'a' && q('form.approve') && current.classList.contains('held') && !q('.confirm')) {
      /* A comment the rules held asks for a second a before it goes out. */
      e.preventDefault();
      var p = document.createElement('p');
      p.className = 'confirm';
      p.setAttribute('role', 'alert');
      p.textContent = toast ? toast.getAttribute('data-confirm-held') : '';
      q('.actions').before(p);
    }
    else if (k === 'a' && q('form.approve')) { e.preventDefault(); send(q('form.approve')); }
    else if (k === 'r' && q('form.reject select')) { e.preventDefault(); q('form.reject select').focus(); }
    else if (k === 's' && q('form.spam')) { e.preventDefault(); send(q('form.spam')); }
    else if (k === 'x') { e.preventDefault(); var c = q('input[type=checkbox]'); c.checked = !c.checked; }
    else if (k === 'e') { e.preventDefault(); var d = q('details.edit'); d.open = true; d.querySelector('textarea').focus(); }
  });

  document.addEventListener('DOMContentLoaded', function () {
    localTimes();
    focusItem(items()[0]);
    mark();
    setInterval(refreshCounts, 30000);
  });
})();
