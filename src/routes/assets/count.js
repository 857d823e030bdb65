/* majlis comment counts for index pages: put
 *   <span data-majlis-count data-site="KEY" data-article="ARTICLE-KEY"></span>
 * anywhere, then load this script once. One request per site, 100 articles each. */
(function () {
  "use strict";
  var script = document.currentScript;
  var base = new URL(script ? script.src : "/", location.href).origin;
  var bySite = {};
  document.querySelectorAll("[data-majlis-count]").forEach(function (e) {
    var s = e.getAttribute("data-site"), a = e.getAttribute("data-article");
    if (!s || !a) return;
    (bySite[s] = bySite[s] || {})[a] = (bySite[s][a] || []).concat([e]);
  });
  Object.keys(bySite).forEach(function (site) {
    var keys = Object.keys(bySite[site]);
    for (var i = 0; i < keys.length; i += 100) {
      var chunk = keys.slice(i, i + 100);
      fetch(base + "/api/v1/sites/" + encodeURIComponent(site) + "/counts?articles=" + chunk.map(encodeURIComponent).join(","))
        .then(function (r) { return r.json(); })
        .then(function (b) {
          Object.keys(b.counts || {}).forEach(function (a) {
            (bySite[site][a] || []).forEach(function (e) { e.textContent = String(b.counts[a]); });
          });
        })
        .catch(function () {});
    }
  });
})();
