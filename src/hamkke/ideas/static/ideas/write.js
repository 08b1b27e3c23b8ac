/* The idea form's similar ideas, as the person types: after a pause, the ideas most like the
   title and text are loaded under the title (a fragment rendered by the server), and the ideas
   shown are named in the form's "seen" field, so that posting does not stop to show them
   again. Without this script the server shows them on a confirmation step instead. */
(function () {
  "use strict";

  var form = document.getElementById("idea-form");
  if (!form || !window.fetch) return;
  var title = form.querySelector("#id_title");
  var body = form.querySelector("#id_body");
  var box = document.getElementById("similar-ideas");
  var seen = form.querySelector("input[name=seen]");
  var url = form.dataset.similarUrl;
  if (!title || !body || !box || !seen || !url) return;

  var PAUSE_MS = 400;
  // As much as the server reads (views.SIMILAR_TEXT); a longer text would only lengthen the URL.
  var MOST = 2000;
  var timer = null;
  var asked = "";
  var pending = null;

  function remember(nodes) {
    var ids = seen.value ? seen.value.split(",") : [];
    Array.prototype.forEach.call(nodes, function (node) {
      var id = node.getAttribute("data-idea");
      if (id && ids.indexOf(id) === -1) ids.push(id);
    });
    seen.value = ids.join(",");
  }

  function show(html) {
    // A fragment of this site's own, escaped by its templates; it carries no script.
    var parsed = new DOMParser().parseFromString(html, "text/html");
    box.replaceChildren.apply(box, Array.prototype.slice.call(parsed.body.childNodes));
    remember(box.querySelectorAll("[data-idea]"));
  }

  function ask() {
    var text = (title.value + "\n" + body.value).trim().slice(0, MOST);
    if (text === asked) return;
    asked = text;
    if (pending) pending.abort();
    if (!text) {
      box.replaceChildren();
      return;
    }
    pending = new AbortController();
    fetch(url + "?" + new URLSearchParams({ text: text }), {
      credentials: "same-origin",
      headers: { Accept: "text/html" },
      signal: pending.signal
    })
      .then(function (response) {
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        if (html !== null) show(html);
      })
      .catch(function () {
        // Offline or aborted by a newer request: the confirmation step still shows them.
      });
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(ask, PAUSE_MS);
  }

  title.addEventListener("input", later);
  body.addEventListener("input", later);
  // A form sent back (a refusal): its similar ideas, unless the confirmation step lists them.
  if (title.value && !document.getElementById("similar-step")) ask();
})();
