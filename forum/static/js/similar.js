// The ask page: while the title is typed, list questions that look the same
// (solved ones first) and KB articles, so the answer may be found before asking.
(function () {
  "use strict";

  var box = document.getElementById("similar-questions");
  var title = document.getElementById("f-title");
  if (!box || !title || !window.fetch) { return; }
  var list = box.querySelector("[data-similar-list]");
  var similarUrl = box.getAttribute("data-similar-url");
  var clickUrl = box.getAttribute("data-click-url");
  var markers = [
    { test: function (item) { return item.type === "kb"; }, className: "marker marker-kb",
      label: box.getAttribute("data-kb-label") },
    { test: function (item) { return item.is_solved; }, className: "marker marker-answered",
      label: box.getAttribute("data-solved-label") }
  ];
  var DELAY_MS = 350;
  var MIN_CHARS = 8;
  var timer = null;
  var lastAsked = "";
  var latest = 0;

  function linkFor(item) {
    // Through the counting redirect: staff see how many questions this answered.
    return clickUrl.replace("TYPE", encodeURIComponent(item.type)).replace(/\/0$/, "/" + item.id);
  }

  function render(items) {
    list.textContent = "";
    items.forEach(function (item) {
      var li = document.createElement("li");
      var kind = markers.filter(function (m) { return m.test(item); })[0];
      if (kind) {
        var marker = document.createElement("span");
        marker.className = kind.className;
        marker.textContent = kind.label;
        li.appendChild(marker);
        li.appendChild(document.createTextNode(" "));
      }
      var link = document.createElement("a");
      link.href = linkFor(item);
      link.target = "_blank";
      link.rel = "noopener";
      link.textContent = item.title;
      li.appendChild(link);
      list.appendChild(li);
    });
    box.hidden = items.length === 0;
  }

  function lookUp() {
    var text = title.value.trim();
    if (text === lastAsked) { return; }
    lastAsked = text;
    if (text.length < MIN_CHARS) { render([]); return; }
    var ticket = ++latest;
    fetch(similarUrl + "?title=" + encodeURIComponent(text), {
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.ok ? response.json() : { items: [] };
    }).then(function (data) {
      if (ticket === latest) { render(data.items || []); }  // drop answers that came late
    }).catch(function () { /* suggestions are a help, never a blocker */ });
  }

  title.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(lookUp, DELAY_MS);
  });
  if (title.value.trim()) { lookUp(); }
}());
