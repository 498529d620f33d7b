// Small progressive enhancements; every page works without them.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest("[data-menu-toggle]");
    if (toggle) {
      var open = document.body.classList.toggle("nav-open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      return;
    }
    var rich = event.target.closest("[data-copy-html]");
    if (rich) {
      // WeChat's editor keeps inline styles only when the clipboard carries text/html.
      var source = document.querySelector(rich.getAttribute("data-copy-html"));
      if (!source) return;
      var html = source.innerHTML;
      var mark = function () { rich.classList.add("copied"); setTimeout(function () { rich.classList.remove("copied"); }, 1500); };
      if (window.ClipboardItem && navigator.clipboard && navigator.clipboard.write) {
        var item = new ClipboardItem({ "text/html": new Blob([html], { type: "text/html" }), "text/plain": new Blob([source.innerText], { type: "text/plain" }) });
        navigator.clipboard.write([item]).then(mark, function () {});
      } else {
        var range = document.createRange(); range.selectNodeContents(source);
        var selection = window.getSelection(); selection.removeAllRanges(); selection.addRange(range);
        document.execCommand("copy"); selection.removeAllRanges(); mark();
      }
      return;
    }
    var copy = event.target.closest("[data-copy]");
    if (copy) {
      var input = document.querySelector(copy.getAttribute("data-copy"));
      if (!input) return;
      input.select();
      var done = function () { copy.classList.add("copied"); setTimeout(function () { copy.classList.remove("copied"); }, 1500); };
      if (navigator.clipboard) { navigator.clipboard.writeText(input.value).then(done, function () { document.execCommand("copy"); done(); }); }
      else { document.execCommand("copy"); done(); }
    }
  });
  // Disable a form's submit button while it is being sent, so a double click does not
  // submit twice.
  document.addEventListener("submit", function (event) {
    var question = event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { event.preventDefault(); return; }
    var button = event.target.querySelector("button[type=submit]");
    if (button) { setTimeout(function () { button.disabled = true; button.classList.add("busy"); }, 0); }
  });
  // htmx shows a clear message when a fragment cannot load.
  document.addEventListener("htmx:responseError", function (event) {
    var target = event.detail.target;
    if (target) { target.insertAdjacentHTML("afterbegin", '<p class="alert" role="alert">' + (document.documentElement.lang === "en" ? "Could not load. Please retry." : "加载失败，请重试。") + "</p>"); }
  });
})();

// Calendar: drag a scheduled card onto another day to move it there, keeping its time of
// day. The move is an ordinary form post (same CSRF token htmx sends); the answer is the
// calendar page, whose board replaces this one — a refusal included, so its reason shows.
// Every card also has a "change time" form, for keyboards and phones.
(function () {
  "use strict";
  var dragged = null;
  function csrf() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRF-Token"] || ""; }
    catch (e) { return ""; }
  }
  function clearTargets() {
    document.querySelectorAll(".drop-target").forEach(function (el) { el.classList.remove("drop-target"); });
  }
  function dayUnder(event) {
    return dragged && event.target.closest ? event.target.closest("#calendar-board [data-date]") : null;
  }
  document.addEventListener("dragstart", function (event) {
    var card = event.target.closest ? event.target.closest("[data-move-url]") : null;
    if (!card) return;
    dragged = card;
    card.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.id);
  });
  document.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("dragging");
    dragged = null;
    clearTargets();
  });
  document.addEventListener("dragover", function (event) {
    var day = dayUnder(event);
    if (!day) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    if (!day.classList.contains("drop-target")) { clearTargets(); day.classList.add("drop-target"); }
  });
  document.addEventListener("drop", function (event) {
    var day = dayUnder(event);
    if (!day) return;
    event.preventDefault();
    var card = dragged;
    clearTargets();
    if (day.contains(card)) return;
    var board = document.getElementById("calendar-board");
    var token = csrf();
    var body = new URLSearchParams();
    body.set("_csrf", token);
    body.set("date", day.getAttribute("data-date"));
    body.set("back", board.getAttribute("data-back") || "");
    board.setAttribute("aria-busy", "true");
    fetch(card.getAttribute("data-move-url"), {
      method: "POST", credentials: "same-origin", body: body,
      headers: { "X-CSRF-Token": token, "Content-Type": "application/x-www-form-urlencoded" }
    }).then(function (response) { return response.text(); }).then(function (html) {
      var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("calendar-board");
      if (fresh) { board.replaceWith(fresh); } else { window.location.reload(); }
    }).catch(function () {
      board.setAttribute("aria-busy", "false");
      board.insertAdjacentHTML("afterbegin", '<p class="alert" role="alert">' + (document.documentElement.lang === "en" ? "Could not move it. Please retry." : "改期失败，请重试。") + "</p>");
    });
  });
  // A golden-time suggestion fills the schedule form's time and picks "at a time".
  document.addEventListener("click", function (event) {
    var slot = event.target.closest ? event.target.closest("[data-fill-at]") : null;
    if (!slot) return;
    var form = slot.closest("form");
    var input = form && form.querySelector("input[name=at]");
    if (!input) return;
    input.value = slot.getAttribute("data-fill-at");
    var at = form.querySelector("input[name=mode][value=at]");
    if (at) at.checked = true;
    form.querySelectorAll(".golden-slot.used").forEach(function (el) { el.classList.remove("used"); });
    slot.classList.add("used");
    input.focus();
  });
})();
