// The reviewers' page: a form over POST /v1/decide and /v1/compare. No framework, no
// network beyond this server; every text in Chinese and English.
"use strict";

const VERDICT = {
  admitted: ["准予准入", "Admitted"],
  denied: ["不予准入", "Denied"],
  needs_approval: ["须经准入审批", "Needs admission approval"],
  compliant: ["合规", "Compliant"],
  non_compliant: ["不合规", "Not compliant"],
  undecided: ["无法判定", "Undecided"],
  not_in_force: ["本政策此日不施行", "Policy not in force on that day"],
};

// What a `missing` name asks of the applicant, in plain words (not field names).
const MISSING = {
  approval: ["经准入审批并获批准", "admission approval, granted"],
  approval_by: ["审批机构（须为有权审批的机构）", "the approving body (one with the power to approve)"],
  approval_date: ["审批日期（须不晚于所问之日：批准之后方可布置）", "the approval's date (on or before the day asked about: approved first, then assigned)"],
  basis: ["申请材料：文件依据", "application material: the documents it rests on"],
  work_plan: ["申请材料：工作方案", "application material: a work plan"],
  requirements: ["申请材料：工作要求", "application material: the requirements"],
  period: ["工作期限（且在期限之内）", "a work period (still running)"],
  funding: ["工作经费", "funding"],
  authorization_content: ["授权：授权内容", "authorization: its content"],
  authorization_object: ["授权：授权对象", "authorization: its object"],
  authorization_powers: ["授权：授权权限", "authorization: the powers granted"],
  authorization_until: ["授权：授权期限", "authorization: how long it lasts"],
};

// Form fields by the subject path they fill.
const FIELDS = {
  category: "category", community_role: "community_role", requester: "requester",
  requester_level: "requester_level", "approval.status": "approval_status",
  "approval.by": "approval_by", "approval.date": "approval_date", basis: "basis",
  work_plan: "work_plan", requirements: "requirements", "period.start": "period_start",
  "period.end": "period_end", "funding.amount": "funding_amount", "funding.per": "funding_per",
  "authorization.content": "auth_content", "authorization.object": "auth_object",
  "authorization.powers": "auth_powers", "authorization.until": "auth_until",
  district: "district", as_of: "as_of",
};

let lang = "zh";
let districts = [];
const $ = (id) => document.getElementById(id);
const t = (pair) => (lang === "zh" ? pair[0] : pair[1]);

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v !== undefined && v !== null) node.setAttribute(k, v);
  }
  for (const c of children) {
    if (c !== null && c !== undefined) node.append(c);
  }
  return node;
}

function setLang(next) {
  lang = next;
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  for (const node of document.querySelectorAll("[data-zh]")) {
    node.textContent = node.dataset[lang];
  }
  $("lang").textContent = lang === "zh" ? "English" : "中文";
  $("lang").lang = lang === "zh" ? "en" : "zh-CN";
  document.title = lang === "zh" ? "社区工作事项准入审查 · zhunru" : "Community work-item admission review · zhunru";
  // The footer's status is written by script, not from data-zh: written again.
  loadStatus().catch(() => {});
  if (last.decision) showDecision(last.decision, last.district, last.subject, last.asOf, false);
  if (last.comparison) showComparison(last.comparison, last.subject, false);
  // Errors on show are said again in the new language, without taking the focus from the
  // switch.
  if (last.errors) {
    const render = last.errors;
    clearErrors();
    showErrors(render, false);
  }
}

const last = {};

// Show errors by a function that writes them in the current language, kept so that the
// language switch can write them again.
let focusErrors = true;
function showErrors(render, focus = true) {
  last.errors = render;
  focusErrors = focus;
  render();
  focusErrors = true;
}

function today() {
  // The engine decides in China's calendar; so does the default here.
  const now = new Date(Date.now() + 8 * 3600 * 1000);
  return now.toISOString().slice(0, 10);
}

function clearErrors() {
  for (const node of document.querySelectorAll(".field-error")) node.remove();
  for (const node of document.querySelectorAll("[aria-invalid]")) {
    node.removeAttribute("aria-invalid");
    node.removeAttribute("aria-describedby");
  }
  $("form-error").hidden = true;
  last.errors = null;
}

// Put a message beside the field it concerns, and take the focus there.
function fieldError(id, message) {
  const input = $(id);
  if (!input) return false;
  const note = el("p", { class: "field-error", id: "err-" + id, role: "alert" }, message);
  input.closest(".field").append(note);
  input.setAttribute("aria-invalid", "true");
  input.setAttribute("aria-describedby", "err-" + id);
  if (focusErrors) input.focus();
  return true;
}

function formError(message) {
  $("form-error").textContent = message;
  $("form-error").hidden = false;
}

function setPath(obj, path, value) {
  const parts = path.split(".");
  let cur = obj;
  for (const p of parts.slice(0, -1)) cur = cur[p] = cur[p] || {};
  cur[parts[parts.length - 1]] = value;
}

// The subject from the form; a number field that is not a number is sent as typed, so the
// server names the mistake and where it is.
const DATES = new Set(["period.start", "period.end", "approval.date", "authorization.until"]);

function subjectFromForm() {
  const s = { kind: "task" };
  for (const [path, id] of Object.entries(FIELDS)) {
    if (path === "district" || path === "as_of") continue;
    const input = $(id);
    if (input.type === "checkbox") {
      if (input.checked) setPath(s, path, true);
      continue;
    }
    const v = input.value.trim();
    if (!v) continue;
    if (path === "basis") setPath(s, path, v.split("\n").map((x) => x.trim()).filter(Boolean));
    // Full-width digits (３０００, ２０２０－０６－０１, as an input method gives them) are
    // read as NFKC makes them, as the REPL and a CSV cell read them.
    else if (path === "funding.amount") {
      const n = v.normalize("NFKC");
      setPath(s, path, /^-?\d+(\.\d+)?$/.test(n) ? Number(n) : v);
    } else if (DATES.has(path)) setPath(s, path, v.normalize("NFKC"));
    else setPath(s, path, v);
  }
  if (s.funding && s.funding.amount === undefined) delete s.funding;
  if (s.approval && Object.keys(s.approval).length === 1 && s.approval.status === "none") delete s.approval;
  return s;
}

// The request body: the pasted JSON when given, else the form. The subject is sent as
// text so the server's line and column point into what the reviewer typed.
// The envelope around the subject; `everywhere` (compare) names no district.
function requestBody(everywhere) {
  // The JSON is the subject only while its box is open: a closed box hides what it holds.
  const pasted = $("json-box").open ? $("json").value.trim() : "";
  const asOf = $("as_of").value.normalize("NFKC").trim() || today();
  const subject = pasted ? pasted : JSON.stringify(subjectFromForm());
  const district = everywhere ? "" : `"district":${JSON.stringify($("district").value)},`;
  const prefix = `{${district}"as_of":${JSON.stringify(asOf)},"subject":`;
  return { text: `${prefix}${subject}}`, pasted: Boolean(pasted), asOf, prefix: prefix.length };
}

async function post(path, body) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body,
  });
  const data = await response.json();
  return { ok: response.ok, status: response.status, data };
}

// The server says every problem in English (`detail`) and in Chinese (`detail_zh`); the
// page's own date field is the one error it words itself, by the field's label.
function problemZh(problem) {
  const m = /^`as_of` should be a date .*, not `(.*)`$/s.exec(problem.detail || "");
  if (m) return `审查日期应为日历上存在的日期（YYYY-MM-DD），实际填写为「${m[1]}」`;
  return problem.detail_zh || null;
}

function showProblem(problem, request) {
  showErrors(() => writeProblem(problem, request));
}

function writeProblem(problem, request) {
  const sent = problem.detail || problem.title;
  const msg = (lang === "zh" && problemZh(problem)) || sent;
  // The date is the page's own field, whatever the subject came from.
  if (problem.code === "zhunru::input" && /^`as_of`/.test(sent) && fieldError("as_of", msg)) return;
  if (request.pasted && problem.code === "zhunru::input" && problem.column) {
    const col = Math.max(1, problem.column - (problem.line === 1 ? request.prefix : 0));
    fieldError("json", `${t(["第", "line "])}${problem.line}${t(["行第", ", column "])}${col}${t(["列：", ": "])}${msg}`);
    return;
  }
  const id = problem.field && FIELDS[problem.field];
  if (id) {
    // The server's message is English; say in the page's language which field it is.
    const label = document.querySelector(`label[for="${id}"]`);
    const name = label ? label.textContent : problem.field;
    // Beside its field the field is named by its label, not by its path; so is any other
    // field the message names (a period's end is checked against its start).
    const labelled = (written, path) => {
      const other = FIELDS[path] && document.querySelector(`label[for="${FIELDS[path]}"]`);
      return other ? `「${other.textContent}」` : written;
    };
    const bare = msg.replace(/^字段 `[^`]+` ?：?/, "").replace(/ ?`([a-z_.]+)` ?/g, labelled);
    const text = lang === "zh" ? `「${name}」填写有误：${bare}` : `${name}: ${msg}`;
    if (fieldError(id, text)) return;
  }
  formError(msg);
}

function district(name) {
  return districts.find((d) => d.name === name) || {};
}

const ROLE = { responsible: ["责任主体", "responsible party"], assist: ["协助", "assisting"] };

function summary(subject, asOf, d) {
  const role = ROLE[subject.community_role];
  const rows = [
    [["事项类别", "Category"], subject.category],
    [["社区角色", "Community's role"], role ? t(role) : subject.community_role],
    [["交办单位", "Requester"], subject.requester],
    [["审查依据", "Policy"], d.title],
    [["审查日期", "As of"], asOf],
  ].filter((r) => r[1]);
  const [colon, gap] = lang === "zh" ? ["：", "　"] : [": ", " · "];
  return el("p", { class: "meta" }, ...rows.map((r, i) =>
    el("span", { class: "meta-item" }, `${t(r[0])}${colon}${r[1]}${i < rows.length - 1 ? gap : ""}`)));
}

// Each cited clause as the decision gives it: its id, its own document (a district rule
// may cite the national notice it builds on), and its text.
// `brief` (side by side, where five columns would repeat it): the text behind a toggle.
function clauseItem(c, brief) {
  const doc = c.document || {};
  const name = [doc.title ? `《${doc.title}》` : "", doc.number || ""].filter(Boolean).join(" ");
  const head = el("span", { class: "cite", "data-clause": c.id },
    `${t(["依据条款", "Clause"])} ${c.id}${name ? " · " + name : ""}${doc.issuer ? "（" + doc.issuer + "）" : ""}`);
  const parts = [head];
  if (c.text && brief) {
    parts.push(el("details", { class: "clause-text" }, el("summary", {}, t(["条款原文", "Clause text"])), c.text));
  } else if (c.text) {
    parts.push(el("q", { class: "clause-text" }, c.text));
  }
  // A policy's address is a link only when it is a web address: a policy file is not
  // trusted to put script (`javascript:`) behind a reviewer's click.
  if (doc.address && /^https?:\/\//i.test(doc.address)) {
    parts.push(el("a", { class: "cite source", href: doc.address, rel: "noreferrer" }, doc.address));
  } else if (doc.address) {
    parts.push(el("span", { class: "cite source" }, doc.address));
  }
  return el("div", { class: "clause" }, ...parts);
}

function reasonItem(r, brief, verdict) {
  const clauses = r.clauses || [];
  const cites = (r.cites && r.cites.length ? r.cites : r.cite ? [r.cite] : []).join("、");
  const cite = clauses.length
    ? clauses.map((c) => clauseItem(c, brief))
    : [el("span", { class: "cite" }, cites
      ? `${t(["依据条款", "Clause"])} ${cites}`
      : t(verdict === "needs_approval"
        ? ["无对应条款（清单之外的事项）", "No clause (the task is on no list)"]
        : ["无对应条款", "No clause"]))];
  return el("li", { class: "reason", "data-rule": r.rule },
    el("strong", {}, r.message),
    ...cite,
    // A reason no rule of the policy gave (`no_rule_admits`) has no place: say what it is.
    el("span", { class: "cite" }, r.at
      ? (lang === "zh" ? `规则：${r.rule}（${r.at}）` : `Rule: ${r.rule} (${r.at})`)
      : t(verdict === "needs_approval"
        ? ["规则：无（没有规则准予此事项，按默认须经准入审批）", "Rule: none (no rule admits the task; by default it needs approval)"]
        : verdict === "not_in_force"
          ? ["规则：无（所问之日不在本政策施行期内）", "Rule: none (the day asked about is outside the policy's dates)"]
          : ["规则：无（本政策没有适用于此的规则）", "Rule: none (no rule of the policy applies)"])));
}

// The value at a dotted path of the subject, as text ("" when absent).
function valueAt(subject, path) {
  let v = subject;
  for (const part of (path || "").split(".")) v = v && typeof v === "object" ? v[part] : undefined;
  if (v === undefined || v === null || v === "") return "";
  return Array.isArray(v) ? v.join("、") : String(v);
}

// One missing item in plain words; when the task gave a value that does not meet the
// requirement, the value and the requirement (the approving body it names, the date).
function missingItem(m, item, subject) {
  const words = t(MISSING[m] || [m, m]);
  const given = item ? valueAt(subject, item.field) : "";
  if (!given || !item.requirement) return el("li", { "data-missing": m }, words);
  return el("li", { "data-missing": m }, words,
    el("span", { class: "given" }, lang === "zh"
      ? `填写的是「${given}」，须满足：${item.requirement}`
      : `given: “${given}”; required: ${item.requirement}`));
}

// What to do next with a task that needs approval: a rejected application is not an
// application still missing its approval; nothing missing means it is ready to apply.
function nextStep(decision, subject) {
  const status = valueAt(subject, "approval.status");
  if (status === "rejected" || status === "驳回" || status === "未通过" || status === "不予批准") {
    return t(["审批未通过（驳回）：此事项不得进入社区；如确需下放，须重新申请并经批准", "The application was rejected: the task may not enter; to assign it, apply again and have it approved"]);
  }
  if (!decision.missing.length) {
    return t(["按准入程序报批，经批准后方可进入社区", "Apply through the admission procedure; it may enter once approved"]);
  }
  return null;
}

// Lists of the district in force on the day asked (for the note on illustrative entries).
const listsFor = {};

function normal(s) {
  return String(s || "").normalize("NFKC").trim();
}

// The list entries a category matches (by text or alias), as the REPL finds them.
function matchedEntries(name, asOf, category) {
  const data = listsFor[`${name}@${asOf}`];
  if (!data || !category) return [];
  const want = normal(category);
  const out = [];
  for (const list of data.lists) {
    for (const e of list.entries) {
      if (normal(e.text) === want || (e.aliases || []).some((a) => normal(a) === want)) out.push(e);
    }
  }
  return out;
}

// A verdict that rests only on entries the policy marks 示例 (not quoted from its source)
// says so, as the REPL does: a reviewer checks them against the published list.
function exampleNote(decision, name, asOf, subject) {
  if (decision.verdict !== "admitted" && decision.verdict !== "denied") return null;
  const entries = matchedEntries(name, asOf, subject && subject.category);
  if (!entries.length || !entries.every((e) => e.example)) return null;
  const names = entries.map((e) => `「${e.text}」`).join("");
  return el("p", { class: "note", id: "example-note" }, lang === "zh"
    ? `注意：所据清单条目${names}为示例（政策原文未列此条目），请以本区正式公布的清单核对`
    : `Note: the list entry ${names} is illustrative (the policy's source does not list it); check it against the district's published list`);
}

function showDecision(decision, name, subject, asOf, focus = true) {
  Object.assign(last, { decision, district: name, subject, asOf, comparison: null });
  $("comparison").replaceChildren();
  const d = district(name);
  const out = $("result");
  const heading = el("h2", {}, `${t(["审查结论", "Decision"])} · ${d.jurisdiction || name}`);
  const badge = el("div", { class: `badge ${decision.verdict}`, id: "verdict", "data-verdict": decision.verdict }, t(VERDICT[decision.verdict] || [decision.verdict, decision.verdict]));
  const reasons = el("ol", { class: "reasons", id: "reasons" }, ...decision.reasons.map((r) => reasonItem(r, false, decision.verdict)));
  const parts = [heading, summary(subject || {}, asOf, d), badge];
  const note = exampleNote(decision, name, asOf, subject);
  if (note) parts.push(note);
  parts.push(el("h3", {}, t(["理由", "Reasons"])), reasons);
  const next = decision.verdict === "needs_approval" ? nextStep(decision, subject || {}) : null;
  if (next) parts.push(el("p", { class: "next", id: "next-step" }, next));
  if (decision.verdict === "needs_approval" && decision.missing.length && !next) {
    const items = decision.missing_items || [];
    parts.push(el("h3", {}, t(["尚缺材料与条件", "Still missing"])));
    parts.push(el("ul", { class: "missing", id: "missing" },
      ...decision.missing.map((m) => missingItem(m, items.find((i) => i.name === m), subject || {}))));
  }
  out.replaceChildren(...parts);
  if (focus) out.focus();
}

function showComparison(answer, subject, focus = true) {
  Object.assign(last, { comparison: answer, subject, decision: null });
  $("result").replaceChildren();
  const head = el("tr", {}, ...answer.districts.map((c) => el("th", { scope: "col" }, c.jurisdiction || c.district)));
  const row = el("tr", {}, ...answer.districts.map((c) => {
    const cell = el("td", { "data-district": c.district },
      el("div", { class: "cell-head" }, c.jurisdiction || c.district),
      el("div", { class: `badge ${c.decision.verdict}`, "data-verdict": c.decision.verdict }, t(VERDICT[c.decision.verdict] || [c.decision.verdict, c.decision.verdict])),
      el("ol", { class: "reasons" }, ...c.decision.reasons.map((r) => reasonItem(r, true, c.decision.verdict))));
    if (c.decision.missing.length) {
      cell.append(el("ul", { class: "missing" }, ...c.decision.missing.map((m) => el("li", {}, t(MISSING[m] || [m, m])))));
    }
    return cell;
  }));
  const notLoaded = (answer.not_loaded || []).map((f) => el("p", { class: "error", "data-not-loaded": f.district },
    `${t(["未能对比（政策文件载入失败）：", "Not compared (its policy file failed to load): "])}${f.district} · ${f.file}`));
  $("comparison").replaceChildren(
    el("h2", {}, `${t(["各辖区对比", "Districts compared"])}（${answer.as_of}）`),
    summary(subject || {}, answer.as_of, {}),
    el("div", { class: "table-wrap" }, el("table", { id: "compare-table" }, el("thead", {}, head), el("tbody", {}, row))),
    ...notLoaded);
  if (focus) $("comparison").focus();
}

// A new question clears the last answer: an answer left beside a new input error would be
// read (and printed) as the answer to the new input.
function clearAnswer() {
  Object.assign(last, { decision: null, comparison: null });
  $("result").replaceChildren();
  $("comparison").replaceChildren();
}

async function decide(event) {
  if (event) event.preventDefault();
  clearErrors();
  clearAnswer();
  const request = requestBody();
  if (!request.pasted && !$("category").value.trim()) {
    showErrors(() => fieldError("category", t(["请填写事项类别", "Give the task's category"])));
    return;
  }
  try {
    const answer = await post("/v1/decide", request.text);
    if (!answer.ok) return showProblem(answer.data, request);
    const subject = request.pasted ? safeParse($("json").value) : subjectFromForm();
    const name = $("district").value;
    if (!listsFor[`${name}@${request.asOf}`]) await loadLists(name);
    showDecision(answer.data, name, subject, request.asOf);
  } catch (e) {
    showErrors(() => formError(t(["无法连接审查服务：", "Cannot reach the server: "]) + e.message));
  }
}

function safeParse(text) {
  try { return JSON.parse(text); } catch (_) { return {}; }
}

async function compare() {
  clearErrors();
  clearAnswer();
  const request = requestBody(true);
  if (!request.pasted && !$("category").value.trim()) {
    showErrors(() => fieldError("category", t(["请填写事项类别", "Give the task's category"])));
    return;
  }
  try {
    const answer = await post("/v1/compare", request.text);
    if (!answer.ok) return showProblem(answer.data, request);
    showComparison(answer.data, request.pasted ? safeParse($("json").value) : subjectFromForm());
  } catch (e) {
    showErrors(() => formError(t(["无法连接审查服务：", "Cannot reach the server: "]) + e.message));
  }
}

// The district's lists in force on the day asked: the category suggestions, and the note
// on illustrative entries.
async function loadLists(name) {
  const asOf = $("as_of").value.normalize("NFKC").trim() || today();
  const r = await fetch(`/v1/districts/${encodeURIComponent(name)}/lists?as_of=${encodeURIComponent(asOf)}`);
  if (!r.ok) return;
  const data = await r.json();
  listsFor[`${name}@${asOf}`] = data;
  const seen = new Set();
  const options = [];
  for (const list of data.lists) {
    for (const entry of list.entries) {
      if (seen.has(entry.text)) continue;
      seen.add(entry.text);
      options.push(el("option", { value: entry.text, label: list.title }));
    }
  }
  $("categories").replaceChildren(...options);
}

async function loadStatus() {
  const r = await fetch("/readyz");
  const data = await r.json();
  const status = $("status");
  if (!data.failed.length) {
    status.textContent = `${t(["政策已载入：", "Policies in force: "])}${data.districts.join("、")}`;
    return;
  }
  // Whether the district is still served (by its previous version) or not at all.
  const says = (f) => f.previous_in_force
    ? t(["政策文件载入失败（仍按原版本执行）：", "A policy file failed to load (the previous version stays in force): "])
    : t(["政策文件载入失败（该辖区暂不能审查）：", "A policy file failed to load (this district cannot be asked until it is fixed): "]);
  status.replaceChildren(...data.failed.map((f) => el("span", { class: "failed", "data-file": f.file },
    `${says(f)}${f.file}\n${f.rendered}`)));
}

async function init() {
  $("as_of").value = today();
  $("lang").addEventListener("click", () => setLang(lang === "zh" ? "en" : "zh"));
  $("task-form").addEventListener("submit", decide);
  $("compare").addEventListener("click", compare);
  $("print").addEventListener("click", () => window.print());
  const r = await fetch("/v1/districts");
  const data = await r.json();
  districts = data.districts;
  $("district").replaceChildren(...districts.map((d) => el("option", { value: d.name }, `${d.jurisdiction}（${d.name}）`)));
  // The server's default district (`--default-district`, else the first) is chosen first.
  const chosen = districts.find((d) => d.default);
  if (chosen) $("district").value = chosen.name;
  // The notices of the versions in force on the day asked.
  const notices = () => {
    const asOf = encodeURIComponent($("as_of").value.normalize("NFKC").trim() || today());
    $("notices").replaceChildren(...districts.map((d) => el("a", { href: `/v1/districts/${encodeURIComponent(d.name)}/notice?as_of=${asOf}` }, d.jurisdiction)));
  };
  notices();
  $("as_of").addEventListener("change", () => {
    notices();
    loadLists($("district").value);
  });
  $("district").addEventListener("change", () => {
    // An answer stays only beside the question it answers.
    clearErrors();
    clearAnswer();
    loadLists($("district").value);
  });
  await Promise.all([loadLists($("district").value), loadStatus()]);
  // The footer follows reloads: read again every 30 s while the page is shown, and when it
  // is shown again (a file that failed to reload after the page loaded showed only after a
  // refresh: a new-user trial).
  const refresh = () => { if (!document.hidden) loadStatus().catch(() => {}); };
  setInterval(refresh, 30000);
  document.addEventListener("visibilitychange", refresh);
  const params = new URLSearchParams(location.search);
  if (params.get("lang") === "en") setLang("en");
  if (params.get("scenario")) await scenario(params.get("scenario"));
}

// Scripted scenarios for the browser test (`/?scenario=…`): fill the form as a reviewer
// would, submit, and mark the page done so the test can read the DOM.
const SCENARIOS = {
  denied: { district: "nanqiao", category: "招商引资", requester: "区招商局" },
  needs_approval: { district: "yingjiang", category: "企业摸底", requester: "区经信局", requester_level: "district_department" },
  admitted: {
    district: "yingjiang", category: "企业摸底", requester: "区经信局", requester_level: "district_department",
    basis: "安庆市经济普查工作方案", work_plan: true, requirements: "走访辖区企业，填报摸底表",
    period_start: "2020-05-01", period_end: "2020-06-30", funding_amount: "3000",
    approval_status: "approved", approval_by: "区社区建设领导小组", approval_date: "2020-04-20",
    auth_content: "企业信息采集", auth_object: "辖区企业", auth_powers: "入企走访", auth_until: "2020-06-30",
  },
  mistyped: { district: "yingjiang", category: "企业摸底", funding_amount: "三千" },
  // The same error, then the English switch: the error is said again in English.
  mistyped_then_english: { district: "yingjiang", category: "企业摸底", funding_amount: "三千", switch_to: "en" },
  bad_date: { district: "yingjiang", category: "企业摸底", period_end: "2020-02-30" },
  // A period that ends before it starts: the server names the end, the page shows it there.
  period_reversed: { district: "yingjiang", category: "企业摸底", period_start: "2020-07-01", period_end: "2020-06-30" },
  compare: { category: "行政执法", community_role: "responsible", compare: true },
  // On no list anywhere: the national baseline has no rule that admits it.
  compare_unlisted: { category: "居民会议组织", compare: true },
  // An answer, then an input error: the old answer must not stay beside the error.
  stale: { district: "nanqiao", category: "招商引资", then: { funding_amount: "三千" } },
  // JSON left in the closed paste box is not the subject: the form is.
  hidden_json: { district: "nanqiao", json: "{\"category\":\"招商引资\"}", category: "居民会议组织" },
  // Admitted on an entry the policy marks 示例: the page says so.
  example_entry: { district: "nanqiao", category: "居民会议组织" },
  // Approved by a body that may not approve: the checklist says what was given and what is
  // required.
  wrong_body: {
    district: "yingjiang", category: "企业摸底", basis: "安庆市经济普查工作方案", work_plan: true,
    requirements: "走访辖区企业，填报摸底表", period_start: "2020-05-01", period_end: "2020-06-30",
    funding_amount: "3000", approval_status: "approved", approval_by: "区民政局", approval_date: "2020-04-20",
  },
  rejected: { district: "yingjiang", category: "企业摸底", approval_status: "rejected" },
  // A day before the policy's dates.
  not_in_force: { district: "hefei", category: "企业摸底", as_of: "2019-01-01" },
};

function fill(fields) {
  for (const [id, value] of Object.entries(fields)) {
    if (id === "district" || id === "compare" || id === "then" || id === "switch_to" || id === "as_of") continue;
    const input = $(id);
    if (input.type === "checkbox") input.checked = value;
    else input.value = value;
    input.dispatchEvent(new Event("input", { bubbles: true }));
  }
}

async function scenario(name) {
  const s = SCENARIOS[name];
  if (!s) return;
  $("as_of").value = s.as_of || "2020-06-01";
  if (s.district) {
    $("district").value = s.district;
    await loadLists(s.district);
  }
  fill(s);
  if (s.compare) await compare();
  else await decide();
  if (s.then) {
    fill(s.then);
    await decide();
  }
  if (s.switch_to) setLang(s.switch_to);
  document.body.dataset.scenario = "done";
}

init().catch((e) => formError(String(e)));
