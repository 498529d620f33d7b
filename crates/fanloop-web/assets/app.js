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
