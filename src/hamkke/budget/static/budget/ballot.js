/* The ballot page's live feedback, mirroring the rules of hamkke/budget/ballots.py: on a
   knapsack ballot the money left (projects that no longer fit are greyed out and disabled), on
   an approval ballot "k of N chosen" (no more once N are chosen), on a per-area ballot one
   project per area (choosing a second one in an area replaces the first). Feedback only: the
   server checks every ballot again, and without this script the form sends whatever is ticked
   to the confirmation step, which explains any problem. Also the receipt page's copy button. */
(function () {
  "use strict";

  document.documentElement.classList.add("js");
  var lang = document.documentElement.lang || undefined;

  function format(text, values) {
    return String(text || "").replace(/%\((\w+)\)s/g, function (whole, name) {
      return values[name] === undefined ? whole : values[name];
    });
  }

  function money(amount) {
    return Number(amount).toLocaleString(lang);
  }

  function setupBallot(form) {
    var messagesNode = document.getElementById("ballot-messages");
    var messages = messagesNode ? JSON.parse(messagesNode.textContent) : {};
    var kind = form.dataset.kind;
    var budget = Number(form.dataset.budget);
    var max = form.dataset.max ? Number(form.dataset.max) : null;
    var minSpend = Number(form.dataset.minSpend || 0);
    var areaCount = Number(form.dataset.areas || 0);
    var boxes = Array.prototype.slice.call(form.querySelectorAll("input[name=choices]"));
    var status = document.getElementById("ballot-status");
    var meter = document.getElementById("money-meter-fill");
    var note = "";

    function chosen() {
      return boxes.filter(function (box) { return box.checked; });
    }

    function setFits(box, fits, why) {
      // A ticked project stays enabled whatever happens: the voter must be able to untick it.
      var open = fits || box.checked;
      box.disabled = !open;
      box.closest(".ballot-choice").classList.toggle("does-not-fit", !open);
      var reason = document.getElementById("fit-" + box.value);
      if (reason) {
        reason.hidden = open;
        reason.textContent = open ? "" : why;
      }
    }

    function updateKnapsack(picked) {
      var spent = picked.reduce(function (total, box) { return total + Number(box.dataset.cost); }, 0);
      var left = budget - spent;
      boxes.forEach(function (box) {
        setFits(box, Number(box.dataset.cost) <= left, messages.doesNotFit);
      });
      var parts = [];
      if (left < 0) {
        parts.push(format(messages.over, { over: money(-left) }));
      } else {
        parts.push(format(messages.left, { left: money(left), budget: money(budget) }));
      }
      if (spent < minSpend) parts.push(format(messages.underMin, { least: money(minSpend) }));
      if (meter) meter.style.width = Math.min(100, (100 * spent) / (budget || 1)) + "%";
      form.dataset.left = String(left);
      form.classList.toggle("over-budget", left < 0);
      return parts.join(" · ");
    }

    function updateApproval(picked) {
      var full = max !== null && picked.length >= max;
      boxes.forEach(function (box) {
        setFits(box, !full, messages.limitReached);
      });
      if (max === null) return format(messages.chosenNoMax, { n: picked.length });
      return format(messages.chosen, { n: picked.length, max: max });
    }

    function updateQuota(picked) {
      var areas = {};
      picked.forEach(function (box) { areas[box.dataset.area] = true; });
      return format(messages.areas, { n: Object.keys(areas).length, areas: areaCount });
    }

    function update() {
      var picked = chosen();
      var text = "";
      if (kind === "knapsack") text = updateKnapsack(picked);
      else if (kind === "approval") text = updateApproval(picked);
      else if (kind === "quota") text = updateQuota(picked);
      status.textContent = note ? text + " · " + note : text;
    }

    form.addEventListener("change", function (event) {
      var box = event.target;
      if (box.name !== "choices") return;
      note = "";
      if (kind === "quota" && box.checked) {
        // Radio-like within an area; the server still refuses two in one area.
        boxes.forEach(function (other) {
          if (other !== box && other.checked && other.dataset.area === box.dataset.area) {
            other.checked = false;
            note = format(messages.replaced, { "new": box.dataset.title, old: other.dataset.title });
          }
        });
      }
      update();
    });
    update();
  }

  function setupCopy(button) {
    var status = document.getElementById("copy-status");
    if (!navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(button.dataset.copy).then(function () {
        if (status) status.textContent = button.dataset.copied;
      });
    });
  }

  var form = document.getElementById("ballot");
  if (form) setupBallot(form);
  var copy = document.getElementById("copy-receipt");
  if (copy) setupCopy(copy);
})();
