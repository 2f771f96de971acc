/* Triage suggestion box (docket/triage): no inline script, CSP-safe.
 *
 * The intake page includes this file and a container that htmx fills while staff type, e.g.
 *
 *   <div id="triage-box" hx-get="/triage/suggest" hx-include="closest form"
 *        hx-trigger="input changed delay:500ms from:closest form, change from:closest form"></div>
 *   <input type="hidden" name="triage_source"> <input type="hidden" name="triage_category">
 *   <input type="hidden" name="triage_department">
 *
 * The fragment (triage/_suggest.html) names its source and suggestion in data attributes; this script
 * copies them into the hidden inputs (so the filing can record the feedback, triage_feedback_record) and,
 * when staff click a suggested category or department, selects it in the form. Staff always decide: nothing
 * is selected without a click.
 */
(function () {
  "use strict";

  function formOf(el) {
    return el.closest("form") || document;
  }

  function setHidden(form, name, value) {
    var input = form.querySelector('input[type="hidden"][name="' + name + '"]');
    if (input) input.value = value || "";
  }

  function remember(box) {
    var form = formOf(box);
    setHidden(form, "triage_source", box.dataset.triageSource);
    setHidden(form, "triage_category", box.dataset.triageCategory);
    setHidden(form, "triage_department", box.dataset.triageDepartment);
  }

  function pick(button) {
    var form = formOf(button);
    var field = button.dataset.triagePick; // "category" | "department"
    var select = form.querySelector('select[name="' + field + '"], select[name$="' + field + '_id"]');
    if (!select) return;
    select.value = button.dataset.value;
    select.dispatchEvent(new Event("change", { bubbles: true }));
    button.setAttribute("aria-pressed", "true");
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-triage-pick]");
    if (button) {
      event.preventDefault();
      pick(button);
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var box = event.target.querySelector ? event.target.querySelector(".triage-suggestion") : null;
    if (box) remember(box);
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".triage-suggestion").forEach(remember);
  });
})();
