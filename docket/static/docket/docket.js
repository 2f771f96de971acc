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
})();
