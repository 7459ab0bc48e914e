// The enumerator's offline app: the list of assigned people, the form with the same checks as
// the server (forms/engine.js), drafts and an outbox kept in IndexedDB under the signed-in
// account, and a sync that sends the outbox when there is signal (laodong/offline/views.py).
(function () {
  "use strict";

  const T = JSON.parse(document.getElementById("offline-texts").textContent);
  const CONFIG = JSON.parse(document.getElementById("offline-config").textContent);
  const URLS = CONFIG.urls;
  const DB_NAME = "laodong-offline-" + CONFIG.user;
  const STORES = ["meta", "people", "drafts", "outbox", "results"];
  const CHUNK = 200;
  const DAY = 24 * 3600 * 1000;
  // Vietnam's time, whatever the phone's own time zone (as the server's pages show it).
  const VIETNAM = 7 * 3600 * 1000;
  const app = document.getElementById("app");
  let db = null;
  let busy = false;
  let flash = null;

  // --- storage -------------------------------------------------------------------------------

  function request(req) {
    return new Promise((resolve, reject) => {
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  }

  function open() {
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => {
      STORES.forEach((name) => {
        if (!req.result.objectStoreNames.contains(name)) req.result.createObjectStore(name);
      });
    };
    return request(req);
  }

  function store(name, mode) {
    return db.transaction(name, mode || "readonly").objectStore(name);
  }

  const get = (name, key) => request(store(name).get(key));
  // One key from several stores, in one transaction (one round trip on a slow phone).
  function getMany(names, key) {
    const tx = db.transaction(names, "readonly");
    return Promise.all(names.map((name) => request(tx.objectStore(name).get(key))));
  }
  const put = (name, key, value) => request(store(name, "readwrite").put(value, key));
  const remove = (name, key) => request(store(name, "readwrite").delete(key));
  const keys = (name) => request(store(name).getAllKeys());

  async function all(name) {
    const [ids, values] = await Promise.all([keys(name), request(store(name).getAll())]);
    const found = {};
    ids.forEach((id, n) => { found[id] = values[n]; });
    return found;
  }

  async function replacePeople(people) {
    const tx = db.transaction("people", "readwrite");
    const target = tx.objectStore("people");
    target.clear();
    people.forEach((person) => target.put(person, person.id));
    await new Promise((resolve, reject) => { tx.oncomplete = resolve; tx.onerror = () => reject(tx.error); });
  }

  async function wipe() {
    shared = null;
    if (db) { db.close(); db = null; }
    await request(indexedDB.deleteDatabase(DB_NAME));
    db = await open();
  }

  // --- helpers -------------------------------------------------------------------------------

  function h(tag, attributes, ...children) {
    const element = document.createElement(tag);
    Object.entries(attributes || {}).forEach(([name, value]) => {
      if (value === null || value === undefined || value === false) return;
      if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
      else if (name === "text") element.textContent = value;
      else element.setAttribute(name, value === true ? "" : value);
    });
    children.flat().forEach((child) => {
      if (child === null || child === undefined || child === false) return;
      element.append(child instanceof Node ? child : document.createTextNode(String(child)));
    });
    return element;
  }

  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, (_all, name) => String(values[name]));
  }

  function when(iso) {
    if (!iso) return T.never;
    const d = new Date(Date.parse(iso) + VIETNAM);
    const two = (n) => String(n).padStart(2, "0");
    return `${two(d.getUTCDate())}/${two(d.getUTCMonth() + 1)}/${d.getUTCFullYear()} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}`;
  }

  function today() {
    const d = new Date(Date.now() + VIETNAM);
    const two = (n) => String(n).padStart(2, "0");
    return `${two(d.getUTCDate())}/${two(d.getUTCMonth() + 1)}/${d.getUTCFullYear()}`;
  }

  function csrf() {
    const found = document.cookie.split("; ").find((part) => part.startsWith("csrftoken="));
    return found ? decodeURIComponent(found.split("=")[1]) : "";
  }

  function uuid() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  async function meta() {
    return (await get("meta", "state")) || {};
  }

  async function setMeta(changes) {
    await put("meta", "state", Object.assign(await meta(), changes));
  }

  async function deviceId() {
    const state = await meta();
    if (state.device) return state.device;
    const id = uuid();
    await setMeta({ device: id });
    return id;
  }

  // --- talking to the server -----------------------------------------------------------------

  class Stop extends Error {}

  async function call(url, body) {
    let response;
    try {
      response = await fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
        body: JSON.stringify(body),
      });
    } catch (error) {
      throw new Stop(T.offline);
    }
    let data = {};
    try { data = await response.json(); } catch (error) { data = {}; }
    if (response.status === 401 || response.redirected) {
      flash = { kind: "error", html: h("a", { href: URLS.login }, T.sign_in_again) };
      throw new Stop("");
    }
    if (response.status === 410) {
      await wipe();
      throw new Stop(T.revoked);
    }
    if (!response.ok) throw new Stop(data.error || `${T.sync_failed} (${response.status})`);
    return data;
  }

  async function counts() {
    return { waiting: (await keys("outbox")).length, drafts: (await keys("drafts")).length };
  }

  // The forms, campaigns and police-list rules, read from storage once per pack.
  let shared = null;

  async function sharedData() {
    if (!shared) {
      const [forms, campaigns, identity] = await Promise.all([get("meta", "forms"), get("meta", "campaigns"), get("meta", "identity")]);
      shared = { forms: forms || {}, campaigns: campaigns || [], identity: identity || [] };
    }
    return shared;
  }

  async function keepPack(pack) {
    shared = null;
    await replacePeople(pack.people);
    await put("meta", "forms", pack.forms);
    await put("meta", "campaigns", pack.campaigns);
    await put("meta", "identity", pack.identity);
    await setMeta({ contact: new Date().toISOString(), wipeAfterDays: pack.wipe_after_days, user: pack.user });
  }

  async function download() {
    const pack = await call(URLS.download, { device: await deviceId(), counts: await counts(), label: navigator.userAgent });
    await keepPack(pack);
    await setMeta({ synced: new Date().toISOString() });
  }

  async function sync() {
    if (busy) return;
    busy = true;
    render();
    try {
      const waiting = await all("outbox");
      const entries = Object.values(waiting).sort((a, b) => a.queued_at.localeCompare(b.queued_at));
      let pack = null;
      const outcomes = { submitted: 0, refused: 0, conflict: 0 };
      for (let start = 0; start === 0 || start < entries.length; start += CHUNK) {
        const chunk = entries.slice(start, start + CHUNK);
        const answer = await call(URLS.sync, { device: await deviceId(), counts: await counts(), outbox: chunk.map((e) => e.sent) });
        for (const result of answer.results) {
          await settle(result, waiting);
          outcomes[result.outcome] += 1;
        }
        pack = answer.pack;
      }
      if (pack) await keepPack(pack);
      await setMeta({ synced: new Date().toISOString() });
      if (entries.length) {
        flash = { kind: outcomes.refused || outcomes.conflict ? "error" : "success",
          text: fill(T.synced, outcomes) };
      }
    } catch (error) {
      if (error instanceof Stop) {
        if (error.message) flash = { kind: "error", text: error.message };
      } else {
        flash = { kind: "error", text: `${T.sync_failed}: ${error.message}` };
      }
    } finally {
      busy = false;
      render();
    }
  }

  async function settle(result, waiting) {
    const entry = Object.values(waiting).find((e) => e.sent.client_id === result.client_id);
    await put("results", result.item, Object.assign({ at: new Date().toISOString() }, result));
    if (!entry) return;
    await remove("outbox", entry.sent.item);
    if (result.outcome === "submitted" || result.outcome === "conflict") {
      await remove("drafts", entry.sent.item);
    } else {
      // Back to the enumerator with what the server found.
      await put("drafts", entry.sent.item, {
        answers: entry.sent.answers,
        confirmed: entry.sent.confirmed_warnings,
        reasons: entry.sent.identity_reasons,
        findings: result.findings,
        message: result.message,
      });
    }
  }

  // --- state of each person ------------------------------------------------------------------

  function stateOf(person, drafts, outbox, results) {
    if (outbox[person.id]) return ["outbox", T.state_outbox];
    const draft = drafts[person.id];
    if (draft && draft.findings && draft.findings.length) return ["error", T.state_error];
    if (draft) return ["draft", T.state_draft];
    const result = results[person.id];
    if (result && result.outcome === "conflict") return ["conflict", T.state_conflict];
    if (person.status === "returned") return ["returned", T.state_returned];
    return ["todo", T.state_todo];
  }

  // --- pages ---------------------------------------------------------------------------------

  async function statusBar() {
    const state = await meta();
    const c = await counts();
    const people = (await keys("people")).length;
    const online = navigator.onLine;
    const bar = h("section", { class: "offline-status" },
      h("p", {}, h("strong", { class: online ? "state-ok" : "state-late" }, online ? T.online : T.offline)),
      h("p", { class: "muted" }, `${T.last_sync}: ${when(state.synced)} · ${people} ${T.people} · `,
        h("strong", { id: "waiting-count" }, String(c.waiting)), ` ${T.waiting} · ${c.drafts} ${T.drafts}`));
    if (state.contact && state.wipeAfterDays) {
      const left = state.wipeAfterDays - Math.floor((Date.now() - Date.parse(state.contact)) / DAY);
      if (left <= 3) bar.append(h("p", { class: "state-late" }, fill(T.expires_soon, { days: Math.max(left, 0) })));
    }
    const actions = h("p", { class: "actions" });
    if (people || c.waiting) {
      actions.append(h("button", { type: "button", class: "button", id: "sync", disabled: busy || !online, onclick: sync }, busy ? T.syncing : T.sync));
    } else {
      actions.append(h("button", { type: "button", class: "button", id: "download", disabled: busy || !online, onclick: async () => {
        busy = true; render();
        try { await download(); } catch (error) { flash = { kind: "error", text: error.message || String(error) }; }
        busy = false; render();
      } }, busy ? T.syncing : T.download));
    }
    actions.append(h("button", { type: "button", class: "button secondary", onclick: signOut }, T.sign_out));
    bar.append(actions);
    if (flash) {
      bar.append(h("p", { class: flash.kind === "error" ? "message error" : "message success", role: "status" }, flash.html || flash.text));
      flash = null;
    }
    return bar;
  }

  async function signOut() {
    const waiting = (await keys("outbox")).length;
    const question = waiting ? fill(T.sign_out_unsent, { count: waiting }) : T.sign_out_confirm;
    if (!window.confirm(question)) return;
    await wipe();
    const form = h("form", { method: "post", action: URLS.logout },
      h("input", { type: "hidden", name: "csrfmiddlewaretoken", value: csrf() }));
    document.body.append(form);
    form.submit();
  }

  async function listPage() {
    const [people, drafts, outbox, results] = await Promise.all([all("people"), all("drafts"), all("outbox"), all("results")]);
    const page = [await statusBar()];
    const rows = Object.values(people);
    if (!rows.length) {
      page.push(h("p", { class: "empty" }, T.nothing));
      return page;
    }
    const conflicts = Object.values(results).filter((r) => r.outcome === "conflict");
    if (conflicts.length) {
      page.push(h("p", { class: "message error" }, `${conflicts.length} · ${T.result_conflict} · `, h("a", { href: URLS.conflicts }, T.see_conflicts)));
    }
    const search = h("input", { type: "search", id: "search", placeholder: T.search, "aria-label": T.search, autocomplete: "off" });
    const list = h("ul", { class: "offline-people", id: "people" });
    let shown = 100;
    function show() {
      const query = LaodongEngine.fold(search.value);
      list.replaceChildren();
      const matching = rows.filter((person) => !query ||
        LaodongEngine.fold(person.full_name).includes(query) ||
        person.personal_id.includes(query) || LaodongEngine.fold(person.household_code).includes(query));
      matching.slice(0, shown).forEach((person) => {
        const [kind, label] = stateOf(person, drafts, outbox, results);
        list.append(h("li", { class: "offline-person" },
          h("a", { href: `#p/${person.id}` }, h("strong", {}, person.full_name)),
          h("span", { class: `badge badge-${kind}` }, label),
          h("small", { class: "muted" }, `${T.birth} ${person.birth} · ${person.village}${person.household_code ? ` · ${T.household} ${person.household_code}` : ""}${person.personal_id ? ` · ${person.personal_id}` : ""}`)));
      });
      if (!matching.length) list.append(h("li", { class: "muted" }, T.no_match));
      if (matching.length > shown) {
        list.append(h("li", {}, h("button", { type: "button", class: "button secondary", id: "more",
          onclick: () => { shown += 100; show(); } }, fill(T.more, { count: matching.length - shown }))));
      }
    }
    search.addEventListener("input", show);
    show();
    page.push(h("div", { class: "field" }, search), list);
    return page;
  }

  function packFor(forms, campaigns, person) {
    const campaign = campaigns.find((c) => c.id === person.campaign);
    return { pack: forms[campaign.form], campaign: campaign };
  }

  function inputFor(item, pack, value, onChange) {
    const name = item.key;
    if (item.type === "choice") {
      const codes = pack.form.code_lists[item.code_list].codes;
      if (codes.length <= 6) {
        return h("div", { class: "choices", role: "radiogroup" }, codes.map((code) =>
          h("label", { class: "choice" }, h("input", { type: "radio", name, value: code.code, checked: value === code.code, onchange: onChange }), ` ${code.label}`)));
      }
      const select = h("select", { name, id: `f-${name}`, onchange: onChange },
        h("option", { value: "" }, T.choose),
        codes.map((code) => h("option", { value: code.code, selected: value === code.code }, `${code.code} - ${code.label}`)));
      return select;
    }
    if (item.type === "multi_choice") {
      const chosen = Array.isArray(value) ? value : String(value || "").split(/\s*[,;|+]\s*/);
      const codes = pack.form.code_lists[item.code_list].codes;
      return h("div", { class: "choices" }, codes.map((code) =>
        h("label", { class: "choice" }, h("input", { type: "checkbox", name, value: code.code, checked: chosen.includes(code.code), onchange: onChange }), ` ${code.label}`)));
    }
    const numeric = ["date", "digits", "personal_id", "unit"].includes(item.type);
    return h("input", { type: "text", name, id: `f-${name}`, value: value === undefined || value === null ? "" : String(value),
      inputmode: numeric ? "numeric" : null, placeholder: item.type === "date" ? "dd/mm/yyyy" : null, autocomplete: "off", oninput: onChange });
  }

  async function personPage(id) {
    const [[person, draft, queued, result], { forms, campaigns, identity }] = await Promise.all([
      getMany(["people", "drafts", "outbox", "results"], id), sharedData()]);
    if (!person) { location.hash = ""; return listPage(); }
    const { pack, campaign } = packFor(forms, campaigns, person);
    const start = Object.assign({}, queued ? queued.sent.answers : draft ? draft.answers : person.answers);
    if (!start.collection_date) start.collection_date = today();
    const confirmed = new Set((queued && queued.sent.confirmed_warnings) || (draft && draft.confirmed) || []);
    const reasons = Object.assign({}, (queued && queued.sent.identity_reasons) || (draft && draft.reasons) || {});
    const page = [h("p", { class: "crumbs" }, h("a", { href: "#" }, T.back)),
      h("h1", {}, person.full_name),
      h("p", { class: "muted" }, `${T.birth} ${person.birth} · ${person.village}${person.personal_id ? ` · ${T.id} ${person.personal_id}` : ""}`)];
    if (person.status === "returned" && person.return_reason) {
      page.push(h("div", { class: "message error" }, `${T.returned_because}: ${person.return_reason}`,
        h("ul", {}, Object.entries(person.return_comments || {}).map(([key, comment]) => {
          const item = pack.form.items.find((i) => i.key === key);
          return h("li", {}, `${item ? (item.number ? `${item.number}. ${item.label}` : item.label) : key}: ${comment}`);
        }))));
    }
    if (result && result.outcome === "conflict") page.push(h("p", { class: "message error" }, `${T.state_conflict}: ${result.message}`));
    const notice = h("div", { id: "form-notice", role: "status" });
    if (draft && draft.message) notice.append(h("p", { class: "message error" }, draft.message));
    const form = h("form", { class: "form offline-form", novalidate: true, onsubmit: (e) => e.preventDefault() });
    const header = person.header || {};
    const items = pack.form.items.filter((item) => !(item.key in header));
    const fields = {};  // item key → {field, inputs, findings}
    function valueOf(item) {
      if (!fields[item.key]) return start[item.key] === undefined ? "" : start[item.key];
      const inputs = fields[item.key].inputs;
      if (item.type === "multi_choice") return inputs.filter((i) => i.checked).map((i) => i.value);
      if (inputs.length && inputs[0].type === "radio") { const c = inputs.find((i) => i.checked); return c ? c.value : ""; }
      return inputs.length ? inputs[0].value : "";
    }
    function applySkips() {
      // The raw codes of every item, shown or not, decide what shows.
      const values = {};
      items.forEach((item) => { values[item.key] = valueOf(item); });
      items.forEach((item) => {
        if (!fields[item.key]) return;
        const hidden = !!item.when && !LaodongEngine.holds(item.when, values);
        if (fields[item.key].field.hidden !== hidden) fields[item.key].field.hidden = hidden;
      });
    }
    function answersShown() {
      const answers = {};
      items.forEach((item) => { if (!fields[item.key].field.hidden) answers[item.key] = valueOf(item); });
      return answers;
    }
    let section = null;
    function build(item) {
      const built = [];
      if (item.section !== section) {
        section = item.section;
        const label = (pack.form.sections.find((s) => s.key === section) || {}).label;
        if (label) built.push(h("h2", {}, label));
      }
      const input = inputFor(item, pack, start[item.key], applySkips);
      const findings = h("div", { class: "findings", "data-findings": item.key });
      const field = h("div", { class: "field", "data-item": item.key },
        h("label", { for: `f-${item.key}` }, item.number ? `${item.number}. ${item.label}` : item.label, item.required ? h("span", { class: "req" }, " *") : null),
        input, findings);
      fields[item.key] = {
        field,
        findings,
        inputs: input.tagName === "DIV" ? Array.from(input.querySelectorAll("input")) : [input],
      };
      built.push(field);
      return built;
    }
    // The first screen now, the rest of the form once it is drawn: a slow phone shows the
    // person at once instead of building and laying out fifty items first.
    const FIRST = 8;
    form.append(...items.slice(0, FIRST).flatMap(build));
    applySkips();
    const complete = new Promise((resolve) => requestAnimationFrame(() => setTimeout(() => {
      form.append(...items.slice(FIRST).flatMap(build));
      applySkips();
      if (draft && draft.findings) showFindings(draft.findings);
      resolve();
    }, 0)));
    function showFindings(findings) {
      Object.values(fields).forEach((entry) => { if (entry.findings.firstChild) entry.findings.replaceChildren(); });
      findings.forEach((finding) => {
        const box = fields[finding.field] ? fields[finding.field].findings : notice;
        const line = h("p", { class: finding.severity === "error" ? "finding error" : "finding warning" }, finding.message);
        if (finding.severity === "warning") {
          if (finding.rule.startsWith("identity.")) {
            line.append(h("input", { type: "text", class: "reason", placeholder: T.reason, "aria-label": T.reason, value: reasons[finding.rule] || "",
              oninput: (e) => { reasons[finding.rule] = e.target.value; } }));
          } else {
            line.append(h("label", { class: "choice" }, h("input", { type: "checkbox", checked: confirmed.has(finding.rule),
              onchange: (e) => { if (e.target.checked) confirmed.add(finding.rule); else confirmed.delete(finding.rule); } }), ` ${T.checked}`));
          }
        }
        box.append(line);
      });
    }
    async function saveDraft() {
      await complete;
      await remove("outbox", id);
      await put("drafts", id, { answers: answersShown(), confirmed: Array.from(confirmed), reasons });
      notice.replaceChildren(h("p", { class: "message success" }, T.saved_draft));
    }
    async function submit() {
      await complete;
      const answers = answersShown();
      const checked = LaodongEngine.validate(pack, Object.assign({}, answers, header), {
        referenceDate: campaign.reference_date, listed: person.listed, extraRules: identity });
      const found = checked.findings;
      showFindings(found);
      const errors = checked.findings.filter((f) => f.severity === "error");
      if (errors.length) {
        notice.replaceChildren(h("p", { class: "message error" }, T.has_errors));
        await put("drafts", id, { answers, confirmed: Array.from(confirmed), reasons });
        const first = form.querySelector(".finding.error");
        if (first) first.scrollIntoView({ block: "center" });
        return;
      }
      const open = found.filter((f) => f.severity === "warning" &&
        (f.rule.startsWith("identity.") ? !(reasons[f.rule] || "").trim() : !confirmed.has(f.rule)));
      if (open.length) {
        notice.replaceChildren(h("p", { class: "message error" }, T.confirm_warnings));
        return;
      }
      const raised = new Set(found.filter((f) => f.severity === "warning").map((f) => f.rule));
      await put("outbox", id, {
        queued_at: new Date().toISOString(),
        sent: {
          client_id: uuid(),
          item: id,
          answers,
          base_status: person.status,
          base_token: person.token,
          confirmed_warnings: Array.from(confirmed).filter((rule) => raised.has(rule)),
          identity_reasons: reasons,
          filled_at: new Date().toISOString(),
        },
      });
      await remove("drafts", id);
      flash = { kind: "success", text: T.queued };
      location.hash = "";
      if (navigator.onLine) sync();
    }
    page.push(notice, form, h("p", { class: "actions sticky-actions" },
      h("button", { type: "button", class: "button secondary", id: "save-draft", onclick: saveDraft }, T.save_draft),
      h("button", { type: "button", class: "button", id: "submit", onclick: submit }, T.submit)));
    return page;
  }

  async function render() {
    if (!db) return;
    const route = location.hash.match(/^#p\/(\d+)$/);
    const content = route ? await personPage(Number(route[1])) : await listPage();
    app.replaceChildren(...content);
  }

  // --- start ---------------------------------------------------------------------------------

  async function start() {
    db = await open();
    // Ask the browser not to evict the stored forms when the phone runs short of space.
    if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => {});
    const state = await meta();
    if (state.contact && state.wipeAfterDays && Date.now() - Date.parse(state.contact) > state.wipeAfterDays * DAY) {
      await wipe();
      flash = { kind: "error", text: fill(T.expired, { days: state.wipeAfterDays }) };
    }
    window.addEventListener("hashchange", render);
    window.addEventListener("online", () => { render(); sync(); });
    window.addEventListener("offline", render);
    await render();
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register(URLS.worker, { scope: URLS.scope }).catch(() => {});
    }
    if (navigator.onLine && (await keys("people")).length) sync();
    setInterval(() => { if (navigator.onLine && !busy) keys("outbox").then((k) => { if (k.length) sync(); }); }, 5 * 60 * 1000);
  }

  start();
})();
