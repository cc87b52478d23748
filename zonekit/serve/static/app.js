// zonekit serve: the page. Every /api/ call carries the start token (Authorization: Bearer).
"use strict";
(() => {
  const {lang, t} = JSON.parse(document.getElementById("zk-strings").textContent);
  const $ = (id) => document.getElementById(id);
  const params = new URLSearchParams(location.search);
  if (params.get("token")) {
    sessionStorage.setItem("zonekit-token", params.get("token"));
    params.delete("token");
    history.replaceState(null, "", location.pathname + (params.toString() ? "?" + params : ""));
  }
  const token = sessionStorage.getItem("zonekit-token") || "";
  if (!token) $("token-message").classList.remove("hidden");
  const langQ = lang === "en" ? "?lang=en" : "";
  const colon = lang === "en" ? ": " : "：";
  let packet = null; // {blob, name}: the packet of step 2, reused by step 3

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") node.className = v; else if (v !== null && v !== undefined) node.setAttribute(k, v);
    }
    for (const c of children.flat()) if (c !== null && c !== undefined) node.append(c instanceof Node ? c : String(c));
    return node;
  }
  async function api(path, options = {}) {
    const response = await fetch(path, {...options, headers: {...(options.headers || {}), Authorization: "Bearer " + token}});
    if (!response.ok) {
      let body = {};
      try { body = await response.json(); } catch (e) { body = {message: response.statusText}; }
      const err = new Error((lang === "en" && body.message_en) || body.message || response.statusText);
      err.status = response.status; err.body = body;
      throw err;
    }
    return response;
  }
  function fileName(response, fallback) {
    const cd = response.headers.get("content-disposition") || "";
    const m = cd.match(/filename\*=UTF-8''([^;]+)/);
    return m ? decodeURIComponent(m[1]) : fallback;
  }
  function downloadLink(blob, name) {
    const a = el("a", {href: URL.createObjectURL(blob), download: name, class: "download"}, name);
    return a;
  }
  function show(node, ...children) { node.replaceChildren(...children); }
  function status(node, text, kind) { node.className = "message" + (kind ? " " + kind : ""); node.textContent = text || ""; }

  // ---------------------------------------------------------------- tabs
  document.querySelectorAll(".tab").forEach((b) => b.addEventListener("click", () => {
    document.querySelectorAll(".tab").forEach((x) => x.classList.toggle("active", x === b));
    document.querySelectorAll(".panel").forEach((p) => p.classList.toggle("hidden", p.id !== "tab-" + b.dataset.tab));
  }));

  // ---------------------------------------------------------------- 1 programmes, init
  async function loadProgrammes() {
    const list = $("programme-list");
    try {
      const data = await (await api("/api/programmes" + langQ)).json();
      show(list, ...data.programmes.map((p) => el("li", {},
        el("button", {class: "programme", "data-id": p.id}, el("b", {}, p.title), " ",
          el("span", {class: "src"}, `${p.id} · ${p.issuer}${p.deadline ? " · " + p.deadline : ""}`)))));
      list.querySelectorAll("button.programme").forEach((b) => b.addEventListener("click", () => loadProgramme(b.dataset.id)));
    } catch (e) { show(list, el("li", {class: "error"}, e.message)); }
  }
  async function loadProgramme(id) {
    const box = $("programme-detail");
    document.querySelectorAll("button.programme").forEach((b) => b.classList.toggle("active", b.dataset.id === id));
    show(box, t.loading);
    const html = await (await api(`/api/programmes/${encodeURIComponent(id)}/page${langQ}`)).text();
    box.innerHTML = html; // rendered by the server's autoescaping template
    const form = $("init-form");
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const answers = {};
      let unit = null;
      for (const [k, v] of new FormData(form).entries()) {
        if (k === "__unit") { unit = v || null; continue; }
        const multi = form.querySelector(`[data-key="${k}"]`)?.dataset.kind === "multi";
        if (multi) (answers[k] = answers[k] || []).push(v); else if (v !== "") answers[k] = v;
      }
      const msg = $("init-message");
      status(msg, t.loading);
      try {
        const r = await api("/api/init", {method: "POST", headers: {"Content-Type": "application/json"},
          body: JSON.stringify({programme: id, answers, unit})});
        const name = fileName(r, id + ".zip");
        const a = downloadLink(await r.blob(), name);
        show(msg, a);
        a.click();
      } catch (e) { status(msg, e.message, "error"); }
    });
  }

  // ---------------------------------------------------------------- dropping packets
  async function filesOfEntry(entry, prefix) {
    if (entry.isFile) return [{name: prefix + entry.name, file: await new Promise((ok, no) => entry.file(ok, no))}];
    const reader = entry.createReader();
    const out = [];
    for (;;) {
      const batch = await new Promise((ok, no) => reader.readEntries(ok, no));
      if (!batch.length) break;
      for (const child of batch) out.push(...await filesOfEntry(child, prefix + entry.name + "/"));
    }
    return out;
  }
  async function packetsOfDrop(ev) {
    const out = [];
    const items = [...(ev.dataTransfer.items || [])].map((i) => i.webkitGetAsEntry && i.webkitGetAsEntry()).filter(Boolean);
    for (const entry of items) {
      if (entry.isDirectory) out.push({blob: await ZKZip.build(await filesOfEntry(entry, "")), name: entry.name + ".zip"});
      else { const f = await new Promise((ok, no) => entry.file(ok, no)); out.push({blob: f, name: f.name}); }
    }
    if (!items.length) for (const f of ev.dataTransfer.files) out.push({blob: f, name: f.name});
    return out;
  }
  function dropZone(zone, onPackets) {
    zone.addEventListener("dragover", (ev) => { ev.preventDefault(); zone.classList.add("over"); });
    zone.addEventListener("dragleave", () => zone.classList.remove("over"));
    zone.addEventListener("drop", async (ev) => { ev.preventDefault(); zone.classList.remove("over"); onPackets(await packetsOfDrop(ev)); });
  }
  async function folderPacket(input) {
    const files = [...input.files];
    const top = files.length ? files[0].webkitRelativePath.split("/")[0] : "packet";
    return {blob: await ZKZip.build(files.map((f) => ({name: f.webkitRelativePath, file: f}))), name: top + ".zip"};
  }

  // ---------------------------------------------------------------- 2 check
  const STATUS = (s) => t["status_" + s] || s;
  function conditionTree(nodes) {
    return el("ul", {class: "tree"}, nodes.map((n) => el("li", {class: "status-" + n.status},
      el("span", {class: "status"}, STATUS(n.status)), " ", n.title, n.detail ? " — " + n.detail : "", " ",
      el("span", {class: "src"}, `（${n.source}）`), n.children && n.children.length ? conditionTree(n.children) : null)));
  }
  function renderReport(report) {
    const c = report.counts;
    const byFile = new Map();
    for (const f of report.findings) {
      const key = f.file || t.packet_files;
      if (!byFile.has(key)) byFile.set(key, []);
      byFile.get(key).push(f);
    }
    const groups = [...byFile].map(([file, items]) => el("div", {class: "file-group"}, el("h4", {}, file),
      el("table", {class: "findings"}, el("thead", {}, el("tr", {}, [t.severity, t.where, t.problem, t.source, t.hint].map((h) => el("th", {}, h)))),
        el("tbody", {}, items.map((f) => el("tr", {class: f.severity, "data-code": f.code},
          el("td", {}, el("span", {class: "sev " + f.severity}, t[f.severity] || f.severity)),
          el("td", {class: "where"}, [f.sheet ? el("span", {class: "sheet"}, f.sheet) : null, f.cell ? el("span", {class: "cell"}, f.cell) : null,
            f.field ? el("span", {class: "field"}, `“${f.field}”`) : null]),
          el("td", {}, f.message), el("td", {class: "src"}, f.source || ""), el("td", {}, f.hint || "")))))));
    return el("div", {class: "report " + (report.ok ? "ok" : "bad")},
      el("p", {class: "verdict"}, el("b", {}, t.verdict + colon), report.eligibility.verdict),
      el("p", {class: "summary " + (c.error ? "bad" : "ok")},
        `${t.error} ${c.error} · ${t.warning} ${c.warning} · ${t.info} ${c.info} — ${c.error ? t.summary_bad : t.summary_ok}`),
      report.eligibility.conditions.length ? [el("h3", {}, t.eligibility), conditionTree(report.eligibility.conditions)] : null,
      el("h3", {}, t.findings), groups.length ? groups : el("p", {}, t.no_findings));
  }
  async function checkPacket(p) {
    packet = p;
    $("bundle-packet").textContent = `${t.selected}${colon}${p.name}`;
    status($("check-status"), t.checking + " " + p.name);
    show($("check-result"));
    const fd = new FormData();
    fd.append("packet", p.blob, p.name);
    fd.append("lang", lang);
    if ($("check-as-of").value) fd.append("as_of", $("check-as-of").value);
    try {
      const report = await (await api("/api/check", {method: "POST", body: fd})).json();
      status($("check-status"), p.name);
      show($("check-result"), renderReport(report));
    } catch (e) { status($("check-status"), e.message, "error"); }
  }
  dropZone($("check-drop"), (ps) => ps.length && checkPacket(ps[0]));
  $("check-zip").addEventListener("change", (ev) => ev.target.files[0] && checkPacket({blob: ev.target.files[0], name: ev.target.files[0].name}));
  $("check-dir").addEventListener("change", async (ev) => ev.target.files.length && checkPacket(await folderPacket(ev.target)));

  // ---------------------------------------------------------------- 3 bundle
  $("bundle-zip").addEventListener("change", (ev) => {
    const f = ev.target.files[0];
    if (f) { packet = {blob: f, name: f.name}; $("bundle-packet").textContent = `${t.selected}${colon}${f.name}`; }
  });
  // a job (POST /api/jobs/…) polled until it ends, its stage and count shown in `bar` (a .progress)
  async function runJob(path, fd, bar, label) {
    const fill = bar.querySelector(".fill"), stage = bar.querySelector(".stage");
    const draw = (job) => {
      fill.style.width = Math.round(100 * job.done / Math.max(job.total, 1)) + "%";
      stage.textContent = `${label} ${lang === "en" ? job.stage_en : job.stage} ${job.done}/${job.total}`;
    };
    fill.style.width = "0%"; stage.textContent = label;
    bar.classList.remove("hidden");
    try {
      let job = await (await api(path, {method: "POST", body: fd})).json();
      while (job.state === "running") {
        draw(job);
        await new Promise((ok) => setTimeout(ok, 300));
        job = await (await api(`/api/jobs/${job.id}`)).json();
      }
      return job;
    } finally { bar.classList.add("hidden"); }
  }
  $("bundle-build").addEventListener("click", async () => {
    const out = $("bundle-result");
    if (!packet) { status(out, t.none_selected, "error"); return; }
    const fd = new FormData();
    fd.append("packet", packet.blob, packet.name);
    if ($("bundle-date").value) fd.append("date", $("bundle-date").value);
    if ($("bundle-draft").checked) fd.append("draft", "1");
    status(out, "");
    $("bundle-build").disabled = true;
    try {
      const job = await runJob("/api/jobs/bundle", fd, $("bundle-progress"), t.building);
      if (job.state === "done") {
        const r = await api(job.file);
        show(out, el("p", {class: "ok"}, t.bundle_ready, " ", downloadLink(await r.blob(), fileName(r, "申报材料.zip"))));
      } else {
        const said = lang === "en" ? job.message_en : job.message;
        show(out, el("div", {class: "message error refused"}, el("b", {}, t.refused), el("pre", {}, said)));
      }
    } catch (e) { status(out, e.message, "error"); }
    $("bundle-build").disabled = false;
  });

  // ---------------------------------------------------------------- 4 collect
  function table(headers, rows, cls) {
    return el("table", {class: cls || ""}, el("thead", {}, el("tr", {}, headers.map((h) => el("th", {}, h)))),
      el("tbody", {}, rows.map((r) => el("tr", {}, r.map((c) => el("td", {}, c ?? ""))))));
  }
  async function collectPackets(ps) {
    if (!ps.length) return;
    const fd = new FormData();
    for (const p of ps) fd.append("packets", p.blob, p.name);
    fd.append("lang", lang);
    if ($("collect-as-of").value) fd.append("as_of", $("collect-as-of").value);
    status($("collect-status"), "");
    show($("collect-result"));
    try {
      const job = await runJob("/api/jobs/collect", fd, $("collect-progress"), t.collecting);
      if (job.state !== "done") { status($("collect-status"), lang === "en" ? job.message_en : job.message, "error"); return; }
      const data = job.result, en = lang === "en";
      const said = (x, key) => (en && x[key + "_en"]) || x[key];  // the English twin under ?lang=en
      const wb = await api(job.file);
      status($("collect-status"), said(data, "title"));
      const where = (w) => w ? `${w.packet || ""} ${w.file || ""} ${w.sheet ? "[" + w.sheet + "]" : ""} ${w.cell || ""}`.trim() : "";
      show($("collect-result"),
        el("p", {}, downloadLink(await wb.blob(), "汇总.xlsx")),
        el("h3", {}, t.packets),
        table(["#", t.packets, t.applicant, t.verdict, t.counts], data.packets.map((p) => [p.index, p.packet, p.applicant || "",
          said(p, "error") || [said(p, "eligibility"), said(p, "path")].filter(Boolean).join(colon) || "", p.error ? "" : `${p.errors ?? 0}/${p.warnings ?? 0}/${p.infos ?? 0}`]), "packets"),
        el("h3", {}, t.conflicts),
        data.conflicts.length ? table([t.problem, "", "A", "B", t.hint], data.conflicts.map((c) => [said(c, "label"), c.value, where(c.a), where(c.b), en ? c.hint_en : c.note]), "conflicts")
          : el("p", {}, t.no_conflicts),
        el("h3", {}, t.quotas),
        data.quotas.length ? table([t.quotas, t.scope, t.count, t.status, t.source], data.quotas.map((q) => [said(q, "label"), said(q, "scope_label") || said(q, "value") || "",
          `${q.count}${q.max != null ? " / " + q.max : ""}${q.target != null ? " / ≈" + q.target : ""}`, (q.flagged ? "⚠ " : "") + (said(q, "status") || ""), said(q, "source")]), "quotas")
          : el("p", {}, t.no_quotas));
    } catch (e) { status($("collect-status"), e.message, "error"); }
  }
  dropZone($("collect-drop"), collectPackets);
  $("collect-zips").addEventListener("change", (ev) => collectPackets([...ev.target.files].map((f) => ({blob: f, name: f.name}))));

  if (token) loadProgrammes();
})();
