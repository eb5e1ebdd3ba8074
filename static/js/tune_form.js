// Comfort for the new fine-tune form: drag and drop, previews with remove buttons,
// count and size checks before upload, and a progress bar. Without this script
// the plain file input and a normal form post do the same job.
(function () {
  "use strict";
  var form = document.getElementById("tune-form");
  if (!form || !window.DataTransfer || !window.FormData) return;

  var input = form.querySelector("input[type=file]");
  var zone = document.getElementById("dropzone");
  var list = document.getElementById("previews");
  var summary = document.getElementById("photo-summary");
  var progress = document.getElementById("upload-progress");
  var maxBytes = parseInt(form.dataset.maxBytes, 10);
  var maxCount = parseInt(form.dataset.maxCount, 10);
  var files = [];

  function sizeText(bytes) {
    return bytes > 1048576 ? (bytes / 1048576).toFixed(1) + " MB" : Math.ceil(bytes / 1024) + " KB";
  }

  function minimum() {
    var faceid = form.querySelector("input[name=model_kind][value=faceid]");
    return faceid && faceid.checked ? parseInt(form.dataset.minFaceid, 10) : parseInt(form.dataset.minCount, 10);
  }

  function sync() {
    var transfer = new DataTransfer();
    files.forEach(function (file) { transfer.items.add(file); });
    input.files = transfer.files;
    list.innerHTML = "";
    files.forEach(function (file, index) {
      var item = document.createElement("li");
      item.className = "preview";
      var img = document.createElement("img");
      img.alt = file.name;
      img.src = URL.createObjectURL(file);
      img.onload = function () { URL.revokeObjectURL(img.src); };
      img.onerror = function () { item.classList.add("preview-noimg"); };
      var name = document.createElement("span");
      name.className = "preview-name";
      name.textContent = file.name + " · " + sizeText(file.size);
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "preview-remove";
      remove.setAttribute("aria-label", "Remove " + file.name);
      remove.textContent = "×";
      remove.addEventListener("click", function () { files.splice(index, 1); sync(); });
      if (file.size > maxBytes) item.classList.add("preview-bad");
      item.append(img, name, remove);
      list.appendChild(item);
    });
    var problems = [];
    var big = files.filter(function (f) { return f.size > maxBytes; });
    if (big.length) problems.push(big.map(function (f) { return f.name; }).join(", ") + " too large (max " + sizeText(maxBytes) + ")");
    if (files.length < minimum()) problems.push("add at least " + (minimum() - files.length) + " more");
    if (files.length > maxCount) problems.push("remove " + (files.length - maxCount));
    summary.textContent = files.length + " photo" + (files.length === 1 ? "" : "s") + " chosen" + (problems.length ? ": " + problems.join("; ") : " ✓");
    summary.className = problems.length ? "photo-summary bad" : "photo-summary ok";
    return problems.length === 0;
  }

  function add(newFiles) {
    Array.prototype.forEach.call(newFiles, function (file) {
      var dup = files.some(function (f) { return f.name === file.name && f.size === file.size; });
      if (!dup) files.push(file);
    });
    sync();
  }

  input.addEventListener("change", function () { add(input.files); });
  ["dragenter", "dragover"].forEach(function (type) {
    zone.addEventListener(type, function (event) { event.preventDefault(); zone.classList.add("dragging"); });
  });
  ["dragleave", "drop"].forEach(function (type) {
    zone.addEventListener(type, function () { zone.classList.remove("dragging"); });
  });
  zone.addEventListener("drop", function (event) { event.preventDefault(); add(event.dataTransfer.files); });
  form.querySelectorAll("input[name=model_kind]").forEach(function (radio) { radio.addEventListener("change", sync); });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!sync()) { summary.scrollIntoView({ block: "center" }); return; }
    var request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    request.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) progress.value = Math.round(100 * e.loaded / e.total);
    });
    request.addEventListener("load", function () {
      // 201 + Location: created. Following it here would use up the page's message.
      if (request.status === 201 && request.getResponseHeader("Location")) {
        window.location.assign(request.getResponseHeader("Location"));
      } else if (!showErrors(request.responseText)) {
        document.open(); document.write(request.responseText); document.close();
      }
    });
    request.addEventListener("error", function () {
      progress.hidden = true;
      summary.textContent = "The upload was interrupted. Check your connection and try again.";
      summary.className = "photo-summary bad";
    });
    progress.hidden = false;
    progress.value = 0;
    form.querySelector("button[type=submit]").disabled = true;
    request.send(new FormData(form));
  });

  // A refused form comes back as the page with its messages. Show those messages
  // here instead of loading that page, so the photos chosen stay chosen.
  function showErrors(html) {
    var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("tune-form");
    if (!fresh) return false;
    form.querySelectorAll(".errorlist, .form-errors").forEach(function (el) { el.remove(); });
    form.querySelectorAll(".has-error").forEach(function (el) { el.classList.remove("has-error"); });
    var top = fresh.querySelector(":scope > .message-error");
    if (top) { top.classList.add("form-errors"); form.prepend(document.importNode(top, true)); }
    fresh.querySelectorAll(".errorlist").forEach(function (errors) {
      var field = errors.closest(".form-field");
      var named = field && field.querySelector("[name]");
      var mine = named && form.querySelector("[name=" + named.name + "]");
      var target = mine ? mine.closest(".form-field") : form;
      target.classList.add("has-error");
      target.appendChild(document.importNode(errors, true));
    });
    progress.hidden = true;
    form.querySelector("button[type=submit]").disabled = false;
    var first = form.querySelector(".form-errors, .errorlist");
    if (first) first.scrollIntoView({ block: "center" });
    return true;
  }

  // The one-word class is only asked for when "Something else" is chosen.
  var classSelect = form.querySelector("select[name=class_name]");
  var customField = form.querySelector("input[name=custom_class]").closest(".form-field");
  function toggleCustom() { customField.hidden = classSelect.value !== "other"; }
  classSelect.addEventListener("change", toggleCustom);
  toggleCustom();

  zone.classList.add("enhanced");
  sync();
})();
