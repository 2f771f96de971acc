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
  // <button data-menu>: open or close the navigation on a phone (below 600 px it is folded away).
  document.addEventListener("click", function (e) {
    var btn = e.target.closest("[data-menu]");
    if (!btn) return;
    var nav = document.getElementById(btn.getAttribute("aria-controls"));
    var open = btn.getAttribute("aria-expanded") !== "true";
    btn.setAttribute("aria-expanded", open ? "true" : "false");
    if (nav) nav.classList.toggle("open", open);
  });
})();
