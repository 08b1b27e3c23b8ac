/* The ranking questions of a ballot: without a script they are numbered selects ("Choice 1",
   "Choice 2", …), which the server reads. With it, the same selects are kept (hidden) and
   filled from a list the person orders with buttons: "Rank it" adds an option at the end of
   the ranking, ↑ and ↓ move it, ✕ takes it out. Every change is announced. */
(function () {
  "use strict";

  var node = document.getElementById("ballot-messages");
  var text = node ? JSON.parse(node.textContent) : {};

  function say(template, values) {
    return (template || "").replace(/%\((\w+)\)s/g, function (_, key) {
      return values[key] === undefined ? "" : values[key];
    });
  }

  function button(label, aria, action) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "rank-button";
    b.textContent = label;
    b.setAttribute("aria-label", aria);
    b.dataset.action = action;
    return b;
  }

  function enhance(fieldset) {
    var selects = Array.prototype.slice.call(fieldset.querySelectorAll(".rank-selects select"));
    var listed = fieldset.querySelector(".rank-options");
    if (!selects.length || !listed) return;
    var items = {};
    var order = [];
    Array.prototype.forEach.call(listed.querySelectorAll("li[data-option]"), function (li) {
      items[li.dataset.option] = li;
      order.push(li.dataset.option);
    });
    var ranked = [];
    selects.forEach(function (select) {
      if (select.value && items[select.value] && ranked.indexOf(select.value) < 0) {
        ranked.push(select.value);
      }
    });

    var widget = document.createElement("div");
    widget.className = "rank-widget";
    var rankedTitle = document.createElement("p");
    rankedTitle.className = "rank-heading";
    rankedTitle.textContent = text.ranking;
    var list = document.createElement("ol");
    list.className = "rank-list";
    var poolTitle = document.createElement("p");
    poolTitle.className = "rank-heading";
    poolTitle.textContent = text.unranked;
    var pool = document.createElement("ul");
    pool.className = "rank-pool";
    var status = document.createElement("p");
    status.className = "rank-status visually-hidden";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    widget.append(rankedTitle, list, poolTitle, pool, status);
    listed.hidden = true;
    fieldset.querySelector(".rank-selects").hidden = true;
    listed.parentNode.insertBefore(widget, listed);

    function name(id) {
      return items[id].querySelector(".option-text").textContent.trim();
    }

    function entry(id) {
      var li = document.createElement("li");
      li.className = "rank-item";
      li.dataset.option = id;
      var content = document.createElement("span");
      content.className = "rank-content";
      Array.prototype.forEach.call(items[id].childNodes, function (child) {
        content.appendChild(child.cloneNode(true));
      });
      li.appendChild(content);
      return li;
    }

    function render(focusId, focusAction) {
      list.textContent = "";
      pool.textContent = "";
      if (!ranked.length) {
        var empty = document.createElement("li");
        empty.className = "muted rank-empty";
        empty.textContent = text.empty;
        list.appendChild(empty);
      }
      ranked.forEach(function (id, index) {
        var li = entry(id);
        var tools = document.createElement("span");
        tools.className = "rank-tools";
        var up = button("↑", say(text.up, { option: name(id) }), "up");
        var down = button("↓", say(text.down, { option: name(id) }), "down");
        up.disabled = index === 0;
        down.disabled = index === ranked.length - 1;
        tools.append(up, down, button("✕", say(text.remove, { option: name(id) }), "remove"));
        li.appendChild(tools);
        list.appendChild(li);
      });
      order.forEach(function (id) {
        if (ranked.indexOf(id) >= 0) return;
        var li = entry(id);
        var add = button(text.addShort, say(text.add, { option: name(id) }), "add");
        li.appendChild(add);
        pool.appendChild(li);
      });
      selects.forEach(function (select, index) {
        select.value = ranked[index] || "";
      });
      if (focusId) {
        var target = widget.querySelector(
          'li[data-option="' + focusId + '"] button[data-action="' + focusAction + '"]'
        );
        if (!target || target.disabled) {
          target = widget.querySelector('li[data-option="' + focusId + '"] button:not([disabled])');
        }
        if (target) target.focus();
      }
    }

    widget.addEventListener("click", function (event) {
      var b = event.target.closest("button[data-action]");
      if (!b) return;
      var id = b.closest("li").dataset.option;
      var at = ranked.indexOf(id);
      var action = b.dataset.action;
      if (action === "add" && at < 0) {
        ranked.push(id);
      } else if (action === "remove" && at >= 0) {
        ranked.splice(at, 1);
      } else if (action === "up" && at > 0) {
        ranked.splice(at - 1, 0, ranked.splice(at, 1)[0]);
      } else if (action === "down" && at >= 0 && at < ranked.length - 1) {
        ranked.splice(at + 1, 0, ranked.splice(at, 1)[0]);
      }
      var now = ranked.indexOf(id);
      status.textContent = now >= 0
        ? say(text.moved, { option: name(id), rank: now + 1 })
        : say(text.removedNote, { option: name(id) });
      render(id, action === "add" ? "up" : action === "remove" ? "add" : action);
    });
    render();
  }

  Array.prototype.forEach.call(document.querySelectorAll("fieldset.ballot-ranking"), enhance);
})();
