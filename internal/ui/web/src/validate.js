// The validation page: `tiercel validate`'s detection matrix and
// false-positive table.

import { h, clear } from "./dom.js";
import { post } from "./api.js";

export function validatePage(root, app) {
  const out = h("div", { id: "validation" });
  const sensorsOut = h("div", { id: "sensor-validation" });
  const btn = h("button", { class: "primary", id: "run-validate", onclick: () => load(false) }, "Run validation");
  const sensorsBtn = h("button", { id: "run-validate-sensors", onclick: () => loadSensors(false) }, "Run per sensor (Sysmon, auditd, Defender, proxy)");
  clear(root).append(h("section", { class: "validate" }, h("h2", {}, "Validation"),
    h("p", {}, "Emulates the attack tests among benign background, hunts the telemetry through enrichment and compares with what each test should raise."),
    h("div", { class: "actions" }, btn, app && app.session && app.session.sensors ? sensorsBtn : ""), out, sensorsOut));

  async function loadSensors(cached) {
    sensorsBtn.disabled = true;
    clear(sensorsOut).append(cached ? "" : "Writing each sensor's log of the same activity and hunting it…");
    try {
      const rep = await post("/ui/api/validate/sensors" + (cached ? "?cached=1" : ""));
      clear(sensorsOut).append(...renderSensors(rep));
    } catch (e) {
      clear(sensorsOut).append(cached ? "" : "Error: " + e.message);
    } finally {
      sensorsBtn.disabled = false;
    }
  }
  if (app && app.session && app.session.sensors) loadSensors(true);

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

// sensorsSection renders `validate --sensor all`: per atomic test and
// sensor whether the seed rule fired, each sensor's alerts and false
// positives, and per expected-signal sentence the events carrying it.
export function renderSensors(rep) {
  const names = rep.sensors.map((s) => s.sensor);
  return [
    h("h3", {}, "Detection matrix per sensor"),
    h("table", { class: "grid matrix", id: "sensor-matrix" },
      h("thead", {}, h("tr", {}, h("th", {}, "Test"), h("th", {}, "Platform"), names.map((n) => h("th", {}, n)))),
      h("tbody", {}, rep.tests.map((t) => h("tr", {},
        h("td", {}, `${t.test}. ${t.name}`), h("td", {}, t.platform),
        names.map((n) => {
          const v = (t.fired || {})[n];
          const cls = v === "n/a" ? "" : v ? "good" : "bad";
          return h("td", { class: cls }, v === "n/a" ? "n/a" : v ? "✓ " + v : "✗ missed");
        }))))),
    h("h3", {}, "Alerts per sensor"),
    h("table", { class: "grid" },
      h("thead", {}, h("tr", {}, ["Sensor", "Format", "Records", "Events", "Skipped", "Alerts", "On attacks", "False positives", "Beyond Falcon's"].map((c) => h("th", {}, c)))),
      h("tbody", {}, rep.sensors.map((s) => h("tr", {},
        h("td", {}, s.sensor), h("td", {}, s.format), h("td", {}, s.records), h("td", {}, s.events), h("td", {}, s.skipped),
        h("td", {}, s.alerts), h("td", {}, s.attack_alerts), h("td", {}, s.false_positives),
        h("td", { class: (s.extra_false_positives || []).length ? "bad" : "good" }, String((s.extra_false_positives || []).length)))))),
    h("h3", {}, "Expected signals"),
    h("table", { class: "grid" },
      h("thead", {}, h("tr", {}, ["Test", "Expected signal", "Sensor", "Events", "Fired", "Visible to Falcon-model rules"].map((c) => h("th", {}, c)))),
      h("tbody", {}, rep.expected_signals.flatMap((sig) => (sig.sensors || []).map((ss, i) => h("tr", {},
        h("td", {}, i === 0 ? String(sig.test) : ""), h("td", {}, i === 0 ? sig.sentence : ""),
        h("td", {}, `${ss.sensor} (${ss.platform})`), h("td", {}, ss.events), h("td", {}, ss.fired),
        h("td", { class: ss.falcon_model_visible ? "" : "bad" }, ss.falcon_model_visible ? "yes" : "no — add: ", ss.query ? h("code", {}, ss.query) : "", ss.note ? " " + ss.note : "")))))),
  ];
}
