// The intake page: look the caller up as the phone number or room is entered (htmx does the request),
// and fill the form from a chosen match. The lookup URL comes from this script tag's data-lookup-url.
(function () {
  var url = document.currentScript.dataset.lookupUrl;
  var phone = document.getElementById("id_complainant_phone"), room = document.getElementById("id_room");
  [phone, room].forEach(function (el) {
    if (!el) return;
    el.setAttribute("hx-get", url);
    el.setAttribute("hx-trigger", el === phone ? "keyup changed delay:400ms" : "change");
    el.setAttribute("hx-target", "#lookup");
    el.setAttribute("hx-include", "#id_complainant_phone, #id_room");
  });
  document.addEventListener("click", function (e) {
    var b = e.target.closest("[data-fill-name]");
    if (!b) return;
    document.getElementById("id_complainant_name").value = b.dataset.fillName;
    if (b.dataset.fillRoom) document.getElementById("id_room").value = b.dataset.fillRoom;
    if (b.dataset.fillPhone) phone.value = b.dataset.fillPhone;
  });
  // A category per issue (issue 14): name each picker after its line of the issue list and show only
  // as many pickers as there are lines (all of them work without script).
  var issues = document.getElementById("id_issues");
  function issueCats() {
    var lines = issues.value.split("\n").map(function (l) { return l.trim(); }).filter(Boolean);
    document.querySelectorAll("[data-issue-cat]").forEach(function (box) {
      var n = parseInt(box.dataset.issueCat, 10), sel = box.querySelector("select");
      var show = n <= Math.max(lines.length, 1) || (sel && sel.value);
      box.hidden = !show;
      var note = box.querySelector("[data-issue-line]");
      if (!note) {
        note = document.createElement("span");
        note.className = "muted issue-line";
        note.setAttribute("data-issue-line", "");
        box.querySelector("label").appendChild(note);
      }
      note.textContent = lines[n - 1] ? "：" + lines[n - 1].slice(0, 30) : "";
    });
  }
  if (issues) {
    issues.addEventListener("input", issueCats);
    issueCats();
  }
})();
