// Comfort for the new fine-tune form: drag and drop, previews with remove buttons,
// checks of each photo before upload (type by its first bytes, a whole file, size),
// the upload's phases beside the Create button, and the server's errors put on the
// photos they name. Without this script the plain file input and a normal form post
// do the same job, and the server makes the same checks.
(function () {
  "use strict";
  var form = document.getElementById("tune-form");
  if (!form || !window.DataTransfer || !window.FormData) return;

  var input = form.querySelector("input[type=file]");
  var zone = document.getElementById("dropzone");
  var list = document.getElementById("previews");
  var summary = document.getElementById("photo-summary");
  var progress = document.getElementById("upload-progress");
  var phase = document.getElementById("upload-phase");
  var button = form.querySelector("button[type=submit]");
  var closed = button.disabled; // a limit is reached: the page says which
  var maxBytes = parseInt(form.dataset.maxBytes, 10);
  var maxCount = parseInt(form.dataset.maxCount, 10);
  var minSide = parseInt(form.dataset.minSide, 10) || 512;
  var KINDS = "a JPEG, PNG, WebP or HEIC image";
  var entries = []; // {file, kind, problem, server, checked (a promise), done}

  function sizeText(bytes) {
    return bytes > 1048576 ? (bytes / 1048576).toFixed(1) + " MB" : Math.ceil(bytes / 1024) + " KB";
  }

  function minimum() {
    var faceid = form.querySelector("input[name=model_kind][value=faceid]");
    return faceid && faceid.checked ? parseInt(form.dataset.minFaceid, 10) : parseInt(form.dataset.minCount, 10);
  }

  // --- Checks of one photo, as far as a browser can make them (tunes/photos.py makes them all)

  function ascii(bytes, start, end) {
    return String.fromCharCode.apply(null, Array.prototype.slice.call(bytes, start, end));
  }

  function kindOf(head) {
    if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return "JPEG";
    if (ascii(head, 0, 8) === "\x89PNG\r\n\x1a\n") return "PNG";
    if (ascii(head, 0, 4) === "RIFF" && ascii(head, 8, 12) === "WEBP") return "WEBP";
    if (ascii(head, 4, 8) === "ftyp" && /^(heic|heix|hevc|hevx|heim|heis|hevm|hevs|mif1|msf1)$/.test(ascii(head, 8, 12))) return "HEIC";
    return null;
  }

  function whole(kind, tail) {
    // A JPEG ends with its end-of-image marker (FF D9), a PNG with its IEND chunk;
    // a file cut short ends somewhere inside its picture. (Trailing bytes are allowed.)
    var text = ascii(tail, 0, tail.length);
    if (kind === "JPEG") return text.indexOf("\xff\xd9") !== -1;
    if (kind === "PNG") return text.indexOf("IEND") !== -1;
    return true;
  }

  function read(blob) {
    return blob.arrayBuffer().then(function (buffer) { return new Uint8Array(buffer); });
  }

  function check(entry) {
    var file = entry.file;
    if (file.size > maxBytes) {
      entry.problem = file.name + " is larger than the maximum of " + sizeText(maxBytes) + ".";
      return Promise.resolve();
    }
    return Promise.all([read(file.slice(0, 16)), read(file.slice(Math.max(0, file.size - 4096)))])
      .then(function (parts) {
        entry.kind = kindOf(parts[0]);
        if (!entry.kind) {
          entry.problem = file.name + " is not " + KINDS + ".";
        } else if (!whole(entry.kind, parts[1])) {
          entry.problem = file.name + " is damaged: part of its picture is missing (was the file cut short?).";
        } else if (entry.kind !== "HEIC") {
          // Chromium and Firefox cannot decode HEIC: the server checks those.
          return createImageBitmap(file).then(function (bitmap) {
            var width = bitmap.width, height = bitmap.height;
            if (bitmap.close) bitmap.close();
            if (Math.min(width, height) < minSide) {
              entry.problem = file.name + " is " + width + "×" + height + " pixels; the shorter side must be at least " + minSide + " pixels.";
            }
          }, function () {
            entry.problem = file.name + " is damaged or not " + KINDS + ": it cannot be opened.";
          });
        }
      })
      .catch(function () { /* unreadable here: the server will say */ })
      .then(function () { entry.done = true; });
  }

  // --- The previews and the summary

  function tile(entry, index) {
    var file = entry.file;
    var item = document.createElement("li");
    item.className = "preview";
    item.dataset.name = file.name;
    var problem = entry.server || entry.problem;
    if (entry.kind === "HEIC") {
      // No browser preview: a placeholder that says what it is.
      var placeholder = document.createElement("span");
      placeholder.className = "preview-placeholder";
      placeholder.textContent = "HEIC photo";
      item.appendChild(placeholder);
    } else {
      var img = document.createElement("img");
      img.alt = file.name;
      img.src = URL.createObjectURL(file);
      img.onload = function () { URL.revokeObjectURL(img.src); };
      img.onerror = function () { item.classList.add("preview-noimg"); URL.revokeObjectURL(img.src); };
      item.appendChild(img);
    }
    var name = document.createElement("span");
    name.className = "preview-name";
    name.textContent = file.name + " · " + sizeText(file.size);
    var remove = document.createElement("button");
    remove.type = "button";
    remove.className = "preview-remove";
    remove.setAttribute("aria-label", "Remove " + file.name);
    remove.textContent = "×";
    remove.addEventListener("click", function () { entries.splice(index, 1); sync(); });
    item.append(name, remove);
    if (problem) {
      item.classList.add("preview-bad");
      var note = document.createElement("p");
      note.className = "preview-problem";
      note.setAttribute("role", "note");
      note.textContent = problem;
      item.appendChild(note);
    } else if (!entry.done) {
      item.classList.add("preview-checking");
    }
    return item;
  }

  function sync() {
    var transfer = new DataTransfer();
    entries.forEach(function (entry) { transfer.items.add(entry.file); });
    input.files = transfer.files;
    list.innerHTML = "";
    entries.forEach(function (entry, index) { list.appendChild(tile(entry, index)); });
    var problems = [];
    var bad = entries.filter(function (entry) { return entry.problem || entry.server; });
    if (bad.length === 1) problems.push("1 cannot be used (marked): remove it");
    if (bad.length > 1) problems.push(bad.length + " cannot be used (marked): remove them");
    var usable = entries.length - bad.length;
    if (usable < minimum()) problems.push("add at least " + (minimum() - usable) + " more");
    if (entries.length > maxCount) problems.push("remove " + (entries.length - maxCount));
    var checking = entries.some(function (entry) { return !entry.done; });
    var text = entries.length + " photo" + (entries.length === 1 ? "" : "s") + " chosen";
    if (problems.length) text += ": " + problems.join("; ");
    else if (checking) text += ", checking them…";
    else text += " ✓";
    summary.textContent = entries.length ? text : "";
    summary.className = problems.length ? "photo-summary bad" : checking ? "photo-summary" : "photo-summary ok";
    return problems.length === 0;
  }

  function add(newFiles) {
    Array.prototype.forEach.call(newFiles, function (file) {
      var dup = entries.some(function (e) { return e.file.name === file.name && e.file.size === file.size; });
      if (dup) return;
      var entry = { file: file, kind: null, problem: "", server: "", done: false };
      entry.checked = check(entry).then(sync);
      entries.push(entry);
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

  // --- Sending: the phases beside the Create button

  function say(text) {
    phase.hidden = !text;
    phase.textContent = text || "";
  }

  function done(message) {
    // The upload is over without a new page: everything chosen stays as it was.
    progress.hidden = true;
    say("");
    button.disabled = closed;
    if (message) {
      summary.textContent = message;
      summary.className = "photo-summary bad";
    }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (closed) return;
    button.disabled = true;
    say("Checking your photos…");
    Promise.all(entries.map(function (entry) { return entry.checked; })).then(function () {
      if (!sync()) {
        done();
        summary.scrollIntoView({ block: "center" });
        return;
      }
      send();
    });
  });

  function send() {
    var count = entries.length;
    var request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    request.upload.addEventListener("progress", function (e) {
      if (!e.lengthComputable) return;
      var percent = Math.round(100 * e.loaded / e.total);
      progress.value = percent;
      say("Uploading… " + percent + "%");
    });
    request.upload.addEventListener("load", function () {
      // Sent: the server now checks and prepares every photo, which takes a while.
      progress.removeAttribute("value");  // an indeterminate bar
      say("Checking " + count + " photo" + (count === 1 ? "" : "s") + "…");
    });
    request.addEventListener("load", function () {
      // 201 + Location: created. Following it here would use up the page's message.
      if (request.status === 201 && request.getResponseHeader("Location")) {
        say("Done: opening your fine-tune…");
        window.location.assign(request.getResponseHeader("Location"));
      } else if (request.responseURL && new URL(request.responseURL).pathname !== new URL(form.action, location.href).pathname) {
        window.location.assign(request.responseURL);  // e.g. logged out meanwhile
      } else if (!showErrors(request.responseText)) {
        done("The portal could not take the form just now (error " + request.status + "). " +
             "Your photos and choices are still here: please try again in a moment.");
      }
    });
    request.addEventListener("error", function () {
      done("The upload was interrupted. Check your connection and try again: your photos and choices are still here.");
    });
    progress.hidden = false;
    progress.value = 0;
    say("Uploading… 0%");
    phase.scrollIntoView({ block: "nearest" });
    request.send(new FormData(form));
  }

  // The photo an error message names: messages about a photo begin with its file name.
  function named(message) {
    var best = null;
    entries.forEach(function (entry) {
      var name = entry.file.name;
      if (message.indexOf(name + " ") === 0 && (!best || name.length > best.file.name.length)) best = entry;
    });
    return best;
  }

  // A refused form comes back as the page with its messages. Show those messages
  // here instead of loading that page, so the photos chosen stay chosen.
  function showErrors(html) {
    var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("tune-form");
    if (!fresh) return false;
    form.querySelectorAll(".errorlist, .form-errors").forEach(function (el) { el.remove(); });
    form.querySelectorAll(".has-error").forEach(function (el) { el.classList.remove("has-error"); });
    entries.forEach(function (entry) { entry.server = ""; });
    var top = fresh.querySelector(":scope > .message-error");
    if (top) { top.classList.add("form-errors"); form.prepend(document.importNode(top, true)); }
    fresh.querySelectorAll(".errorlist").forEach(function (errors) {
      var field = errors.closest(".form-field");
      var named_ = field && field.querySelector("[name]");
      var mine = named_ && form.querySelector("[name=" + named_.name + "]");
      if (mine === input) {
        // Each message about one photo goes on its tile; the rest under the grid.
        errors.querySelectorAll("li").forEach(function (item) {
          var entry = named(item.textContent);
          if (entry) { entry.server = item.textContent; item.remove(); }
        });
        if (!errors.querySelector("li")) return;
      }
      var target = mine ? mine.closest(".form-field") : form;
      target.classList.add("has-error");
      target.appendChild(document.importNode(errors, true));
    });
    done();
    sync();
    var first = form.querySelector(".form-errors, .errorlist, .preview-bad");
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
