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

// Tables of repeating rows (budget lines, activities, results, expenses): rows are added and
// removed in place. Without this file the form offers a few blank rows and saving gives more.
document.addEventListener("DOMContentLoaded", function () {
  var INDEXED = /^(\w+)-(\d+)-/;

  function indexOf(row) {
    var field = row.querySelector("[name]");
    var match = field && INDEXED.exec(field.getAttribute("name"));
    return match ? parseInt(match[2], 10) : -1;
  }

  function reindex(row, index) {
    row.querySelectorAll("[name], [id], [for], [aria-describedby]").forEach(function (node) {
      ["name", "id", "for", "aria-describedby"].forEach(function (attribute) {
        var value = node.getAttribute(attribute);
        if (value) {
          node.setAttribute(attribute, value.replace(/(\w+)-\d+-/g, "$1-" + index + "-"));
        }
      });
    });
  }

  function clear(row) {
    row.querySelectorAll("input, select, textarea").forEach(function (field) {
      if (field.tagName === "SELECT") { field.selectedIndex = 0; } else { field.value = ""; }
      field.removeAttribute("aria-invalid");
    });
    row.querySelectorAll(".error-message").forEach(function (message) { message.remove(); });
  }

  document.querySelectorAll("table.js-repeat").forEach(function (table) {
    var body = table.tBodies[0];
    var max = parseInt(table.getAttribute("data-max") || "50", 10);
    var removeLabel = table.getAttribute("data-remove-label");

    function addRemoveButton(row) {
      var cell = document.createElement("td");
      cell.className = "repeat-remove";
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button button-small button-secondary";
      button.textContent = removeLabel;
      button.addEventListener("click", function () {
        if (body.rows.length > 1) { row.remove(); } else { clear(row); }
      });
      cell.appendChild(button);
      row.appendChild(cell);
    }

    var heading = table.tHead && table.tHead.rows[0];
    if (heading) {
      var th = document.createElement("th");
      th.scope = "col";
      th.innerHTML = '<span class="visually-hidden"></span>';
      th.firstChild.textContent = removeLabel;
      heading.appendChild(th);
    }
    Array.prototype.forEach.call(body.rows, addRemoveButton);

    var add = document.createElement("button");
    add.type = "button";
    add.className = "button button-small button-secondary repeat-add";
    add.textContent = table.getAttribute("data-add-label");
    add.addEventListener("click", function () {
      if (body.rows.length >= max) { return; }
      var last = body.rows[body.rows.length - 1];
      var next = 0;
      Array.prototype.forEach.call(body.rows, function (row) {
        next = Math.max(next, indexOf(row) + 1);
      });
      var row = last.cloneNode(true);
      row.querySelectorAll(".repeat-remove").forEach(function (cell) { cell.remove(); });
      reindex(row, next);
      clear(row);
      addRemoveButton(row);
      body.appendChild(row);
      var first = row.querySelector("input:not([type=hidden]), select, textarea");
      if (first) { first.focus(); }
    });
    var wrapper = table.closest(".table-wrap") || table;
    wrapper.parentNode.insertBefore(add, wrapper.nextSibling);
  });
});

// A background job's page: its progress is asked for every two seconds and drawn in place;
// once the job has finished the page is loaded again, with the file or the retry button.
// Without this file the page reloads itself (a <noscript> refresh).
document.addEventListener("DOMContentLoaded", function () {
  var box = document.querySelector("[data-job-status]");
  if (!box || ["queued", "running"].indexOf(box.getAttribute("data-job-state")) < 0) { return; }
  var bar = box.querySelector("progress");
  var text = box.querySelector("#job-progress-text");
  function poll() {
    fetch(box.getAttribute("data-job-status"), { headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (status) {
        if (!status) { return; }
        if (status.finished) { window.location.reload(); return; }
        if (bar) { bar.value = status.percent; bar.textContent = status.percent + "%"; }
        if (text && status.total) {
          text.textContent = text.getAttribute("data-steps")
            ? text.getAttribute("data-steps").replace("{done}", status.done)
              .replace("{total}", status.total).replace("{percent}", status.percent)
            : status.percent + "%";
        }
        window.setTimeout(poll, 2000);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 2000);
});
