// Progressive enhancement only: every page works without this file.
document.documentElement.classList.add("js");
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("select.js-autosubmit").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });

  // The menu's groups open one at a time and close on a click elsewhere or on Escape.
  var groups = document.querySelectorAll(".menu-wide .menu-group details");
  function closeGroups(except) {
    groups.forEach(function (group) { if (group !== except) { group.open = false; } });
  }
  groups.forEach(function (group) {
    group.addEventListener("toggle", function () { if (group.open) { closeGroups(group); } });
  });
  document.addEventListener("click", function (event) {
    if (!event.target.closest(".menu-wide .menu-group")) { closeGroups(null); }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { closeGroups(null); }
  });
});
