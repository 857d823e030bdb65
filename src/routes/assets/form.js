// majlis: the live "characters left" counter of the plain comment form.
// Counts exactly what the server counts (src/domain/text.rs): CRLF as one
// newline, NFC, trimmed of Unicode White_Space (which, unlike JavaScript's
// trim, keeps U+FEFF and drops U+0085), in Unicode scalar values.
(function () {
  "use strict";
  var WS = "[\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]+";
  var TRIM = new RegExp("^" + WS + "|" + WS + "$", "g");
  function count(text) {
    return Array.from(text.replace(/\r\n?/g, "\n").normalize("NFC").replace(TRIM, "")).length;
  }
  var lang = document.documentElement.lang || "en";
  var rules = window.Intl && Intl.PluralRules ? new Intl.PluralRules(lang) : null;
  document.querySelectorAll("textarea[data-max]").forEach(function (area) {
    var max = parseInt(area.getAttribute("data-max"), 10) || 0;
    var out = area.form && area.form.querySelector("[data-left]");
    if (!out) return;
    var texts;
    try { texts = JSON.parse(out.getAttribute("data-texts")); } catch (e) { return; }
    var update = function () {
      var left = max - count(area.value);
      var n = Math.abs(left);
      var cat = rules ? rules.select(n) : (n === 1 ? "one" : "other");
      var group = left < 0 ? texts.over : texts.left;
      out.textContent = (group[cat] || group.other).replace("{n}", String(n));
      out.classList.toggle("majlis-over", left < 0);
    };
    area.addEventListener("input", update);
    update();
  });
  // One send per press. The buttons are marked, not disabled: a disabled
  // button is left out of the form data, and "new code" is told apart from
  // "send" by its name.
  document.querySelectorAll("form.majlis-form").forEach(function (form) {
    var buttons = form.querySelectorAll("button[type=submit]");
    var mark = function (on) {
      buttons.forEach(function (b) {
        if (on) b.setAttribute("aria-disabled", "true"); else b.removeAttribute("aria-disabled");
      });
    };
    form.addEventListener("submit", function (e) {
      if (form.hasAttribute("data-sending")) { e.preventDefault(); return; }
      form.setAttribute("data-sending", "");
      mark(true);
    });
    // Back from the next page (back-forward cache): the form works again.
    window.addEventListener("pageshow", function () {
      form.removeAttribute("data-sending");
      mark(false);
    });
  });
  // Inside an iframe, tell the host page how tall the content is, so the
  // snippet can size the frame (see the README's iframe embed).
  if (window.parent !== window && window.ResizeObserver) {
    var last = 0;
    new ResizeObserver(function () {
      var h = Math.ceil(document.documentElement.scrollHeight);
      if (h !== last) {
        last = h;
        window.parent.postMessage({ type: "majlis:height", height: h }, "*");
      }
    }).observe(document.documentElement);
  }
})();
