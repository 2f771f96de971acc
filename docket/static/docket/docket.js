// Small behaviours for every staff page, kept out of the templates so the Content-Security-Policy can
// forbid inline script and event-handler attributes (docket/core/middleware.py).
(function () {
  // <select data-autosubmit>: submit its form when the choice changes (the language switch).
  document.addEventListener("change", function (e) {
    var el = e.target.closest("[data-autosubmit]");
    if (el && el.form) el.form.submit();
  });
  // <button data-print>: print the page (receipt, 处理表, reply letter).
  document.addEventListener("click", function (e) {
    if (e.target.closest("[data-print]")) window.print();
  });
  // A step opened from the queue (?do=…) or by an action button: bring its form into view and focus it.
  function focusPanel() {
    var form = document.querySelector("#action-panel form");
    if (!form) return;
    form.scrollIntoView({ block: "start" });
    var first = form.querySelector("textarea, select, input:not([type=hidden]), button");
    if (first) first.focus({ preventScroll: true });
  }
  document.addEventListener("DOMContentLoaded", focusPanel);
  document.addEventListener("htmx:afterSwap", function (e) {
    if (e.target && e.target.id === "action-panel") focusPanel();
  });
  // <button data-menu>: open or close the navigation on a phone (below 600 px it is folded away).
  document.addEventListener("click", function (e) {
    var btn = e.target.closest("[data-menu]");
    if (!btn) return;
    var nav = document.getElementById(btn.getAttribute("aria-controls"));
    var open = btn.getAttribute("aria-expanded") !== "true";
    btn.setAttribute("aria-expanded", open ? "true" : "false");
    if (nav) nav.classList.toggle("open", open);
  });
  // The bulk bar (issue 14): "全选本页" ticks every row's checkbox of the form it names; the bar counts them.
  function bulkCount() {
    var n = document.querySelector("[data-bulk-n]");
    var ticked = document.querySelectorAll("input[name='bulk-ids']:checked").length;
    if (n) n.textContent = ticked;
    var bar = n && n.closest(".bulk-bar");
    if (bar) bar.classList.toggle("bulk-none", ticked === 0);  // the phone hides the fields until then
  }
  document.addEventListener("change", function (e) {
    var all = e.target.closest("[data-select-all]");
    if (all) {
      document.querySelectorAll("input[name='" + all.getAttribute("data-select-all") + "']").forEach(function (box) {
        box.checked = all.checked;
      });
    }
    if (all || (e.target.name === "bulk-ids")) bulkCount();
  });
  document.addEventListener("DOMContentLoaded", bulkCount);
})();
