// Askdesk page enhancements. Everything works without this file; with it,
// votes are cast without a reload and editors show a live Markdown preview.
(function () {
  "use strict";

  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrfToken = csrfMeta ? csrfMeta.getAttribute("content") : "";

  // Pages shared by anonymous visitors carry no token (they must not start a session):
  // it is fetched the first time something is sent.
  function withToken() {
    var source = document.querySelector('meta[name="csrf-token-url"]');
    if (csrfToken || !source) { return Promise.resolve(csrfToken); }
    return fetch(source.getAttribute("content"), {
      credentials: "same-origin", headers: { "Accept": "application/json" }
    }).then(function (response) { return response.json(); }).then(function (data) {
      csrfToken = data.token;
      return csrfToken;
    });
  }

  function post(url, fields) {
    var body = new URLSearchParams();
    Object.keys(fields).forEach(function (key) { body.append(key, fields[key]); });
    return withToken().then(function (token) {
      return fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Accept": "application/json",
          "X-CSRFToken": token,
          "Content-Type": "application/x-www-form-urlencoded;charset=UTF-8"
        },
        body: body
      });
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { ok: response.ok, status: response.status, data: data };
      });
    });
  }

  function signInFor(result) {
    var error = result.data && result.data.error;
    if (error && error.code === "login_required" && error.login_url) {
      var next = window.location.pathname + window.location.search;
      window.location.assign(error.login_url + "?next=" + encodeURIComponent(next));
      return true;
    }
    return false;
  }

  // --- votes ------------------------------------------------------------------
  function setVoteState(form, myVote, score) {
    var up = form.querySelector(".vote-up");
    var down = form.querySelector(".vote-down");
    up.setAttribute("aria-pressed", myVote === 1 ? "true" : "false");
    down.setAttribute("aria-pressed", myVote === -1 ? "true" : "false");
    // Pressing the active button again withdraws the vote (value 0).
    up.value = myVote === 1 ? "0" : "1";
    down.value = myVote === -1 ? "0" : "-1";
    form.querySelector("[data-score]").textContent = String(score);
  }

  function onVote(event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-vote]")) { return; }
    var button = event.submitter;
    if (!button || !window.fetch) { return; }  // fall back to the plain form post
    event.preventDefault();
    if (form.classList.contains("is-busy")) { return; }
    form.classList.add("is-busy");
    post(form.action, { value: button.value }).then(function (result) {
      form.classList.remove("is-busy");
      if (result.ok) {
        setVoteState(form, result.data.my_vote, result.data.score);
      } else if (!signInFor(result)) {
        var message = result.data && result.data.error ? result.data.error.message : "";
        showVoteError(form, message || form.getAttribute("data-error-message"));
      }
    }, function () {
      form.classList.remove("is-busy");
      showVoteError(form, form.getAttribute("data-error-message"));
    });
  }

  function showVoteError(form, message) {
    // Shown above the post's text, where it is seen; role=alert reads it out.
    var post = form.closest(".post");
    var host = post ? post.querySelector(".post-main") : form.parentNode;
    var note = host.querySelector(".vote-error");
    if (!note) {
      note = document.createElement("p");
      note.className = "alert alert-error vote-error";
      note.setAttribute("role", "alert");
      host.insertBefore(note, host.firstChild);
    }
    note.textContent = message;
  }

  document.addEventListener("submit", onVote);

  // --- forms of shared pages: fill in the token, then send ----------------------------
  function onTokenlessForm(event) {
    var form = event.target;
    if (event.defaultPrevented || !form.querySelector || !window.fetch) { return; }
    var empty = form.querySelector('input[name="csrf_token"]');
    if (!empty || empty.value) { return; }
    event.preventDefault();
    var submitter = event.submitter;
    withToken().then(function (token) {
      document.querySelectorAll('input[name="csrf_token"]').forEach(function (input) {
        if (!input.value) { input.value = token; }
      });
      if (form.requestSubmit) { form.requestSubmit(submitter || undefined); } else { form.submit(); }
    }, function () { form.submit(); });  // the server asks to confirm instead
  }

  document.addEventListener("submit", onTokenlessForm);

  // --- Markdown preview -----------------------------------------------------------
  function setupPreview(textarea) {
    var pane = document.getElementById(textarea.getAttribute("data-preview"));
    var url = textarea.getAttribute("data-preview-url");
    if (!pane || !url || !window.fetch) { return; }
    var output = pane.querySelector(".md-preview-body");
    // Other form fields the rendering depends on (the KB editor sends the article's kind).
    var extra = (textarea.getAttribute("data-preview-fields") || "").split(" ").filter(Boolean)
      .map(function (id) { return document.getElementById(id); }).filter(Boolean);
    var timer = null;
    var sent = null;
    pane.hidden = false;
    pane.parentNode.classList.add("has-preview");

    function refresh() {
      var fields = { body: textarea.value };
      extra.forEach(function (input) { fields[input.name] = input.value; });
      var key = JSON.stringify(fields);
      if (key === sent) { return; }
      sent = key;
      if (!fields.body.trim()) {
        output.textContent = "";
        return;
      }
      post(url, fields).then(function (result) {
        if (sent !== key) { return; }  // an older answer: a newer request is on its way
        if (result.ok) {
          // The server renders with the same sanitiser as saved posts.
          output.innerHTML = result.data.html;
        } else if (result.data && result.data.error) {
          output.textContent = result.data.error.message;
        }
      }, function () { sent = null; });
    }

    textarea.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(refresh, 450);
    });
    extra.forEach(function (input) { input.addEventListener("change", refresh); });
    if (textarea.value.trim()) { refresh(); }
  }

  // "Flag" links open the page's one flag form in a dialog, pointed at the item's flag
  // address (which is also where the link leads without JavaScript).
  function onFlagLink(event) {
    var link = event.target.closest && event.target.closest("a[data-flag]");
    var dialog = document.getElementById("flag-dialog");
    if (!link || !dialog || typeof dialog.showModal !== "function") { return; }
    event.preventDefault();
    var form = dialog.querySelector("form");
    form.reset();
    form.action = link.href;
    dialog.querySelector("h2").textContent = dialog.getAttribute("data-title-" + link.getAttribute("data-flag"));
    dialog.addEventListener("close", function () { link.focus(); }, { once: true });
    dialog.showModal();
  }
  document.addEventListener("click", onFlagLink);

  function init() {
    document.documentElement.classList.add("js");
    document.querySelectorAll("textarea[data-preview]").forEach(setupPreview);
    // Opening a reply form puts the cursor in it.
    document.querySelectorAll("details.reply, details.add-comment").forEach(function (details) {
      details.addEventListener("toggle", function () {
        if (details.open) {
          var area = details.querySelector("textarea");
          if (area) { area.focus(); }
        }
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
