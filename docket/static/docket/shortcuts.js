// Keyboard shortcuts for staff pages (issue 14). A file, not inline script: the CSP forbids inline code.
//   j / k    next / previous row of a list (the queue, the list, any table.list)
//   Enter    open the selected row
//   a        on the complaint page: open the primary action (the button marked primary)
//   ?        show / hide the help (the <dialog> rendered by _shortcuts.html, translated server-side)
// Keys typed into a field, or with Ctrl/Alt/Meta, are left alone.
(function () {
  var current = -1;

  function typing(e) {
    var t = e.target;
    return t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
  }

  // Enter on a link, a button or a field keeps its own meaning; elsewhere it opens the selected row.
  function control(el) {
    return el && el !== document.body && /^(A|BUTTON|INPUT|SELECT|TEXTAREA|SUMMARY)$/.test(el.tagName);
  }

  function rows() {
    var all = document.querySelectorAll("main table.list tbody tr, main [data-shortcut-row]");
    return Array.prototype.filter.call(all, function (r) {
      return r.querySelector("a[href]") && r.offsetParent !== null;
    });
  }

  function select(list, i) {
    if (!list.length) return;
    i = Math.max(0, Math.min(list.length - 1, i));
    list.forEach(function (r) { r.classList.remove("kb-current"); r.removeAttribute("aria-current"); });
    var row = list[i];
    row.classList.add("kb-current");
    row.setAttribute("aria-current", "true");
    row.scrollIntoView({ block: "nearest" });
    current = i;
  }

  function help() {
    var d = document.getElementById("kb-help");
    if (!d) return;
    if (d.open) d.close(); else d.showModal();
  }

  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.altKey || e.metaKey || typing(e)) return;
    var list;
    if (e.key === "?") { help(); e.preventDefault(); return; }
    if (e.key === "j" || e.key === "k") {
      list = rows();
      if (!list.length) return;
      if (current < 0 || current >= list.length) select(list, e.key === "j" ? 0 : list.length - 1);
      else select(list, current + (e.key === "j" ? 1 : -1));
      e.preventDefault();
      return;
    }
    if (e.key === "Enter" && current >= 0 && !control(document.activeElement)) {
      list = rows();
      var link = list[current] && list[current].querySelector("a[href]");
      if (link) { link.click(); e.preventDefault(); }
      return;
    }
    if (e.key === "a") {
      var primary = document.querySelector(".actions .primary, .actions [data-primary-action], [data-primary-action]");
      if (primary) { primary.click(); e.preventDefault(); }
    }
  });

  document.addEventListener("click", function (e) {
    if (e.target.closest("[data-kb-close]")) {
      var d = document.getElementById("kb-help");
      if (d) d.close();
    }
  });
})();
