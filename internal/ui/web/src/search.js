// The search page: editor, time picker, histogram, results, field panel.

import uPlot from "uplot";
import { h, clear, fmtTime, fmtBytes, download, toast } from "./dom.js";
import { stream } from "./api.js";
import { createEditor } from "./editor.js";
import { VirtualList } from "./vlist.js";

// LogScale's time presets.
const presets = [
  ["5m", "Last 5 minutes"],
  ["15m", "Last 15 minutes"],
  ["1h", "Last hour"],
  ["4h", "Last 4 hours"],
  ["24h", "Last 24 hours"],
  ["7d", "Last 7 days"],
  ["30d", "Last 30 days"],
  ["", "All time"],
  ["custom", "Custom range…"],
];

const ROW_HEIGHT = 26;

export function searchPage(root, app, params) {
  const state = {
    rows: [],
    columns: null,
    controller: null,
    chart: null,
    range: { start: params.get("start") || "", end: params.get("end") || "" },
  };

  const status = h("div", { class: "status", "aria-live": "polite" }, "Type a query and press Run (Ctrl+Enter).");
  const progressBar = h("div", { class: "progress-fill" });
  const progress = h("div", { class: "progress", role: "progressbar", "aria-label": "search progress" }, progressBar);
  const runBtn = h("button", { class: "primary", id: "run", onclick: () => run() }, "Run");
  const cancelBtn = h("button", { id: "cancel", disabled: true, onclick: () => cancel() }, "Cancel");
  const picker = h("select", { id: "timerange", "aria-label": "time range", onchange: () => onPreset() }, presets.map(([v, l]) => h("option", { value: v }, l)));
  const startIn = h("input", { id: "start", type: "text", placeholder: "start (RFC 3339 or 24h)", "aria-label": "start", size: 22 });
  const endIn = h("input", { id: "end", type: "text", placeholder: "end (empty: now)", "aria-label": "end", size: 22 });
  const custom = h("span", { class: "custom-range hidden" }, startIn, endIn);
  const histo = h("div", { class: "histogram", id: "histogram", "aria-label": "matching events over time" });
  const fields = h("aside", { class: "fields", id: "fields", "aria-label": "fields" });
  const detail = h("aside", { class: "detail hidden", id: "detail", "aria-label": "event" });
  const header = h("div", { class: "table-header hidden" });
  const list = new VirtualList({ rowHeight: ROW_HEIGHT, render: renderRow, onOpen: openRow, label: "results" });
  const exportCSV = h("button", { onclick: () => exportRows("csv"), disabled: true }, "Export CSV");
  const exportNDJSON = h("button", { onclick: () => exportRows("ndjson"), disabled: true }, "Export NDJSON");

  const editorBox = h("div", { class: "editor", id: "editor" });
  clear(root).append(
    h("section", { class: "search" },
      h("div", { class: "query-row" }, editorBox, h("div", { class: "query-actions" }, picker, custom, runBtn, cancelBtn)),
      histo,
      h("div", { class: "status-row" }, status, progress, h("span", { class: "spacer" }), exportCSV, exportNDJSON),
      h("div", { class: "results-row" }, fields, h("div", { class: "results" }, header, list.el), detail),
    ),
  );

  const editor = createEditor(editorBox, { doc: params.get("q") || "", onRun: () => run(), nonce: app.nonce });
  app.editor = editor;

  if (state.range.start || state.range.end) {
    picker.value = "custom";
    startIn.value = state.range.start;
    endIn.value = state.range.end;
    custom.classList.remove("hidden");
  } else {
    picker.value = "";
  }

  function onPreset() {
    custom.classList.toggle("hidden", picker.value !== "custom");
  }

  function currentRange() {
    if (picker.value === "custom") return { start: startIn.value.trim(), end: endIn.value.trim() };
    return { start: picker.value, end: "" };
  }

  function setRange(startMs, endMs) {
    picker.value = "custom";
    startIn.value = new Date(startMs).toISOString();
    endIn.value = new Date(endMs).toISOString();
    onPreset();
  }

  function cancel() {
    if (state.controller) state.controller.abort();
  }

  async function run() {
    cancel();
    const query = editor.state.doc.toString();
    const range = currentRange();
    const controller = new AbortController();
    state.controller = controller;
    state.rows = [];
    state.columns = null;
    let total = 0;
    let pending = [];
    let lastPaint = 0;
    runBtn.disabled = true;
    cancelBtn.disabled = false;
    exportCSV.disabled = exportNDJSON.disabled = true;
    detail.classList.add("hidden");
    progressBar.style.width = "0%";
    status.textContent = "Running…";
    const began = performance.now();
    const q = new URLSearchParams({ q: query });
    if (range.start) q.set("start", range.start);
    if (range.end) q.set("end", range.end);
    history.replaceState(null, "", "#/search?" + q.toString());

    const flushRows = (force) => {
      const now = performance.now();
      if (!force && now - lastPaint < 200) return;
      lastPaint = now;
      if (pending.length) {
        state.rows.push(...pending);
        pending = [];
        if (!state.columns) state.rows.sort(byTimeDesc);
        list.setItems(state.rows);
      }
      status.textContent = `${total.toLocaleString()} results so far…`;
    };

    try {
      await stream(
        "/ui/api/search",
        { query, start: range.start, end: range.end },
        (msg) => {
          switch (msg.type) {
            case "start":
              state.columns = msg.columns && msg.columns.length ? msg.columns : msg.table ? [] : null;
              setupHeader();
              list.setItems([]);
              break;
            case "rows":
              if (state.columns && growColumns(msg.rows)) setupHeader();
              pending.push(...msg.rows);
              total += msg.rows.length;
              flushRows(false);
              break;
            case "progress":
              if (msg.total > 0) progressBar.style.width = Math.min(100, (100 * msg.bytes) / msg.total).toFixed(1) + "%";
              status.textContent = `${total.toLocaleString()} results, ${fmtBytes(msg.bytes)} read…`;
              break;
            case "histogram":
              drawHistogram(msg.buckets, msg.width);
              break;
            case "done":
              flushRows(true);
              progressBar.style.width = "100%";
              status.textContent =
                `${msg.rows.toLocaleString()} results from ${msg.lines.toLocaleString()} events (${fmtBytes(msg.bytes)}) in ${(msg.ms / 1000).toFixed(2)}s` +
                (msg.sent < msg.rows ? ` — showing the first ${msg.sent.toLocaleString()}` : "") +
                (msg.warnings && msg.warnings.length ? " — " + msg.warnings.join("; ") : "");
              break;
            case "error":
              status.textContent = "Error: " + msg.message + (msg.diagnostics ? " — " + msg.diagnostics.map((d) => `${d.line}:${d.col} ${d.message}`).join("; ") : "");
              status.classList.add("error");
              break;
          }
        },
        controller.signal,
      );
      if (!status.classList.contains("error")) status.classList.remove("error");
    } catch (e) {
      if (e.name === "AbortError") status.textContent = `Cancelled after ${state.rows.length.toLocaleString()} results (${((performance.now() - began) / 1000).toFixed(1)}s).`;
      else {
        status.textContent = "Error: " + e.message;
        status.classList.add("error");
      }
      flushRows(true);
    } finally {
      if (state.controller === controller) state.controller = null;
      runBtn.disabled = false;
      cancelBtn.disabled = true;
      exportCSV.disabled = exportNDJSON.disabled = state.rows.length === 0;
      renderFields();
      setTimeout(() => status.classList.remove("error"), 0);
    }
  }

  // growColumns adds the keys of aggregate rows to the table's columns.
  function growColumns(rows) {
    let grew = false;
    for (const r of rows) {
      for (const k of Object.keys(r)) {
        if (!state.columns.includes(k)) {
          state.columns.push(k);
          grew = true;
        }
      }
    }
    return grew;
  }

  function byTimeDesc(a, b) {
    return Number(b["@timestamp"] || 0) - Number(a["@timestamp"] || 0);
  }

  function setupHeader() {
    clear(header);
    header.classList.toggle("hidden", !state.columns);
    list.el.classList.toggle("as-table", !!state.columns);
    if (state.columns) {
      header.style.gridTemplateColumns = gridColumns();
      for (const c of state.columns) header.append(h("div", { class: "cell", title: c }, c));
    }
  }

  function gridColumns() {
    return state.columns.map((c) => (c === "@timestamp" ? "190px" : "minmax(80px, 1fr)")).join(" ");
  }

  function renderRow(row) {
    if (state.columns) {
      const el = h("div", { class: "trow" }, state.columns.map((c) => h("div", { class: "cell", title: row[c] ?? "" }, c === "@timestamp" ? fmtTime(row[c]) : row[c] ?? "")));
      el.style.gridTemplateColumns = gridColumns();
      return el;
    }
    const summary = Object.entries(row)
      .filter(([k]) => k !== "@timestamp" && k !== "@rawstring")
      .slice(0, 12)
      .map(([k, v]) => [h("span", { class: "k" }, k), "=", h("span", { class: "v" }, v), " "]);
    return h("div", { class: "erow" }, h("span", { class: "ts" }, fmtTime(row["@timestamp"])), h("span", { class: "sum" }, summary));
  }

  function openRow(row) {
    clear(detail).classList.remove("hidden");
    detail.append(
      h("div", { class: "detail-head" }, h("strong", {}, state.columns ? "Row" : "Event"), h("button", { class: "link", onclick: () => detail.classList.add("hidden"), "aria-label": "close" }, "×")),
      h("table", { class: "kv" }, Object.entries(row).map(([k, v]) => h("tr", {}, h("th", {}, k), h("td", {}, k === "@timestamp" ? `${v} (${fmtTime(v)})` : v)))),
    );
  }

  function renderFields() {
    clear(fields);
    if (!state.rows.length) return;
    const stats = new Map();
    for (const r of state.rows) {
      for (const [k, v] of Object.entries(r)) {
        if (k === "@rawstring") continue;
        let s = stats.get(k);
        if (!s) stats.set(k, (s = { n: 0, values: new Map() }));
        s.n++;
        s.values.set(v, (s.values.get(v) || 0) + 1);
      }
    }
    fields.append(h("div", { class: "fields-head" }, `Fields (${stats.size})`));
    const names = [...stats.keys()].sort((a, b) => stats.get(b).n - stats.get(a).n || a.localeCompare(b));
    for (const name of names) {
      const s = stats.get(name);
      const top = [...s.values.entries()].sort((a, b) => b[1] - a[1]).slice(0, 5);
      const values = h("ul", { class: "top-values hidden" },
        top.map(([v, n]) => h("li", {}, h("button", { class: "link value", title: `filter ${name}="${v}"`, onclick: () => addFilter(name, v) }, v === "" ? '""' : v), h("span", { class: "count" }, ` ${n}`))),
      );
      const btn = h("button", { class: "link field", "aria-expanded": "false", onclick: () => {
        const open = values.classList.toggle("hidden");
        btn.setAttribute("aria-expanded", open ? "false" : "true");
      } }, name, h("span", { class: "count" }, ` ${s.n}`));
      fields.append(h("div", { class: "field-item" }, btn, values));
    }
  }

  function addFilter(name, value) {
    const quoted = '"' + String(value).replace(/\\/g, "\\\\").replace(/"/g, '\\"') + '"';
    const field = /^[A-Za-z_@#][\w.@#\[\]:]*$/.test(name) ? name : '"' + name + '"';
    const doc = editor.state.doc.toString();
    // A filter belongs before the first aggregate: put it first.
    const filter = `${field}=${quoted}`;
    const next = doc.trim() ? `${filter}\n| ${doc}` : filter;
    editor.dispatch({ changes: { from: 0, to: doc.length, insert: next } });
    run();
  }

  function drawHistogram(buckets, width) {
    if (state.chart) {
      state.chart.destroy();
      state.chart = null;
    }
    clear(histo);
    if (!buckets.length) return;
    const xs = buckets.map((b) => b[0] / 1000);
    const ys = buckets.map((b) => b[1]);
    const bars = uPlot.paths.bars({ size: [0.9, 100] });
    state.chart = new uPlot(
      {
        width: histo.clientWidth || 800,
        height: 110,
        legend: { show: false },
        cursor: { drag: { x: true, y: false, setScale: false } },
        scales: { x: { time: true } },
        axes: [{ stroke: "currentColor", grid: { show: false } }, { stroke: "currentColor", size: 50, grid: { stroke: "rgba(128,128,128,0.2)" } }],
        series: [{}, { label: "events", fill: "rgba(64,128,224,0.6)", stroke: "rgb(64,128,224)", paths: bars, points: { show: false } }],
        hooks: {
          setSelect: [
            (u) => {
              if (u.select.width < 2) return;
              const from = u.posToVal(u.select.left, "x") * 1000;
              const to = u.posToVal(u.select.left + u.select.width, "x") * 1000 + 1;
              u.setSelect({ left: 0, width: 0 }, false);
              setRange(Math.floor(from), Math.ceil(to));
              toast("Narrowed to the selected range");
              run();
            },
          ],
        },
      },
      [xs, ys],
      histo,
    );
    histo.dataset.width = String(width);
  }

  function exportRows(kind) {
    const rows = state.rows;
    if (kind === "ndjson") {
      download("tiercel-results.ndjson", "application/x-ndjson", rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
      return;
    }
    const cols = state.columns || [...new Set(rows.flatMap((r) => Object.keys(r)))];
    // Cells a spreadsheet would run as a formula get a leading quote.
    const cell = (v) => {
      let s = v === undefined ? "" : String(v);
      if (/^[=+\-@\t\r]/.test(s)) s = "'" + s;
      return /[",\n\r]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
    };
    download("tiercel-results.csv", "text/csv", [cols.map(cell).join(","), ...rows.map((r) => cols.map((c) => cell(r[c])).join(","))].join("\n") + "\n");
  }

  new ResizeObserver(() => {
    if (state.chart) state.chart.setSize({ width: histo.clientWidth, height: 110 });
  }).observe(histo);

  if (params.get("q") && params.get("run") !== "0") run();
  editor.focus();
  return () => cancel();
}
