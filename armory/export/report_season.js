"use strict";
(function () {
  var info = JSON.parse(document.getElementById("armory-season").textContent);
  var blocks = Array.prototype.slice.call(document.querySelectorAll("script.armory-ledger-day"));
  var decoded = new Map();
  var when = new Intl.DateTimeFormat("en-CA", {timeZone: info.tz, year: "numeric", month: "2-digit",
    day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23"});

  function read(block) {
    if (decoded.has(block)) return decoded.get(block);
    var raw = atob(block.textContent);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    var done = new Response(stream).text().then(function (text) {
      return text.split("\n").filter(Boolean).map(function (line) { return JSON.parse(line); });
    });
    decoded.set(block, done);
    return done;
  }

  function local(time) {
    var parts = {};
    when.formatToParts(new Date(time)).forEach(function (p) { parts[p.type] = p.value; });
    return parts.year + "-" + parts.month + "-" + parts.day + " " + parts.hour + ":" + parts.minute;
  }

  function name(id) { return id ? (info.names[id] || id) : "nobody"; }

  function said(e) {
    var p = e.payload || {};
    switch (e.kind) {
      case "answer":
        return (p.rule_id || "") + ": " + (p.question || "") + " Answered " + (p.observed || []).join(", ") +
          "; expected " + p.expected + ": " + (p.verdict === "fail" ? p.severity.toUpperCase() + " failed" : "passed") +
          (p.sensed ? " (judged from the ledger)" : "");
      case "round_verified":
        return "Round " + p.round_no + " of " + p.weapon + " (lot " + p.lot + "): " + p.method.replace(/_/g, " ") +
          ", " + (p.verdict === "pass" ? "passed" : "FAILED");
      case "handoff":
        return p.weapon + " handed by " + name(p.giver) + " to " + name(p.receiver) + ": " + p.load + ", " +
          p.rounds + " rounds" + (p.witnesses && p.witnesses.length ? "; witnessed by " + p.witnesses.map(name).join(", ") : "");
      case "return":
        return p.weapon + " back from " + name(p.giver) + " to " + name(p.receiver) + ": " + p.rounds_out +
          " out, " + p.rounds_fired + " fired, " + p.rounds_returned + " back" + (p.reconciled ? "" : ": NOT RECONCILED");
      case "rounds_fired": return p.rounds + " rounds fired from " + p.weapon;
      case "stop": return "STOP (" + p.cause + "): " + (p.weapons || []).join(", ") + ": " + p.reason;
      case "clearance": return "Stop #" + p.stop_seq + " cleared: " + p.reason;
      case "override": return "Hold #" + p.answer_seq + " (" + p.rule_id + ") overridden: " + p.reason;
      case "incident": return "INCIDENT (" + String(p.incident).replace(/_/g, " ") + ", " + (p.weapon || "no weapon") + "): " + p.description;
      case "incident_reviewed": return "Incident #" + p.incident_seq + " reviewed: " + p.findings;
      case "refusal": return "REFUSED " + p.action + " (" + p.cause + "): " + p.reason;
      case "correction": return "Correction of #" + p.corrects_seq + ": " + (p.observed || []).join(", ") + " (" + p.reason + ")";
      case "seal": return p.item_kind + " " + p.item + " sealed under " + p.seal_id;
      case "custody_transfer": return p.item + " (seal " + p.seal_id + ") to " + p.investigator + ", " + p.agency + ", receipt " + p.receipt;
      case "day_opened": return p.day + " opened; packs " + (p.packs || []).map(function (k) { return k.id + " " + k.version; }).join(", ");
      case "day_closed": return p.day + " closed";
      case "checkpoint": return "Signed checkpoint over #" + p.size;
      default: return e.kind.replace(/_/g, " ");
    }
  }

  function item(e) {
    var li = document.createElement("li");
    li.className = "entry";
    li.id = "e" + e.seq;
    var p = e.payload || {};
    if (p.verdict === "fail" || ["stop", "incident", "refusal"].indexOf(e.kind) >= 0) li.className += " fail";
    var head = document.createElement("a");
    head.href = "#e" + e.seq;
    head.textContent = "#" + e.seq;
    li.appendChild(head);
    li.appendChild(document.createTextNode(" " + local(e.time) + (e.scope ? " [" + e.scope + "]" : "") +
      (e.who ? " by " + name(e.who) : "") + (p.scene ? " · scene " + p.scene : "") + (p.setup ? " · setup " + p.setup : "") +
      " · " + said(e)));
    return li;
  }

  function drawDay(block, seq) {
    var out = document.getElementById("season-day");
    out.textContent = "Reading " + (block.dataset.day || "the entries outside a day") + "…";
    return read(block).then(function (entries) {
      out.textContent = "";
      var h = document.createElement("h2");
      h.textContent = (block.dataset.day || "Outside any shooting day") + ": " + entries.length + " entries";
      var list = document.createElement("ol");
      list.className = "entries";
      entries.forEach(function (e) { list.appendChild(item(e)); });
      out.appendChild(h);
      out.appendChild(list);
      var target = seq ? document.getElementById("e" + seq) : h;
      if (target) target.scrollIntoView();
    });
  }

  function blockOf(seq) {
    return blocks.find(function (b) {
      var first = Number(b.dataset.first);
      return seq >= first && seq < first + Number(b.dataset.entries);
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-day]");
    if (button) {
      var block = blocks.find(function (b) { return b.dataset.day === button.dataset.day; });
      if (block) drawDay(block);
    }
  });

  function followHash() {
    var m = /^#e(\d+)$/.exec(location.hash);
    if (!m || document.getElementById("e" + m[1])) return;
    var block = blockOf(Number(m[1]));
    if (block) drawDay(block, Number(m[1]));
  }
  window.addEventListener("hashchange", followHash);
  followHash();

  function matches(e, q) {
    var p = e.payload || {};
    var values = [e.who, p.weapon, p.giver, p.receiver, p.rule_id, p.item, p.reported_by, p.cause, p.actor]
      .concat(p.signed_by || [], p.witnesses || [], p.weapons || []);
    return values.some(function (v) {
      if (!v) return false;
      v = String(v).toLowerCase();
      return v === q || (info.names[v] || "").toLowerCase() === q || (q.length > 2 && v.indexOf(q) >= 0);
    });
  }

  document.getElementById("season-search").addEventListener("submit", function (event) {
    event.preventDefault();
    var q = document.getElementById("season-q").value.trim().toLowerCase();
    Object.keys(info.names).forEach(function (id) { if (info.names[id].toLowerCase() === q) q = id; });
    var out = document.getElementById("season-found");
    if (!q) { out.textContent = ""; return; }
    out.textContent = "Searching " + blocks.length + " days…";
    Promise.all(blocks.map(read)).then(function (all) {
      out.textContent = "";
      var total = 0, shown = 0, list = document.createElement("ol");
      var days = [];
      all.forEach(function (entries, i) {
        var found = entries.filter(function (e) { return matches(e, q); });
        if (!found.length) return;
        total += found.length;
        days.push(blocks[i].dataset.day + " (" + found.length + ")");
        found.forEach(function (e) { if (shown < 500) { list.appendChild(item(e)); shown++; } });
      });
      var p = document.createElement("p");
      p.textContent = total ? total + " entries on " + days.length + " days: " + days.join(", ") +
        (shown < total ? ". The first " + shown + " are listed; open a day for the rest." : ".") :
        "Nothing in the season names “" + q + "”.";
      out.appendChild(p);
      out.appendChild(list);
    });
  });
})();
