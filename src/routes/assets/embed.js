/* majlis embed: one script tag renders the comment form and the published
 * comments of an article into a Shadow DOM next to the tag.
 *   <script src="https://comments.example/embed.js" data-site="KEY"
 *           data-article="ARTICLE-KEY" data-lang="ar" async></script>
 * Optional: data-article-url, data-article-title, data-theme="dark".
 * Theming: --majlis-accent, --majlis-on-accent and --majlis-font set on the
 * page (they inherit into the Shadow DOM).
 * No framework, no external requests, user text only through textContent. */
(function () {
  "use strict";
  var STRINGS = /*STRINGS*/ {};
  var script = document.currentScript;
  if (!script) return;
  var base = new URL(script.src, location.href).origin;
  var data = script.dataset;
  var site = data.site, article = data.article;
  if (!site || !article) return;
  var enc = encodeURIComponent;
  var api = base + "/api/v1/sites/" + enc(site);

  function el(tag, attrs, kids) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) {
      if (k === "text") e.textContent = attrs[k];
      else if (k.slice(0, 2) === "on") e.addEventListener(k.slice(2), attrs[k]);
      else if (attrs[k] !== null && attrs[k] !== undefined) e.setAttribute(k, attrs[k]);
    }
    (kids || []).forEach(function (c) { if (c) e.append(c); });
    return e;
  }
  // What the server counts: CRLF as one newline, NFC, trimmed of Unicode
  // White_Space (unlike JS trim: keeps U+FEFF, drops U+0085), code points.
  var WS = "[\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]+";
  var TRIM = new RegExp("^" + WS + "|" + WS + "$", "g");
  function count(text) {
    return Array.from(text.replace(/\r\n?/g, "\n").normalize("NFC").replace(TRIM, "")).length;
  }
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function when(iso, lang) {
    var d = new Date(iso);
    if (isNaN(d)) return "";
    // The browser's month names (ICU's, as the server's page uses).
    var m = d.toLocaleString(lang, { month: "long", timeZone: "UTC" });
    var t = pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes()) + " GMT";
    return d.getUTCDate() + " " + m + " " + d.getUTCFullYear() + (lang === "ar" ? " - " : ", ") + t;
  }
  function json(url, opts) {
    return fetch(url, opts).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (b) { return { status: r.status, body: b }; });
    });
  }

  // Proof of work, in a Web Worker made from this function's source: the n
  // whose SHA-256(salt + n) is the challenge (sync SHA-256: no secure context needed).
  function powWorker() {
    // Fractions of the cube and square roots of the first primes.
    var K = [], H0 = [], W = new Int32Array(64), H = new Int32Array(8), p = 2, q, k = 0;
    for (; k < 64; p++) {
      for (q = 2; q * q <= p && p % q; q++);
      if (q * q > p) { if (k < 8) H0[k] = Math.sqrt(p) % 1 * 4294967296 | 0; K[k++] = Math.cbrt(p) % 1 * 4294967296 | 0; }
    }
    function r(x, n) { return x >>> n | x << 32 - n; }
    function sha(m, len) {
      var nb = len + 72 & ~63, i, o, a, b, c, d, e, f, g, h, t;
      m.fill(0, len, nb);
      m[len] = 128;
      m[nb - 2] = len >>> 5;
      m[nb - 1] = len << 3;
      H.set(H0);
      for (o = 0; o < nb; o += 64) {
        for (i = 0; i < 64; i++) W[i] = i < 16 ? m[o + 4 * i] << 24 | m[o + 4 * i + 1] << 16 | m[o + 4 * i + 2] << 8 | m[o + 4 * i + 3] :
          W[i - 16] + (r(W[i - 15], 7) ^ r(W[i - 15], 18) ^ W[i - 15] >>> 3) + W[i - 7] + (r(W[i - 2], 17) ^ r(W[i - 2], 19) ^ W[i - 2] >>> 10) | 0;
        a = H[0]; b = H[1]; c = H[2]; d = H[3]; e = H[4]; f = H[5]; g = H[6]; h = H[7];
        for (i = 0; i < 64; i++) {
          t = h + (r(e, 6) ^ r(e, 11) ^ r(e, 25)) + (e & f ^ ~e & g) + K[i] + W[i] | 0;
          h = g; g = f; f = e; e = d + t | 0; d = c; c = b; b = a;
          a = t + (r(b, 2) ^ r(b, 13) ^ r(b, 22)) + (b & c ^ b & d ^ c & d) | 0;
        }
        H[0] += a; H[1] += b; H[2] += c; H[3] += d; H[4] += e; H[5] += f; H[6] += g; H[7] += h;
      }
    }
    self.onmessage = function (ev) {
      var c = ev.data, s = c.salt, m = new Uint8Array(s.length + 99), w = [], i, n, l, d;
      for (i = 0; i < 8; i++) w[i] = parseInt(c.challenge.substr(8 * i, 8), 16) | 0;
      for (i = 0; i < s.length; i++) m[i] = s.charCodeAt(i);
      for (n = 0; n <= c.maxnumber; n++) {
        d = String(n);
        l = s.length;
        for (i = 0; i < d.length; i++) m[l++] = d.charCodeAt(i);
        sha(m, l);
        for (i = 0; i < 8 && H[i] === w[i]; i++);
        if (i === 8) return self.postMessage(n);
      }
      self.postMessage(null);
    };
  }
  var host = el("div", { "class": "majlis-host" });
  script.parentNode.insertBefore(host, script.nextSibling);
  var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
  // Replying, reporting, more replies and the notice for a page whose origin
  // the site does not allow live in embed-more.js, fetched when first
  // needed: this script stays small for every page view.
  var X = { el: el, json: json, root: root, site: site, api: api, styles: styles, lang: data.lang }, more$;
  function extra(kind, c, at, b) {
    (more$ = more$ || new Promise(function (ok) {
      document.head.append(el("script", { src: base + "/embed-more.js", onload: ok }));
    })).then(function () { window.majlisMore(kind, c, at, b, X); });
  }

  json(api + "/config").then(function (res) {
    if (res.status === 403 && res.body && res.body.error === "origin_not_allowed") return extra("blocked");
    if (res.status !== 200) return;
    var cfg = res.body;
    var lang = STRINGS[data.lang] ? data.lang : (STRINGS[cfg.default_lang] ? cfg.default_lang : "en");
    render(cfg, lang);
  });

  function styles() {
    var css = /*CSS*/ "";
    // A constructed stylesheet is not inline style, so a strict CSP on the
    // host page does not block it; older browsers get a <style> element.
    if (root.adoptedStyleSheets && CSSStyleSheet.prototype.replaceSync) {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
      root.adoptedStyleSheets = [sheet];
    } else {
      root.append(el("style", { text: css }));
    }
  }
  function tr(lang) {
    var T = STRINGS[lang] || STRINGS.en;
    return function (k) { return T[k] || STRINGS.en[k] || k; };
  }

  function render(cfg, lang) {
    var t = tr(lang);
    var dir = lang === "ar" ? "rtl" : "ltr";
    styles();
    var wrap = el("section", { "class": "majlis" + (data.theme === "dark" ? " dark" : ""), lang: lang, dir: dir });
    root.append(wrap);

    // ---- the list -------------------------------------------------------
    var countEl = el("span", { "class": "count" });
    var list = el("ol", { "class": "list" });
    var more = el("button", { type: "button", "class": "more", hidden: "", text: t("comments.more") });
    var empty = el("p", { "class": "empty", hidden: "", text: t("comments.none") });
    var cursor = null, loadedByHand = false;
    // On a phone a long list pushes the form far down: a way to jump to it.
    var write = el("p", { "class": "write", hidden: "" }, [el("a", { href: "#", text: t("form.write"), onclick: function (ev) {
      ev.preventDefault();
      if (form.hidden) { done.hidden = true; form.hidden = false; }
      form.scrollIntoView({ block: "start" });
      nameIn.focus({ preventScroll: true });
    } })]);
    wrap.append(el("h2", {}, [t("comments.heading") + " ", countEl]),
      el("p", { "class": "feed" }, [el("a", { href: api + "/articles/" + enc(article) + "/feed.atom", type: "application/atom+xml", text: t("comments.feed") })]),
      write, empty, list, more);
    function loadCount(fresh) {
      json(api + "/counts?articles=" + enc(article), fresh).then(function (r) {
        var n = r.body && r.body.counts ? r.body.counts[article] : 0;
        countEl.textContent = "(" + (n || 0) + ")";
        empty.hidden = n > 0;
        write.hidden = !(n > 0);
      });
    }
    // A comment; a top-level one with its replies under it (one level: a
    // reply to a reply names whom it answers).
    function item(c, sub) {
      var body = el("div", { "class": "body", dir: "auto" }), dot = " · ";
      c.body.split("\n").forEach(function (line, i) {
        if (i) body.append(el("br"));
        body.append(line);
      });
      var li = el("li", { "class": "comment", tabindex: "-1" }, [
        el(sub ? "h4" : "h3", { dir: "auto", text: c.title }),
        el("p", { "class": "meta" }, [el("bdi", { text: c.name || t("comments.anonymous") }),
          c.in_reply_to ? dot + t("comments.in_reply_to").replace("{name}", c.in_reply_to) + dot : dot,
          el("time", { datetime: c.published_at, text: when(c.published_at, lang) })]),
        body,
        el("p", { "class": "acts" }, [el("button", { type: "button", text: t("comments.reply"), onclick: function () { extra("reply", c, li); } }),
          el("button", { type: "button", text: t("comments.report"), onclick: function () { extra("report", c, li); } })])
      ]), rs = c.replies;
      if (cfg.likes) extra("likes", c, li);
      if (rs) {
        var ol = li.appendChild(el("ol", { "class": "list replies" }));
        rs.first.forEach(function (x) { ol.append(item(x, 1)); });
        if (rs.count > rs.first.length) li.append(el("button", { type: "button", "class": "more", text: t("comments.replies_more").replace("{count}", rs.count), onclick: function () { extra("replies", c, ol, this); } }));
      }
      return li;
    }
    function loadPage(fresh) {
      more.disabled = true;
      var url = api + "/articles/" + enc(article) + "/comments?order=featured&limit=20" + (cursor ? "&cursor=" + enc(cursor) : "");
      json(url, fresh).then(function (r) {
        more.disabled = false;
        if (r.status !== 200) return;
        var first = null;
        r.body.comments.forEach(function (c) {
          // The editors' selection comes first, under its own heading.
          if (c.featured && !list.firstChild) list.append(el("li", { "class": "picked", text: t("comments.featured") }));
          var li = list.appendChild(item(c));
          if (c.featured) li.classList.add("featured");
          first = first || li;
        });
        cursor = r.body.next_cursor;
        more.hidden = !cursor;
        // The last "load more" disappears: focus the first comment it loaded
        // rather than letting focus fall to the page.
        if (loadedByHand && !cursor && first) first.focus();
        loadedByHand = false;
      });
    }
    more.addEventListener("click", function () { loadedByHand = true; loadPage(); });
    loadCount();
    loadPage();

    // ---- the form -------------------------------------------------------
    var n = 0;
    var fields = {};
    var banner = el("p", { "class": "banner", role: "alert", hidden: "" });
    var form = el("form", { "class": "form", novalidate: "" });
    function field(name, label, input, extra) {
      var id = "m-" + name + "-" + (++n);
      var err = el("p", { "class": "error", id: id + "-err", hidden: "" });
      input.id = id;
      var described = [];
      if (extra && extra.id) described.push(extra.id);
      if (described.length) input.setAttribute("aria-describedby", described.join(" "));
      fields[name] = { input: input, err: err, base: described };
      var lab = el("label", { "for": id }, [t(label) + " ",
        el("span", { "class": "req", "aria-hidden": "true", text: "*" })]);
      return el("div", { "class": "field" }, [lab, input, extra, err]);
    }
    var nameIn = el("input", { name: "name", type: "text", autocomplete: "name", maxlength: "60", required: "", dir: "auto" });
    var emailIn = el("input", { name: "email", type: "email", autocomplete: "email", maxlength: "254", required: "", dir: "ltr" });
    var titleIn = el("input", { name: "title", type: "text", maxlength: "120", required: "", dir: "auto" });
    var bodyIn = el("textarea", { name: "body", rows: "6", required: "", dir: "auto" });
    var left = el("span", { "class": "n" });
    var leftP = el("p", { "class": "left", id: "m-left-" + (++n), "aria-live": "polite" }, [left]);
    var plural = new Intl.PluralRules(lang);
    function updateLeft() {
      var l = cfg.max_body_chars - count(bodyIn.value), k = Math.abs(l);
      var key = (l < 0 ? "form.over." : "form.left.") + plural.select(k);
      left.textContent = t(key).replace("{n}", String(k));
      leftP.classList.toggle("over", l < 0);
    }
    bodyIn.addEventListener("input", updateLeft);
    updateLeft();
    var terms = el("input", { name: "accept_terms", type: "checkbox", required: "" });
    var termsLink = el("a", { href: cfg.terms_url || "#", target: "_blank", rel: "noopener", text: t("form.terms_read") });

    form.append(el("h2", { text: t("form.heading") }), banner,
      field("name", "form.name", nameIn),
      field("email", "form.email", emailIn, el("small", { id: "m-hint-" + (++n), text: t("form.email_hint") })),
      field("title", "form.title", titleIn),
      field("body", "form.body", bodyIn, leftP));
    var termsId = "m-terms-" + (++n);
    terms.id = termsId;
    var termsErr = el("p", { "class": "error", id: termsId + "-err", hidden: "" });
    fields.accept_terms = { input: terms, err: termsErr, base: [] };
    form.append(el("div", { "class": "field check" }, [terms,
      el("span", {}, [el("label", { "for": termsId, text: t("form.terms") }), " ", termsLink]), termsErr]));
    var notify = el("input", { name: "notify_replies", type: "checkbox" });
    form.append(el("label", { "class": "field check" }, [notify, t("form.notify_replies")]));

    // Solved in a worker while the reader types; spent by any real attempt.
    // Without workers (a CSP refusing blob:) no proof is sent, as without JS.
    var pow;
    function newPow() {
      var mine = pow = {};
      mine.ready = json(base + "/api/v1/pow?site=" + enc(site)).then(function (r) {
        var c = r.body;
        if (r.status !== 200) return;
        mine.exp = parseInt(c.salt.split("expires=")[1]) * 1e3;
        return new Promise(function (done) {
          var w = new Worker(URL.createObjectURL(new Blob(["(" + powWorker + ")()"], { type: "text/javascript" })));
          w.onmessage = function (ev) {
            w.terminate();
            c.number = ev.data;
            done(ev.data === null ? null : btoa(JSON.stringify(c)));
          };
          w.onerror = function () { done(null); };
          w.postMessage(c);
        });
      }).catch(function () {});
    }
    // A new one when the reader outlived it.
    function readyPow() {
      if (pow.exp < Date.now() + 5000) newPow();
      return pow.ready;
    }
    newPow();
    var captcha = null, ask = cfg.captcha == "always", capField;
    var img = el("img", { alt: t("form.captcha_alt"), width: "200", height: "64" });
    var audio = el("audio", { controls: "", preload: "none", hidden: "" });
    var answer = el("input", { name: "captcha_answer", type: "text", autocomplete: "off", autocapitalize: "off", spellcheck: "false", required: "", dir: "ltr" });
    // A new code; with `withAudio` also its spoken version, played at once.
    function newCaptcha(withAudio) {
      if (!ask) return;
      var url = base + "/api/v1/captcha?site=" + enc(site) + (withAudio === true ? "&audio=1" : "");
      json(url).then(function (r) {
        if (r.status !== 200) return;
        captcha = r.body.id;
        img.width = r.body.width;
        img.height = r.body.height;
        img.src = r.body.image;
        answer.value = "";
        if (r.body.audio_url) {
          audio.src = base + r.body.audio_url;
          audio.hidden = false;
          audio.play().catch(function () {});
        } else {
          audio.hidden = true;
          audio.removeAttribute("src");
        }
      });
    }
    if (cfg.captcha_enabled) {
      var tools = el("div", { "class": "tools" }, [
        el("button", { type: "button", onclick: function () { clearError("captcha_answer"); newCaptcha(false); }, text: t("form.captcha_new") }),
        el("button", { type: "button", text: t("form.captcha_audio"), onclick: function () { clearError("captcha_answer"); newCaptcha(true); } })
      ]);
      form.append(capField = field("captcha_answer", "form.captcha", answer, el("div", { "class": "captcha" }, [img, tools, audio])));
      capField.hidden = !ask;
    }
    // The honeypot: off screen, out of the tab order and of the
    // accessibility tree; only a program fills it (stored as spam).
    var trap = el("input", { name: "website", type: "text", tabindex: "-1", autocomplete: "off" });
    form.append(el("div", { "class": "trap", "aria-hidden": "true" }, [el("label", {}, [t("form.honeypot") + " ", trap])]));
    // The posting rules sit just above the submit button.
    var rules = el("div", { "class": "rules", tabindex: "-1" }, [el("h3", { text: t("form.rules_heading") }), el("p", { text: (cfg.rules_text || {})[lang] || t("form.rules") })]);
    form.append(rules);
    var submit = el("button", { type: "submit", "class": "submit", text: t("form.submit") });
    form.append(submit);
    // The thank-you takes the form's place, where the reader is looking.
    var doneText = el("p");
    var done = el("div", { "class": "success", role: "status", tabindex: "-1", hidden: "" }, [doneText,
      el("button", { type: "button", text: t("form.another"), onclick: function () {
        done.hidden = true;
        form.hidden = false;
        nameIn.focus();
      } })]);
    wrap.append(form, done);
    newCaptcha();
    X.t = t; X.lang = lang; X.form = form; X.done = done; X.wrap = wrap; X.item = item; X.focus = nameIn; X.pow = readyPow; X.newPow = newPow; X.cfg = cfg;

    function clearError(name) {
      var f = fields[name];
      if (!f) return;
      f.err.hidden = true;
      f.err.textContent = "";
      f.input.removeAttribute("aria-invalid");
      if (f.base.length) f.input.setAttribute("aria-describedby", f.base.join(" "));
      else f.input.removeAttribute("aria-describedby");
    }
    function clearErrors() {
      banner.hidden = true;
      Object.keys(fields).forEach(clearError);
    }
    function showError(name, message) {
      var f = fields[name];
      if (!f) return false;
      f.err.textContent = message;
      f.err.hidden = false;
      f.input.setAttribute("aria-invalid", "true");
      f.input.setAttribute("aria-describedby", f.base.concat([f.err.id]).join(" "));
      return true;
    }
    var order = ["name", "email", "title", "body", "accept_terms", "captcha_answer"];
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      if (submit.disabled) return;
      submit.disabled = true;
      clearErrors();
      done.hidden = true;
      var payload = {
        name: nameIn.value, email: emailIn.value, title: titleIn.value, body: bodyIn.value,
        accept_terms: terms.checked, notify_replies: notify.checked
      };
      if (ask) { payload.captcha_id = captcha || ""; payload.captcha_answer = answer.value; }
      if (trap.value) payload.website = trap.value;
      var keep = false;
      if (data.articleUrl) payload.article_url = data.articleUrl;
      if (data.articleTitle) payload.article_title = data.articleTitle;
      if (X.parent) payload.parent_id = X.parent;
      readyPow().then(function (proof) {
        if (proof) payload.pow = proof;
        return json(api + "/articles/" + enc(article) + "/comments", {
          method: "POST",
          headers: { "Content-Type": "application/json", "Accept-Language": lang },
          body: JSON.stringify(payload)
        });
      }).then(function (r) {
        if (r.status === 201 || r.status === 202) {
          form.reset();
          updateLeft();
          doneText.textContent = t(r.status === 201 ? "form.published" : "form.received");
          form.hidden = true;
          done.hidden = false;
          done.focus();
          // A reply form lives in the list: back to its place before the
          // list is drawn again.
          // Past the browser's cache: the list it holds predates this comment.
          if (r.status === 201) { if (X.reset) X.reset(); list.textContent = ""; cursor = null; r = { cache: "no-cache" }; loadCount(r); loadPage(r); }
          return;
        }
        var b = r.body || {};
        // Invalid fields never spend the code: keep it, and the answer typed.
        keep = b.error === "validation_failed";
        var first = null;
        if (b.fields) {
          order.forEach(function (k) {
            if (b.fields[k] && showError(k, b.fields[k].map(function (e) { return e.message; }).join(" ")) && !first) first = k;
          });
        }
        // "when-suspicious": the code is wanted after all; the proof stays.
        if (b.error == "captcha_required") capField.hidden = !(ask = keep = true), newCaptcha();
        if (/^captcha_/.test(b.error) && showError("captcha_answer", b.message)) first = first || "captcha_answer";
        if (!first) {
          banner.textContent = (b.message || t("error.internal_error")) + " ";
          if (b.error === "violates_posting_rules") banner.append(el("a", { href: "#", text: t("form.rules_link"), onclick: function (ev) {
            ev.preventDefault();
            rules.scrollIntoView({ block: "center" });
            rules.focus({ preventScroll: true });
          } }));
          banner.hidden = false;
        }
        (first ? fields[first].input : banner).focus();
      }).catch(function () {
        banner.textContent = t("error.service_unavailable");
        banner.hidden = false;
      }).then(function () {
        submit.disabled = false;
        if (!keep) { newCaptcha(); newPow(); }
      });
    });
    banner.tabIndex = -1;
  }
})();
