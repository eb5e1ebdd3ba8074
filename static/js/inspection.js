// Photo inspection on the new fine-tune form: each chosen photo is sent to the
// portal's /inspect/ (which asks Astria's POST /images/inspect), one at a time, and
// what Astria noticed is written on the photo's tile. Advice only: the form is sent
// the same way whatever the findings, and nothing here runs without JavaScript.
// The characteristics most photos agree on go into the form's "characteristics".
(function () {
  "use strict";
  var script = document.currentScript;
  var form = document.getElementById("tune-form");
  var list = document.getElementById("previews");
  if (!form || !list || !script || !window.fetch) return;
  var url = script.dataset.inspectUrl;
  var input = form.querySelector("input[type=file]");
  var maxBytes = parseInt(form.dataset.maxBytes, 10) || Infinity;
  var results = new Map(); // file key -> answer (or a pending promise)
  var queue = Promise.resolve();

  function keyOf(file) { return [file.name, file.size, file.lastModified].join("/"); }
  function className() {
    var select = form.querySelector("select[name=class_name]");
    var custom = form.querySelector("input[name=custom_class]");
    if (select && select.value === "other" && custom) return custom.value.trim();
    return select ? select.value : "";
  }
  function csrf() {
    var field = form.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }
  function hidden() {
    var field = form.querySelector("input[name=characteristics]");
    if (!field) {
      field = document.createElement("input");
      field.type = "hidden";
      field.name = "characteristics";
      form.appendChild(field);
    }
    return field;
  }

  function inspect(file, name) {
    var key = keyOf(file) + "/" + name;
    if (results.has(key)) return results.get(key);
    var body = new FormData();
    body.append("name", name);
    body.append("file", file, file.name);
    var pending = queue.then(function () {
      return fetch(url, { method: "POST", body: body, headers: { "X-CSRFToken": csrf() }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : { checked: false }; })
        .catch(function () { return { checked: false }; });
    });
    queue = pending;
    results.set(key, pending);
    return pending;
  }

  function show(item, answer) {
    var old = item.querySelector(".preview-findings");
    if (old) old.remove();
    item.classList.remove("preview-flagged", "preview-checking");
    if (!answer.checked) return;
    var notes = answer.notes || [];
    var note = document.createElement("p");
    note.className = "preview-findings";
    if (notes.length) {
      item.classList.add("preview-flagged");
      note.textContent = "Astria noticed: " + notes.join(", ");
    } else {
      note.textContent = "✓ Looks good";
    }
    item.appendChild(note);
  }

  // One line under the tiles says what a finding means, and that it is only advice.
  function explain() {
    var flagged = list.querySelectorAll(".preview-flagged").length;
    var line = document.getElementById("inspection-note");
    if (!line) {
      line = document.createElement("p");
      line.id = "inspection-note";
      line.className = "inspection-note";
      line.setAttribute("aria-live", "polite");
      list.insertAdjacentElement("afterend", line);
    }
    line.hidden = flagged === 0;
    line.textContent = flagged === 1
      ? "One photo may train less well. Remove it (×) or choose a better one, or keep it and go on."
      : flagged + " photos may train less well. Remove them (×) or choose better ones, or keep them and go on.";
  }

  function aggregate() {
    var counts = {};
    var total = 0;
    results.forEach(function (pending) {
      if (!pending.done || !pending.done.checked) return;
      total += 1;
      var found = pending.done.characteristics || {};
      Object.keys(found).forEach(function (k) {
        counts[k] = counts[k] || {};
        counts[k][found[k]] = (counts[k][found[k]] || 0) + 1;
      });
    });
    var chosen = {};
    Object.keys(counts).forEach(function (k) {
      var best = Object.keys(counts[k]).sort(function (a, b) { return counts[k][b] - counts[k][a]; })[0];
      if (counts[k][best] * 2 >= total) chosen[k] = best;
    });
    hidden().value = JSON.stringify(chosen);
  }

  function refresh() {
    var name = className();
    if (!name) return;
    var items = list.querySelectorAll("li.preview");
    Array.prototype.forEach.call(input.files || [], function (file, index) {
      var item = items[index];
      if (!item || item.dataset.inspected === keyOf(file) + "/" + name) return;
      if (file.size > maxBytes) return; // refused by the form anyway
      if (item.classList.contains("preview-bad")) return; // the picker refused it already
      item.dataset.inspected = keyOf(file) + "/" + name;
      item.classList.add("preview-checking");
      var pending = inspect(file, name);
      pending.then(function (answer) {
        pending.done = answer;
        if (item.isConnected) show(item, answer);
        aggregate();
        explain();
      });
    });
  }

  new MutationObserver(function () { refresh(); explain(); }).observe(list, { childList: true });
  form.addEventListener("change", function (event) {
    if (event.target.name === "class_name" || event.target.name === "custom_class") {
      list.querySelectorAll("li.preview").forEach(function (item) { delete item.dataset.inspected; });
      refresh();
    }
  });
})();
