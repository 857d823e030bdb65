/* majlis embed, the part embed.js fetches on demand: the reply form (the
 * comment form moved under the comment answered), the report form, all the
 * replies of a comment, and the notice for a page whose origin the site
 * does not allow. `X` holds what embed.js shares with it; user text only
 * through textContent. */
(function () {
  "use strict";
  var STRINGS = /*STRINGS*/ {};
  var CSS = /*CSS*/ "";
  var n = 0;
  window.majlisMore = function (kind, c, at, b, X) {
    var lang = STRINGS[X.lang] ? X.lang : "en", T = STRINGS[lang], el = X.el;
    function t(k) { return T[k] || STRINGS.en[k] || k; }
    var base = X.api.split("/api/v1/")[0];
    if (kind === "blocked") X.styles();
    // Added to embed.js's stylesheet, constructed like it (a strict CSP on
    // the host page allows that, not a <style> element).
    if (!X.css) {
      X.css = 1;
      var r = X.root;
      if (r.adoptedStyleSheets !== undefined && typeof CSSStyleSheet === "function" && CSSStyleSheet.prototype.replaceSync) {
        var sheet = new CSSStyleSheet();
        sheet.replaceSync(CSS);
        r.adoptedStyleSheets = r.adoptedStyleSheets.concat([sheet]);
      } else {
        r.appendChild(el("style", { text: CSS }));
      }
    }

    // The page's origin is not allowed for the site: say so, and how to fix it.
    if (kind === "blocked") {
      X.root.appendChild(el("section", { "class": "majlis blocked", lang: lang, dir: lang === "ar" ? "rtl" : "ltr" }, [
        el("p", { role: "status", text: t("form.origin_blocked").replace("{origin}", location.origin).replace("{site}", X.site) }),
        el("code", { dir: "ltr", text: "majlis site set " + X.site + " --origin " + location.origin })
      ]));
      return;
    }

    // Likes, where the site has them: a button with the count under each
    // comment, liking or taking the like back (the count is the server's;
    // a 409 says the reader was in the other state already).
    if (kind === "likes") {
      var lb = at.querySelector(".acts").appendChild(el("button", { type: "button", "aria-pressed": "false", text: t("comments.like") + " " + c.likes, onclick: function () {
        lb.disabled = true;
        X.json(X.api + "/comments/" + encodeURIComponent(c.id) + "/like", { method: lb.liked ? "DELETE" : "POST" }).then(function (r) {
          lb.disabled = false;
          if (r.status === 200) lb.textContent = t("comments.like") + " " + r.body.likes;
          if (r.status === 200 || r.status === 409) lb.liked = !lb.liked;
          lb.setAttribute("aria-pressed", lb.liked ? "true" : "false");
        });
      } }));
      return;
    }

    // Every reply of a thread, page after page, in place of the first few.
    if (kind === "replies") {
      b.disabled = true;
      var shown = [];
      (function page(cursor) {
        X.json(X.api + "/comments/" + encodeURIComponent(c.id) + "/replies?limit=100" + (cursor ? "&cursor=" + encodeURIComponent(cursor) : "")).then(function (r) {
          if (r.status !== 200) { b.disabled = false; return; }
          shown = shown.concat(r.body.replies);
          if (r.body.next_cursor) return page(r.body.next_cursor);
          at.textContent = "";
          shown.forEach(function (x) { at.appendChild(X.item(x, 1)); });
          b.remove();
        });
      })();
      return;
    }

    // Replying: the comment form moves under the comment, says whom it
    // answers, and can go back to being a new comment.
    if (kind === "reply") {
      var h = X.form.querySelector("h2");
      X.parent = c.id;
      h.textContent = t("form.reply_heading").replace("{name}", c.name || X.t("comments.anonymous"));
      if (!X.cancel) {
        // Back to a new comment at the end of the section (also when a
        // published reply redraws the list the form sits in).
        X.reset = function () {
          X.parent = null;
          h.textContent = X.t("form.heading");
          X.cancel.remove();
          X.cancel = X.reset = null;
          X.wrap.appendChild(X.form);
          X.wrap.appendChild(X.done);
        };
        X.cancel = el("button", { type: "button", "class": "cancel", text: t("form.reply_cancel"), onclick: X.reset });
        h.after(X.cancel);
      }
      at.appendChild(X.form);
      at.appendChild(X.done);
      X.done.hidden = true;
      X.form.hidden = false;
      X.focus.focus();
      return;
    }

    // Reporting: a reason (required), a note, and the same proof of work or
    // security code as a comment. Reporters are never shown to anyone.
    if (kind !== "report" || at.querySelector(".report")) return;
    var id = "m-rep-" + (++n);
    var err = el("p", { "class": "error", role: "alert", hidden: "" });
    var note = el("textarea", { name: "note", rows: "3", maxlength: "500", dir: "auto", id: id + "-note" });
    var reasons = (X.cfg.report_reasons || []).map(function (k, i) {
      var rid = id + "-" + i;
      return el("div", { "class": "check" }, [el("input", { type: "radio", name: "reason", value: k, id: rid }),
        el("label", { "for": rid, text: t("report.reason." + k) })]);
    });
    var box = el("form", { "class": "report", novalidate: "" }, [
      el("fieldset", {}, [el("legend", { text: t("report.heading") })].concat(reasons)),
      el("label", { "for": id + "-note", text: t("report.note") }), note
    ]);
    var captcha = null, answer = el("input", { type: "text", autocomplete: "off", dir: "ltr", id: id + "-code" }), img = el("img", { alt: X.t("form.captcha_alt") });
    function newCode() {
      X.json(base + "/api/v1/captcha?site=" + encodeURIComponent(X.site)).then(function (r) {
        if (r.status !== 200) return;
        captcha = r.body.id;
        img.src = r.body.image;
        answer.value = "";
      });
    }
    if (X.cfg.captcha_enabled) {
      box.appendChild(el("label", { "for": id + "-code", text: X.t("form.captcha") }));
      box.appendChild(img);
      box.appendChild(answer);
      newCode();
    }
    var send = el("button", { type: "submit", "class": "submit", text: t("report.send") });
    box.appendChild(err);
    box.appendChild(send);
    box.appendChild(el("button", { type: "button", text: t("report.cancel"), onclick: function () { box.remove(); } }));
    box.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var picked = box.querySelector("input[name=reason]:checked");
      if (!picked) { err.textContent = t("report.pick"); err.hidden = false; return; }
      send.disabled = true;
      var payload = { reason: picked.value, note: note.value };
      if (X.cfg.captcha_enabled) { payload.captcha_id = captcha || ""; payload.captcha_answer = answer.value; }
      X.pow().then(function (proof) {
        if (proof) payload.pow = proof;
        return X.json(X.api + "/comments/" + encodeURIComponent(c.id) + "/reports", {
          method: "POST",
          headers: { "Content-Type": "application/json", "Accept-Language": lang },
          body: JSON.stringify(payload)
        });
      }).then(function (r) {
        X.newPow();
        send.disabled = false;
        if (r.status === 201 || r.status === 200) {
          box.replaceWith(el("p", { "class": "success", role: "status", text: t("report.thanks") }));
          return;
        }
        var f = r.body.fields || {};
        err.textContent = Object.keys(f).map(function (k) { return f[k].map(function (e) { return e.message; }).join(" "); }).concat([r.body.message || ""]).join(" ");
        err.hidden = false;
        if (r.body.error !== "validation_failed" && X.cfg.captcha_enabled) newCode();
      });
    });
    at.appendChild(box);
    note.focus();
  };
})();
