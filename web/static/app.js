// vetted: the little JavaScript the app uses. Everything works without it;
// it adds htmx error handling and the review queue's keyboard.
(function () {
  "use strict";

  // htmx swaps only 2xx answers. A 400 answered with HTML is a form coming
  // back with its message: swap it. Any other error is plain text: show it.
  document.addEventListener("htmx:beforeSwap", function (evt) {
    var xhr = evt.detail.xhr;
    if (xhr.status < 400) return;
    var ct = xhr.getResponseHeader("Content-Type") || "";
    if (xhr.status === 400 && ct.indexOf("text/html") === 0) {
      evt.detail.shouldSwap = true;
      evt.detail.isError = false;
      return;
    }
    showMessage(xhr.responseText || ("Error " + xhr.status), true);
  });
  document.addEventListener("htmx:sendError", function () {
    showMessage("The server could not be reached. Nothing was saved; try again.", true);
  });

  // An error page after a form was sent leads back to it as filled in.
  document.addEventListener("click", function (evt) {
    var a = evt.target.closest && evt.target.closest("[data-history-back]");
    if (!a) return;
    evt.preventDefault();
    history.back();
  });

  function showMessage(text, isError) {
    var box = document.getElementById("messages");
    if (!box) return;
    box.textContent = "";
    var p = document.createElement("p");
    p.className = isError ? "error" : "flash";
    p.setAttribute("data-testid", isError ? "message-error" : "flash");
    p.textContent = text;
    box.appendChild(p);
  }

  // The review queue: j/k move (j past the last item opens the next page,
  // k before the first opens the previous page), a approve, r reject
  // with a reason, o open, ? help. Keys are ignored while typing in a
  // field. After a decision the page comes back with the selection where
  // it was.
  function queue() {
    var list = document.querySelector("[data-queue]");
    if (!list) return;
    var items = function () { return Array.prototype.slice.call(list.querySelectorAll(".queue-item")); };
    var at = -1;
    function select(i) {
      var xs = items();
      if (!xs.length) return;
      at = Math.max(0, Math.min(i, xs.length - 1));
      xs.forEach(function (x, j) { x.classList.toggle("selected", j === at); x.setAttribute("aria-current", j === at ? "true" : "false"); });
      xs[at].focus();
      xs[at].scrollIntoView({ block: "nearest" });
    }
    function selected() { return items()[at]; }
    function remember() {
      try { sessionStorage.setItem("queue-at", location.pathname + location.search + "#" + at); } catch (e) {}
    }
    document.addEventListener("keydown", function (e) {
      var t = e.target;
      if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable)) return;
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      var item = selected();
      switch (e.key) {
        case "j":
          var next = document.querySelector("a[rel=next]");
          if (at >= items().length - 1 && next) { window.location.href = next.href; break; }
          select(at + 1);
          break;
        case "k":
          var prev = document.querySelector("a[rel=prev]");
          if (at <= 0 && prev) { window.location.href = prev.href + "#last"; break; }
          select(at - 1);
          break;
        case "?":
          var help = document.getElementById("queue-help");
          if (help) help.hidden = !help.hidden;
          break;
        case "a":
          if (!item) return;
          var approve = item.querySelector("form.approve");
          if (approve) { remember(); approve.requestSubmit(); }
          break;
        case "r":
          if (!item) return;
          var reject = item.querySelector("form.reject");
          if (!reject) return;
          var reason = window.prompt("Why is this revision rejected?");
          if (reason === null || reason.trim() === "") return;
          reject.querySelector("input[name=reason]").value = reason;
          remember();
          reject.requestSubmit();
          break;
        case "o":
          var link = item && item.querySelector("[data-open]");
          if (link) window.location.href = link.href;
          break;
        default:
          return;
      }
      e.preventDefault();
    });
    var start = 0;
    try {
      var saved = sessionStorage.getItem("queue-at") || "";
      sessionStorage.removeItem("queue-at");
      var cut = saved.lastIndexOf("#");
      // The decision redirects to the same page with ?msg=...: compare the
      // page without it.
      var here = location.pathname + location.search.replace(/[?&]msg=[^&]*/, "").replace(/^&/, "?");
      if (cut > 0 && saved.slice(0, cut) === here) start = parseInt(saved.slice(cut + 1), 10) || 0;
    } catch (e) {}
    if (location.hash === "#last") start = items().length - 1;
    if (items().length) select(start);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", queue);
  } else {
    queue();
  }
})();
