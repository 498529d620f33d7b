// The post editor: compliance findings drawn inside the Markdown text.
//
// A mirror layer sits behind the textarea (whose background becomes transparent) with
// the same font, padding, wrapping and scroll, holding the same text with a <mark> over
// each finding. The findings list beside the editor stays the accessible source (the
// mirror is aria-hidden); clicking a finding's position selects it in its field.
// Without this script the textarea and the list work as they are.
//
// The server gives each finding's range in Unicode characters (code points) of the
// field; JavaScript strings count UTF-16 units, so every range is converted here. Text
// is only ever added as text nodes, never as HTML.
(function () {
  "use strict";
  var RANK = { error: 3, warning: 2, info: 1 };
  var COPIED = ["fontFamily", "fontSize", "fontWeight", "fontStyle", "fontVariant", "fontFeatureSettings",
    "fontKerning", "lineHeight", "letterSpacing", "wordSpacing", "textIndent", "textTransform", "tabSize",
    "whiteSpace", "overflowWrap", "wordBreak", "lineBreak", "direction", "boxSizing",
    "paddingTop", "paddingBottom", "paddingLeft", "borderTopWidth", "borderRightWidth",
    "borderBottomWidth", "borderLeftWidth"];
  var editor = null;

  // Code-point offsets → UTF-16 offsets in `text`, for offsets inside it.
  function toUnits(text, points) {
    var wanted = points.slice().sort(function (a, b) { return a - b; });
    var found = {}, unit = 0, point = 0, k = 0;
    while (k < wanted.length) {
      if (wanted[k] === point) { found[point] = unit; k++; continue; }
      if (unit >= text.length) break;
      var c = text.charCodeAt(unit);
      var pair = c >= 0xD800 && c <= 0xDBFF && unit + 1 < text.length && (text.charCodeAt(unit + 1) & 0xFC00) === 0xDC00;
      unit += pair ? 2 : 1;
      point++;
    }
    return found;
  }

  function severityOf(item) {
    var m = /\bsev-(error|warning|info)\b/.exec(item.className);
    return m ? m[1] : "info";
  }

  // The list's findings for `field` as UTF-16 ranges of `text` (the value that was
  // linted). A finding whose flagged words are not at its range is skipped rather than
  // drawn in the wrong place.
  function readFindings(field, text) {
    var items = document.querySelectorAll('#live-findings li[data-field="' + field + '"]');
    var raw = [];
    items.forEach(function (item) {
      var start = parseInt(item.getAttribute("data-start"), 10);
      var end = parseInt(item.getAttribute("data-end"), 10);
      if (isNaN(start) || isNaN(end) || end <= start) return;
      raw.push({ item: item, start: start, end: end });
    });
    var points = [];
    raw.forEach(function (r) { points.push(r.start, r.end); });
    var units = toUnits(text, points);
    var out = [];
    raw.forEach(function (r) {
      var s = units[r.start], e = units[r.end];
      if (s === undefined || e === undefined) return;
      var shown = r.item.querySelector("mark");
      var flagged = shown ? shown.textContent : "";
      var excerpt = flagged.charAt(flagged.length - 1) === "…";
      var here = text.slice(s, e);
      if (flagged && (excerpt ? here.indexOf(flagged.slice(0, -1)) !== 0 : here !== flagged)) return;
      out.push({ start: s, end: e, severity: severityOf(r.item), item: r.item });
    });
    return out;
  }

  // Moves ranges computed on `before` onto `after`: ranges before the edit stay, those
  // after it shift, those it touches are dropped until the next lint.
  function rebase(findings, before, after) {
    if (before === after) return findings;
    var max = Math.min(before.length, after.length), p = 0, s = 0;
    while (p < max && before.charCodeAt(p) === after.charCodeAt(p)) p++;
    while (s < max - p && before.charCodeAt(before.length - 1 - s) === after.charCodeAt(after.length - 1 - s)) s++;
    var editEnd = before.length - s, delta = after.length - before.length;
    return findings.filter(function (f) { return f.end <= p || f.start >= editEnd; }).map(function (f) {
      return f.end <= p ? f : { start: f.start + delta, end: f.end + delta, severity: f.severity, item: f.item };
    });
  }

  function Editor(area) {
    this.area = area;
    this.text = area.value;
    this.findings = [];
    var wrap = document.createElement("div");
    wrap.className = "editor-wrap" + (area.disabled ? " is-disabled" : "");
    var mirror = document.createElement("div");
    mirror.className = "editor-mirror";
    mirror.setAttribute("aria-hidden", "true");
    area.parentNode.insertBefore(wrap, area);
    wrap.appendChild(mirror);
    wrap.appendChild(area);
    this.mirror = mirror;
    var self = this;
    area.addEventListener("input", function () { self.update(); });
    area.addEventListener("scroll", function () { self.syncScroll(); });
    if (window.ResizeObserver) new ResizeObserver(function () { self.fit(); }).observe(area);
    this.fit();
  }

  Editor.prototype.fit = function () {
    var style = window.getComputedStyle(this.area), mirror = this.mirror;
    COPIED.forEach(function (p) { mirror.style[p] = style[p]; });
    // A scrollbar narrows the textarea's text; the mirror has none, so pad it instead.
    var borders = parseFloat(style.borderLeftWidth) + parseFloat(style.borderRightWidth);
    var bar = Math.max(0, this.area.offsetWidth - this.area.clientWidth - borders);
    mirror.style.paddingRight = (parseFloat(style.paddingRight) + bar) + "px";
    this.syncScroll();
  };

  Editor.prototype.syncScroll = function () {
    this.mirror.scrollTop = this.area.scrollTop;
    this.mirror.scrollLeft = this.area.scrollLeft;
  };

  // Findings arrived for `linted` (the value sent to the linter).
  Editor.prototype.load = function (linted) {
    this.findings = rebase(readFindings("body", linted), linted, this.area.value);
    this.text = this.area.value;
    this.draw();
  };

  // The text changed: keep the marks on their words until the next lint answers.
  Editor.prototype.update = function () {
    this.findings = rebase(this.findings, this.text, this.area.value);
    this.text = this.area.value;
    this.draw();
  };

  Editor.prototype.draw = function () {
    var text = this.text, findings = this.findings, mirror = this.mirror;
    findings.forEach(function (f) { f.mark = null; });
    var cuts = [0, text.length];
    findings.forEach(function (f) { cuts.push(f.start, f.end); });
    cuts = cuts.filter(function (c, i, all) { return all.indexOf(c) === i; }).sort(function (a, b) { return a - b; });
    var fragment = document.createDocumentFragment(), open = null, openFinding = null;
    for (var i = 0; i + 1 < cuts.length; i++) {
      var a = cuts[i], b = cuts[i + 1], top = null;
      // Where findings overlap, the most severe one colours the text.
      findings.forEach(function (f) {
        if (f.start <= a && f.end >= b && (!top || RANK[f.severity] > RANK[top.severity])) top = f;
      });
      var piece = document.createTextNode(text.slice(a, b));
      if (!top) { fragment.appendChild(piece); open = null; continue; }
      if (!open || openFinding !== top) {
        open = document.createElement("mark");
        open.className = "sev-" + top.severity;
        top.mark = open;
        openFinding = top;
        fragment.appendChild(open);
      }
      open.appendChild(piece);
    }
    // A final line break needs a character after it to take up its line.
    fragment.appendChild(document.createTextNode("\u200b"));
    mirror.textContent = "";
    mirror.appendChild(fragment);
    this.fit();
  };

  // Selects a finding's range in its field and brings it into view.
  function select(item) {
    var field = document.getElementById(item.getAttribute("data-field"));
    if (!field) return false;
    var start, end, mark = null;
    var known = editor && field === editor.area ? editor.findings.filter(function (f) { return f.item === item; })[0] : null;
    if (known) {
      start = known.start; end = known.end; mark = known.mark;
    } else if (!editor || field !== editor.area) {
      var s = parseInt(item.getAttribute("data-start"), 10), e = parseInt(item.getAttribute("data-end"), 10);
      var units = toUnits(field.value, [s, e]);
      if (units[s] === undefined || units[e] === undefined) return false;
      start = units[s]; end = units[e];
    } else {
      return false; // Edited since it was found: the next lint places it again.
    }
    field.focus({ preventScroll: true });
    field.setSelectionRange(start, end);
    var box = field.getBoundingClientRect(), y = box.top;
    if (mark) {
      field.scrollTop = Math.max(0, mark.offsetTop - field.clientHeight / 3);
      editor.syncScroll();
      y = box.top + mark.offsetTop - field.scrollTop;
      mark.classList.remove("flash");
      void mark.offsetWidth;
      mark.classList.add("flash");
    }
    window.scrollBy({ top: y - window.innerHeight / 2, behavior: "smooth" });
    return true;
  }

  function start() {
    var area = document.querySelector("textarea[data-lint-highlight]");
    if (!area || editor) return;
    editor = new Editor(area);
    editor.load(area.value);
  }

  document.addEventListener("click", function (event) {
    var jump = event.target.closest ? event.target.closest(".finding-jump") : null;
    var item = jump && jump.closest("li[data-field]");
    if (item && select(item)) event.preventDefault();
  });
  // Remember what was sent with each lint request, to place its answer on it.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var d = event.detail;
    if (editor && d.target && d.target.id === "live-findings" && d.xhr) d.xhr.fanloopLinted = editor.area.value;
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var d = event.detail;
    if (!editor || !d.target || d.target.id !== "live-findings") return;
    var linted = d.xhr && typeof d.xhr.fanloopLinted === "string" ? d.xhr.fanloopLinted : editor.area.value;
    editor.load(linted);
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
