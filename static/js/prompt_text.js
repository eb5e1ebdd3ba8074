// Prompt texts: a counter under the prompt's text field that refuses over-long text
// before it is sent (the form refuses it too, with the same limit), and long texts on
// prompt cards clamped to a few lines with a "more" button.
(function () {
  "use strict";

  function number(n) { return n.toLocaleString("en-GB"); }

  // Counter
  function counters(root) { root.querySelectorAll(".prompt-text-field").forEach(counter); }

  function counter(field) {
    var text = field.querySelector("textarea");
    var count = field.querySelector(".char-count");
    if (!text || !count || count.dataset.counting) return;
    count.dataset.counting = "true";
    var max = parseInt(count.dataset.max, 10);
    function update() {
      var length = text.value.length;
      var over = length - max;
      count.textContent = over > 0
        ? number(length) + " / " + number(max) + " characters: " + number(over) + " too many. Shorten it to send it."
        : number(length) + " / " + number(max) + " characters";
      count.classList.toggle("char-count-over", over > 0);
      if (over > 0) text.setAttribute("aria-invalid", "true"); else text.removeAttribute("aria-invalid");
      return over <= 0;
    }
    text.setAttribute("aria-describedby", count.id);
    text.addEventListener("input", update);
    // A preset fills the text from another script: count it too.
    document.addEventListener("click", function () { setTimeout(update, 0); });
    text.form.addEventListener("submit", function (event) {
      if (update()) return;
      event.preventDefault();
      text.focus();
    });
    update();
  }

  // The folded options say what they are set to
  function options(root) {
    root.querySelectorAll("details.composer-options").forEach(function (details) {
      var summary = details.querySelector(".options-summary");
      var form = details.closest("form");
      if (!summary || !form || summary.dataset.following) return;
      summary.dataset.following = "true";
      function update() {
        var count = form.querySelector("[name=num_images]").value;
        var text = "· " + count + " image" + (count === "1" ? "" : "s") + " · shape " + form.querySelector("[name=aspect_ratio]").value;
        var out = form.querySelector("[name=negative_prompt]").value.trim();
        if (out) text += " · leaving out “" + (out.length > 30 ? out.slice(0, 29) + "…" : out) + "”";
        summary.textContent = text;
      }
      details.addEventListener("input", update);
      details.addEventListener("change", update);
    });
  }

  // "more" on long texts
  function clamp(root) {
    root.querySelectorAll(".clamp").forEach(function (text) {
      var next = text.nextElementSibling;
      if (next && next.classList.contains("clamp-toggle")) return;
      if (text.scrollHeight <= text.clientHeight + 1) return;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "linklike clamp-toggle";
      button.textContent = "more";
      button.setAttribute("aria-expanded", "false");
      button.addEventListener("click", function () {
        var open = text.classList.toggle("clamp-open");
        button.textContent = open ? "less" : "more";
        button.setAttribute("aria-expanded", open ? "true" : "false");
      });
      text.after(button);
    });
  }
  counters(document);
  options(document);
  clamp(document);
  document.addEventListener("status:updated", function (event) {
    var root = event.detail.parentNode || document;
    counters(root);
    options(root);
    clamp(root);
  });
})();
