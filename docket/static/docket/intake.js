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
})();
