// vetted reader: selecting text in an edition fills the new-claim form with
// the quote, the words just before and after it (so that a sentence the
// report repeats is anchored where it was selected), the report's hedge
// words and the confidence they suggest, and the Index indicator the quote
// is about as its topic. Without this script the form still
// works: paste the quote, or use "Claim this" links, which fill it through
// the address.
//
// The edition's text is rebuilt from the page: elements marked data-block
// (headings and paragraphs) joined by a blank line, as in the server's
// normalised text, leaving out claim reference links (data-noquote). The
// hedge phrases come from the page too (data-hedges on the text, written by
// the server from review.HedgePhrases), so there is one list.
(function () {
  "use strict";

  var CONTEXT = 32; // characters of prefix and suffix, as review.Anchor

  var root = document.getElementById("reader-text");
  if (!root) return;

  // wordRE splits text into words; it is set before the trie of hedge
  // phrases is built from it (a var is undefined until its line runs, and
  // "s".match(undefined) matches the empty string: every phrase was one
  // empty word, and no hedge was ever found).
  var wordRE = /[\p{L}\p{N}\p{Mn}]+/gu;
  var suggestions = parseJSON(root.getAttribute("data-hedges"), {});
  var order = parseJSON(root.getAttribute("data-confidences"), []);
  var trie = buildTrie(Object.keys(suggestions));
  var allIndicators = parseJSON(root.getAttribute("data-indicators"), []);

  function parseJSON(s, fallback) {
    try { return s ? JSON.parse(s) : fallback; } catch (e) { return fallback; }
  }

  // ---- hedge phrases: whole words, longest match, as review.HedgeWords ----

  function words(s) {
    return (s.match(wordRE) || []).map(function (w) { return w.toLowerCase(); });
  }

  function buildTrie(phrases) {
    var t = { next: {}, phrase: "" };
    phrases.forEach(function (p) {
      var n = t;
      words(p).forEach(function (w) {
        if (!Object.prototype.hasOwnProperty.call(n.next, w)) n.next[w] = { next: {}, phrase: "" };
        n = n.next[w];
      });
      if (n !== t) n.phrase = p;
    });
    return t;
  }

  function hedgesIn(s) {
    var ws = words(s), found = [];
    for (var i = 0; i < ws.length;) {
      var n = trie, match = "", end = i;
      for (var j = i; j < ws.length && n; j++) {
        n = Object.prototype.hasOwnProperty.call(n.next, ws[j]) ? n.next[ws[j]] : null;
        if (n && n.phrase) { match = n.phrase; end = j + 1; }
      }
      if (!match) { i++; continue; }
      if (found.indexOf(match) < 0) found.push(match);
      i = end;
    }
    return found;
  }

  // suggest is the lowest confidence any of the hedges suggests, as
  // review.SuggestConfidence; "" when there is none.
  function suggest(hedges) {
    var best = "";
    hedges.forEach(function (h) {
      var c = suggestions[h];
      if (c && (best === "" || order.indexOf(c) < order.indexOf(best))) best = c;
    });
    return best;
  }

  // ---- the text and positions in it ----

  // model returns the edition's text as shown and its text nodes with
  // where each starts in it.
  function model() {
    var parts = [], nodes = [], pos = 0;
    var blocks = root.querySelectorAll("[data-block]");
    for (var i = 0; i < blocks.length; i++) {
      if (i > 0) { parts.push("\n\n"); pos += 2; }
      var walker = document.createTreeWalker(blocks[i], NodeFilter.SHOW_TEXT, {
        acceptNode: function (n) {
          return n.parentElement && n.parentElement.closest("[data-noquote]") ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT;
        }
      });
      for (var n = walker.nextNode(); n; n = walker.nextNode()) {
        nodes.push({ node: n, start: pos });
        parts.push(n.data);
        pos += n.data.length;
      }
    }
    return { text: parts.join(""), nodes: nodes };
  }

  // offset maps a boundary point of a selection to a position in the
  // model's text. A point between text nodes (or inside a reference link)
  // goes to the end of the text before it for an end point, and to the
  // start of the text after it for a start point.
  function offset(m, container, off, isEnd) {
    var r = document.createRange();
    var prevEnd = 0;
    for (var i = 0; i < m.nodes.length; i++) {
      var x = m.nodes[i], len = x.node.data.length;
      if (container === x.node) return x.start + Math.min(off, len);
      r.selectNodeContents(x.node);
      var cmp = r.comparePoint(container, off);
      if (cmp < 0) return isEnd ? prevEnd : x.start; // before this node
      if (cmp === 0) {
        // At one of its edges, seen from its parent.
        r.collapse(true);
        return r.comparePoint(container, off) === 0 ? x.start : x.start + len;
      }
      prevEnd = x.start + len;
    }
    return prevEnd;
  }

  function isSpace(ch) { return /\s/.test(ch); }

  // ---- the topic: the Index indicator a quote is about ----

  // suggestTopic is review.SuggestIndicator: among the indicators of the
  // section the node is in (data-indicators, written by the server; all of
  // them outside a group), the one whose words the quote uses most, the
  // section's first on a tie or when none is used.
  function suggestTopic(node, quote) {
    var el = node && node.nodeType === 1 ? node : node && node.parentElement;
    var sec = el && el.closest ? el.closest("section[data-indicators]") : null;
    var cands = sec ? parseJSON(sec.getAttribute("data-indicators"), []) : [];
    var inGroup = cands.length > 0;
    if (!inGroup) cands = allIndicators;
    var s = quote.toLowerCase(), best = -1, bestHits = 0;
    cands.forEach(function (c, i) {
      var hits = 0;
      (c.words || []).forEach(function (w) { hits += s.split(w).length - 1; });
      if (hits > bestHits) { best = i; bestHits = hits; }
    });
    if (best >= 0) return cands[best].name;
    return inGroup ? cands[0].name : "";
  }

  // fromSelection returns the quote the reader selected, with its context,
  // or null when nothing in the text is selected.
  function fromSelection() {
    var sel = window.getSelection();
    if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return null;
    var range = sel.getRangeAt(0);
    if (!range.intersectsNode(root)) return null;
    var m = model();
    var a = offset(m, range.startContainer, range.startOffset, false);
    var b = offset(m, range.endContainer, range.endOffset, true);
    while (a < b && isSpace(m.text.charAt(a))) a++;
    while (b > a && isSpace(m.text.charAt(b - 1))) b--;
    if (a >= b) return null;
    var hedges = hedgesIn(m.text.slice(a, b));
    // The sentences the selection touches count too, as the server's
    // review.HedgesAt: a claim on part of a hedged sentence is hedged.
    root.querySelectorAll(".hedged[data-hedges]").forEach(function (el) {
      if (!range.intersectsNode(el)) return;
      el.getAttribute("data-hedges").split(", ").forEach(function (h) {
        if (h && hedges.indexOf(h) < 0) hedges.push(h);
      });
    });
    return {
      quote: m.text.slice(a, b),
      prefix: contextBefore(m.text, a),
      suffix: contextAfter(m.text, b),
      hedges: hedges,
      topic: suggestTopic(range.startContainer, m.text.slice(a, b))
    };
  }

  // Context of CONTEXT UTF-16 units, never half a surrogate pair.
  function contextBefore(text, a) {
    var p = Math.max(0, a - CONTEXT);
    var c = text.charCodeAt(p);
    if (p > 0 && c >= 0xDC00 && c <= 0xDFFF) p++;
    return text.slice(p, a);
  }

  function contextAfter(text, b) {
    var e = Math.min(text.length, b + CONTEXT);
    var c = text.charCodeAt(e - 1);
    if (e < text.length && c >= 0xD800 && c <= 0xDBFF) e--;
    return text.slice(b, e);
  }

  // ---- the form ----

  // The form is looked up each time: htmx replaces it when it comes back
  // with a message.
  function field(name) {
    var form = document.getElementById("new-claim");
    return form ? form.querySelector("[name='" + name + "']") : null;
  }

  function fill(q) {
    var quote = field("quote");
    if (!quote) return false; // this user may not make claims
    quote.value = q.quote;
    var prefix = field("prefix"), suffix = field("suffix"), hedge = field("hedge"), conf = field("confidence");
    if (prefix) prefix.value = q.prefix;
    if (suffix) suffix.value = q.suffix;
    var sug = suggest(q.hedges);
    if (hedge) hedge.value = q.hedges.join(", ");
    if (conf && sug) conf.value = sug;
    // The suggested topic replaces an empty one or an earlier suggestion,
    // never what the reviewer typed.
    var topic = field("topic");
    if (topic && q.topic && (topic.value === "" || topic.value === topic.getAttribute("data-suggested"))) {
      topic.value = q.topic;
      topic.setAttribute("data-suggested", q.topic);
    }
    var hint = document.getElementById("nc-hedge-hint");
    if (hint) {
      hint.textContent = q.hedges.length
        ? "hedged: " + q.hedges.join(", ") + " · suggested confidence: " + sug
        : "The report does not hedge this passage.";
      hint.classList.toggle("hedge", q.hedges.length > 0);
    }
    var status = document.getElementById("reader-status");
    if (status) {
      status.textContent = "Quote filled in: " + (q.quote.length > 60 ? q.quote.slice(0, 60) + "…" : q.quote);
    }
    var panel = document.getElementById("claim-panel");
    if (panel) {
      panel.classList.add("filled");
      offerForm(panel);
    }
    return true;
  }

  // On a phone the form is below the whole text: when it is out of view,
  // a link floats over the text to reach it.
  var float = null;
  function offerForm(panel) {
    var box = panel.getBoundingClientRect();
    var visible = box.top < window.innerHeight && box.bottom > 0;
    if (!float) {
      float = document.createElement("a");
      float.href = "#claim-panel";
      float.className = "to-form-float";
      float.setAttribute("data-testid", "to-form");
      float.textContent = "Quote ready: go to the form";
      float.addEventListener("click", function () { float.hidden = true; });
      document.body.appendChild(float);
    }
    float.hidden = visible;
  }

  // Selections by mouse, touch or keyboard (caret browsing) all end in
  // selectionchange; wait until the selection rests.
  var timer = 0;
  document.addEventListener("selectionchange", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var q = fromSelection();
      if (q) fill(q);
    }, 250);
  });

  // "Claim this" on a sentence of new material fills the form in place.
  document.addEventListener("click", function (e) {
    var link = e.target.closest ? e.target.closest("[data-claim-this]") : null;
    if (!link) return;
    var q = link.getAttribute("data-quote") || "";
    var ok = fill({
      quote: q,
      prefix: link.getAttribute("data-prefix") || "",
      suffix: link.getAttribute("data-suffix") || "",
      hedges: hedgesIn(q),
      topic: suggestTopic(null, q)
    });
    if (!ok) return; // let the link load the page with the form filled
    e.preventDefault();
    var statement = field("statement");
    var panel = document.getElementById("claim-panel");
    if (panel) panel.scrollIntoView({ block: "start" });
    if (statement) statement.focus({ preventScroll: true });
  });
})();
