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
  var MONTHS = {
    ar: ["يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر"],
    en: ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
  };
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
    (kids || []).forEach(function (c) { if (c) e.appendChild(c); });
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
    var m = (MONTHS[lang] || MONTHS.en)[d.getUTCMonth()];
    var t = pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes()) + " GMT";
    return lang === "ar" ? d.getUTCDate() + " " + m + " " + d.getUTCFullYear() + " - " + t
                         : d.getUTCDate() + " " + m + " " + d.getUTCFullYear() + ", " + t;
  }
  function json(url, opts) {
    return fetch(url, opts).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (b) { return { status: r.status, body: b }; });
    });
  }

  var host = el("div", { "class": "majlis-host" });
  script.parentNode.insertBefore(host, script.nextSibling);
  var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;

  json(api + "/config").then(function (res) {
    if (res.status === 403 && res.body && res.body.error === "origin_not_allowed") return blocked();
    if (res.status !== 200) return;
    var cfg = res.body;
    var lang = STRINGS[data.lang] ? data.lang : (STRINGS[cfg.default_lang] ? cfg.default_lang : "en");
    render(cfg, lang);
  });

  function styles() {
    var css = /*CSS*/ "";
    // A constructed stylesheet is not inline style, so a strict CSP on the
    // host page does not block it; older browsers get a <style> element.
    if (root.adoptedStyleSheets !== undefined && typeof CSSStyleSheet === "function" && CSSStyleSheet.prototype.replaceSync) {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
      root.adoptedStyleSheets = [sheet];
    } else {
      root.appendChild(el("style", { text: css }));
    }
  }
  function tr(lang) {
    var T = STRINGS[lang] || STRINGS.en;
    return function (k) { return T[k] || STRINGS.en[k] || k; };
  }

  // The page's origin is not allowed for the site: say so, and how to fix it.
  function blocked() {
    var lang = STRINGS[data.lang] ? data.lang : "en", t = tr(lang);
    styles();
    root.appendChild(el("section", { "class": "majlis blocked", lang: lang, dir: lang === "ar" ? "rtl" : "ltr" }, [
      el("p", { role: "status", text: t("form.origin_blocked").replace("{origin}", location.origin).replace("{site}", site) }),
      el("code", { dir: "ltr", text: "majlis site set " + site + " --origin " + location.origin })
    ]));
  }

  function render(cfg, lang) {
    var t = tr(lang);
    var dir = lang === "ar" ? "rtl" : "ltr";
    styles();
    var wrap = el("section", { "class": "majlis" + (data.theme === "dark" ? " dark" : ""), lang: lang, dir: dir });
    root.appendChild(wrap);

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
    wrap.appendChild(el("h2", {}, [document.createTextNode(t("comments.heading") + " "), countEl]));
    wrap.appendChild(write);
    wrap.appendChild(empty);
    wrap.appendChild(list);
    wrap.appendChild(more);
    function loadCount() {
      json(api + "/counts?articles=" + enc(article)).then(function (r) {
        var n = r.body && r.body.counts ? r.body.counts[article] : 0;
        countEl.textContent = "(" + (n || 0) + ")";
        empty.hidden = n > 0;
        write.hidden = !(n > 0);
      });
    }
    function loadPage() {
      more.disabled = true;
      var url = api + "/articles/" + enc(article) + "/comments?order=newest&limit=20" + (cursor ? "&cursor=" + enc(cursor) : "");
      json(url).then(function (r) {
        more.disabled = false;
        if (r.status !== 200) return;
        var first = null;
        r.body.comments.forEach(function (c) {
          var body = el("div", { "class": "body", dir: "auto" });
          c.body.split("\n").forEach(function (line, i) {
            if (i) body.appendChild(el("br"));
            body.appendChild(document.createTextNode(line));
          });
          var li = list.appendChild(el("li", { "class": "comment", tabindex: "-1" }, [
            el("h3", { dir: "auto", text: c.title }),
            el("p", { "class": "meta" }, [el("bdi", { text: c.name || t("comments.anonymous") }), document.createTextNode(" · "),
              el("time", { datetime: c.published_at, text: when(c.published_at, lang) })]),
            body
          ]));
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
      var lab = el("label", { "for": id }, [document.createTextNode(t(label) + " "),
        el("span", { "class": "req", "aria-hidden": "true", text: "*" })]);
      return el("div", { "class": "field" }, [lab, input, extra, err]);
    }
    var nameIn = el("input", { name: "name", type: "text", autocomplete: "name", maxlength: "60", required: "", dir: "auto" });
    var emailIn = el("input", { name: "email", type: "email", autocomplete: "email", maxlength: "254", required: "", dir: "ltr" });
    var titleIn = el("input", { name: "title", type: "text", maxlength: "120", required: "", dir: "auto" });
    var bodyIn = el("textarea", { name: "body", rows: "6", required: "", dir: "auto" });
    var left = el("span", { "class": "n" });
    var leftP = el("p", { "class": "left", id: "m-left-" + (++n), "aria-live": "polite" }, [left]);
    var plural = window.Intl && Intl.PluralRules ? new Intl.PluralRules(lang) : { select: function (k) { return k === 1 ? "one" : "other"; } };
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

    form.appendChild(el("h2", { text: t("form.heading") }));
    form.appendChild(banner);
    form.appendChild(field("name", "form.name", nameIn));
    form.appendChild(field("email", "form.email", emailIn, el("small", { id: "m-hint-" + (++n), text: t("form.email_hint") })));
    form.appendChild(field("title", "form.title", titleIn));
    form.appendChild(field("body", "form.body", bodyIn, leftP));
    var termsId = "m-terms-" + (++n);
    terms.id = termsId;
    var termsErr = el("p", { "class": "error", id: termsId + "-err", hidden: "" });
    fields.accept_terms = { input: terms, err: termsErr, base: [] };
    form.appendChild(el("div", { "class": "field check" }, [terms,
      el("span", {}, [el("label", { "for": termsId, text: t("form.terms") }), document.createTextNode(" "), termsLink]), termsErr]));

    var captcha = null;
    var img = el("img", { alt: t("form.captcha_alt"), width: "200", height: "64" });
    var audio = el("audio", { controls: "", preload: "none", hidden: "" });
    var answer = el("input", { name: "captcha_answer", type: "text", autocomplete: "off", autocapitalize: "off", spellcheck: "false", required: "", dir: "ltr" });
    // A new code; with `withAudio` also its spoken version, played at once.
    function newCaptcha(withAudio) {
      if (!cfg.captcha_enabled) return;
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
      form.appendChild(field("captcha_answer", "form.captcha", answer, el("div", { "class": "captcha" }, [img, tools, audio])));
    }
    // The honeypot: off screen, out of the tab order and of the
    // accessibility tree; only a program fills it (stored as spam).
    var trap = el("input", { name: "website", type: "text", tabindex: "-1", autocomplete: "off" });
    var trapBox = el("div", { "aria-hidden": "true" }, [el("label", {}, [document.createTextNode(t("form.honeypot") + " "), trap])]);
    trapBox.style.position = "absolute";
    trapBox.style.top = "-10000px";
    trapBox.style.left = "0";
    trapBox.style.width = "1px";
    trapBox.style.height = "1px";
    trapBox.style.overflow = "hidden";
    form.appendChild(trapBox);
    // The posting rules sit just above the submit button.
    var rules = el("div", { "class": "rules", tabindex: "-1" }, [el("h3", { text: t("form.rules_heading") }), el("p", { text: t("form.rules") })]);
    form.appendChild(rules);
    var submit = el("button", { type: "submit", "class": "submit", text: t("form.submit") });
    form.appendChild(submit);
    // The thank-you takes the form's place, where the reader is looking.
    var doneText = el("p");
    var done = el("div", { "class": "success", role: "status", tabindex: "-1", hidden: "" }, [doneText,
      el("button", { type: "button", text: t("form.another"), onclick: function () {
        done.hidden = true;
        form.hidden = false;
        nameIn.focus();
      } })]);
    wrap.appendChild(form);
    wrap.appendChild(done);
    newCaptcha();

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
        accept_terms: terms.checked
      };
      if (cfg.captcha_enabled) { payload.captcha_id = captcha || ""; payload.captcha_answer = answer.value; }
      if (trap.value) payload.website = trap.value;
      var keep = false;
      if (data.articleUrl) payload.article_url = data.articleUrl;
      if (data.articleTitle) payload.article_title = data.articleTitle;
      json(api + "/articles/" + enc(article) + "/comments", {
        method: "POST",
        headers: { "Content-Type": "application/json", "Accept-Language": lang },
        body: JSON.stringify(payload)
      }).then(function (r) {
        if (r.status === 201 || r.status === 202) {
          form.reset();
          updateLeft();
          doneText.textContent = t(r.status === 201 ? "form.published" : "form.received");
          form.hidden = true;
          done.hidden = false;
          done.focus();
          if (r.status === 201) { list.textContent = ""; cursor = null; loadCount(); loadPage(); }
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
        if (b.error === "captcha_invalid" && showError("captcha_answer", b.message)) first = first || "captcha_answer";
        if (!first) {
          banner.textContent = (b.message || t("error.internal_error")) + " ";
          if (b.error === "violates_posting_rules") banner.appendChild(el("a", { href: "#", text: t("form.rules_link"), onclick: function (ev) {
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
        if (!keep) newCaptcha();
      });
    });
    banner.tabIndex = -1;
  }
})();
