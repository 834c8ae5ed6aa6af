// The validation page: `tiercel validate`'s detection matrix and
// false-positive table.

import { h, clear } from "./dom.js";
import { post } from "./api.js";

export function validatePage(root) {
  const out = h("div", { id: "validation" });
  const btn = h("button", { class: "primary", id: "run-validate", onclick: () => load(false) }, "Run validation");
  clear(root).append(h("section", { class: "validate" }, h("h2", {}, "Validation"),
    h("p", {}, "Emulates the attack tests among benign background, hunts the telemetry through enrichment and compares with what each test should raise."),
    btn, out));

  async function load(cached) {
    btn.disabled = true;
    clear(out).append(cached ? "" : "Emulating and hunting…");
    try {
      const rep = await post("/ui/api/validate" + (cached ? "?cached=1" : ""));
      render(rep);
    } catch (e) {
      clear(out).append(cached ? "No validation has run yet." : "Error: " + e.message);
    } finally {
      btn.disabled = false;
    }
  }

  function render(rep) {
    clear(out).append(
      h("p", {}, `${rep.rule}: ${rep.events.toLocaleString()} events from ${rep.hosts} hosts, ${rep.start} to ${rep.end}. ` +
        `${rep.alerts} alert(s) untuned, ${rep.alerts_with_all_tunings} with every tuning; ${rep.missed_signals} expected signal(s) missed.`),
      h("h3", {}, "Detection matrix"),
      h("table", { class: "grid matrix" },
        h("thead", {}, h("tr", {}, ["Test", "Platform", "Host", "Signal", "Expected", "Fired", "Branch", "Why"].map((c) => h("th", {}, c)))),
        h("tbody", {}, rep.tests.flatMap((t) => t.signals.map((s, i) => h("tr", { class: okCls(s) },
          h("td", {}, i === 0 ? `${t.test}. ${t.name}` : ""), h("td", {}, i === 0 ? t.platform : ""), h("td", {}, i === 0 ? t.host : ""),
          h("td", {}, `${s.event_simpleName} ${s.detail}`), h("td", {}, s.expected ? s.expected_branch || "yes" : "no"),
          h("td", {}, s.fired ? "✓" : "—"), h("td", {}, s.branch || ""), h("td", {}, s.why || "")))))),
      h("h3", {}, "False positives, by tuning"),
      h("table", { class: "grid" },
        h("thead", {}, h("tr", {}, ["Source", "Scenarios", "Untuned", ...rep.tunings.map((t) => t.name), "All tunings"].map((c) => h("th", {}, c)))),
        h("tbody", {}, rep.false_positives.map((fp) => h("tr", {},
          h("td", {}, fp.source), h("td", {}, fp.scenarios), h("td", {}, fp.untuned),
          rep.tunings.map((t) => h("td", {}, t.available ? String(fp.with[t.name] ?? "") : "n/a")),
          h("td", {}, String(fp.with.all ?? "")))))),
      h("h3", {}, "Tunings"),
      h("ul", {}, rep.tunings.map((t) => h("li", {}, `${t.name}: ${t.available ? `removes ${t.removed} alert(s), loses ${t.attack_signals_lost} attack signal(s)` : "unavailable — " + t.reason}`))),
    );
  }

  load(true);
}

function okCls(s) {
  const ok = s.fired === s.expected && (!s.fired || !s.expected_branch || s.branch === s.expected_branch);
  return ok ? "good" : "bad";
}
