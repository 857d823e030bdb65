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
  document.querySelectorAll("form.majlis-form").forEach(function (form) {
    form.addEventListener("submit", function () {
      var b = form.querySelector("button[type=submit]");
      if (b) b.disabled = true;
    });
  });
})();
