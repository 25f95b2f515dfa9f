// The leaders' dashboard: every figure is a ViewService read through /api/
// (see services/dashboard/json_api.h), made with the token the user typed,
// so the page shows exactly what that principal may read. The state lives in
// the URL's hash, so a view can be bookmarked, reloaded and sent.
"use strict";

const L = {
  title: ["创先争优", "Strive for Excellence"],
  period: ["期间", "Period"], campaign: ["活动", "Campaign"], all_campaigns: ["全部活动", "all campaigns"],
  as_of: ["逾期截至", "Overdue as of"], sign_out: ["退出", "Sign out"], sign_in: ["登录", "Sign in"],
  token_help: ["请输入访问令牌（bearer token）。令牌只保存在本标签页中。",
               "Enter your bearer token. It is kept in this tab only."],
  unknown_token: ["令牌无效", "Unknown token"],
  tree: ["下级组织", "Organisations below"], pledges: ["承诺", "Pledges"],
  reviews: ["点评与评议", "Reviews and evaluations"], posts_funds: ["先锋岗与经费", "Pioneer posts and funds"],
  honours: ["表彰", "Honours"], structure: ["组织与党员", "Organisations and members"],
  ranking: ["争先进位", "Children ranked"], rank_by: ["排序", "Rank by"], ascending: ["升序", "Ascending"],
  series: ["月度走势", "Month by month"], overdue: ["逾期承诺", "Overdue pledges"],
  open_pledge: ["查看承诺", "Open pledge"], pledge_id: ["承诺编号", "pledge id"],
  all_time: ["全部", "All time"], live: ["实时", "live"],
  replay: ["只读回放视图：所示为回放截止时的记录。", "Read-only replayed views: the record as it stood when the replay stopped."],
  headline: ["作出承诺 {made} 项，已兑现 {fulfilled} 项，兑现率", "pledges made {made}, fulfilled {fulfilled}: completion"],
  made: ["作出", "made"], under_review: ["待审", "under review"], sent_back: ["退回修改", "sent back"],
  approved: ["已审定", "approved"], fulfilled: ["已兑现", "fulfilled"], withdrawn: ["已撤回", "withdrawn"],
  overdue_n: ["逾期", "overdue"], completion_rate: ["兑现率", "completion rate"],
  revision_rate: ["退回率", "revision rate"], sent_back_once: ["曾被退回", "sent back once"],
  leader_reviews: ["领导点评", "leader reviews"], organisations_reviewed: ["被点评组织", "organisations reviewed"],
  coverage: ["点评覆盖率", "review coverage"], coverage_of: ["{q} 点评覆盖率", "review coverage {q}"],
  unreviewed: ["{q} 未被点评（{n}）", "not reviewed in {q} ({n})"], all_reviewed: ["{q} 全部已点评", "all reviewed in {q}"],
  mass_evaluations: ["群众评议", "mass evaluations"], satisfaction_rate: ["满意率", "satisfaction"],
  satisfied: ["满意", "satisfied"], basically_satisfied: ["基本满意", "basically satisfied"], unsatisfied: ["不满意", "unsatisfied"],
  rectifications_open: ["整改未完成", "rectifications open"],
  posts_established: ["设立先锋岗", "posts established"], posts_passed: ["考核合格", "posts passed"],
  subsidies_paid: ["发放补助", "subsidies paid"], funds_received: ["收到经费", "funds received"],
  budget_allocated: ["预算", "budget allocated"], paid_out: ["已支出", "paid out"], budget_left: ["预算余额", "budget left"],
  by_source: ["按来源", "by source"], pairings: ["结对共建", "pairings"],
  advanced_organisations: ["先进基层党组织", "advanced organisations"], excellent_members: ["优秀共产党员", "excellent members"],
  excellent_party_workers: ["优秀党务工作者", "excellent party workers"], share: ["占比", "share"],
  target: ["目标", "target"], no_target: ["选择活动和年度后与目标对照", "choose a campaign and a year to compare with its targets"],
  organisations: ["组织", "organisations"], members: ["党员", "members"], female: ["女党员", "women"],
  probationary: ["预备党员", "probationary"], activists: ["入党积极分子", "activists"],
  rank: ["名次", "#"], organisation: ["组织", "organisation"], value: ["排序值", "value"],
  due: ["到期", "due"], text: ["内容", "pledge"], state: ["状态", "state"], none: ["无", "none"],
  history: ["承诺记录", "Pledge history"], by: ["经办", "by"], more: ["还有 {n} 个", "{n} more"],
  funds_by_month: ["收到经费（元）", "funds received (yuan)"], meetings: ["会议", "meetings"],
};
const FIGURES = {
  organisations: ["组织数", "organisations"], members: ["党员数", "members"],
  pledges_made: ["作出承诺", "pledges made"], pledges_fulfilled: ["兑现承诺", "pledges fulfilled"],
  pledges_overdue: ["逾期承诺", "pledges overdue"], completion_rate: ["兑现率", "completion rate"],
  revision_rate: ["退回率", "revision rate"], leader_reviews: ["领导点评", "leader reviews"],
  review_coverage: ["点评覆盖率", "review coverage"], satisfaction_rate: ["满意率", "satisfaction"],
  rectifications_open: ["整改未完成", "rectifications open"], posts_passed: ["先锋岗合格", "posts passed"],
  subsidies_paid: ["补助发放", "subsidies paid"], funds_received: ["收到经费", "funds received"],
  budget_left: ["预算余额", "budget left"], advanced_organisations: ["先进组织", "advanced organisations"],
  excellent_members: ["优秀党员", "excellent members"], meetings: ["会议", "meetings"],
};
const RATES = new Set(["completion_rate", "revision_rate", "review_coverage", "satisfaction_rate"]);
const MONEY = new Set(["subsidies_paid", "funds_received", "budget_left"]);
const ENUMS = {
  PLEDGE_STATE_UNDER_REVIEW: ["待审", "under review"], PLEDGE_STATE_SENT_BACK: ["退回修改", "sent back"],
  PLEDGE_STATE_APPROVED: ["已审定", "approved"], PLEDGE_STATE_FULFILLED: ["已兑现", "fulfilled"],
  PLEDGE_STATE_WITHDRAWN: ["已撤回", "withdrawn"],
  FUNDS_PURPOSE_PIONEER_POST_SUBSIDY: ["先锋岗补助", "pioneer post subsidy"], FUNDS_PURPOSE_CO_BUILDING: ["结对共建", "co-building"],
  FUNDS_PURPOSE_HARDSHIP_RELIEF: ["慰问困难党员", "hardship relief"], FUNDS_PURPOSE_DONATION: ["捐款", "donation"],
  FUNDS_PURPOSE_CAMPAIGN_ACTIVITY: ["活动经费", "campaign activity"], FUNDS_PURPOSE_OTHER: ["其他", "other"],
  PledgeMade: ["定诺", "made"], PledgeApproved: ["审诺通过", "approved"], PledgeSentBack: ["退回修改", "sent back"],
  PledgeRevised: ["修改承诺", "revised"], PledgeProgressReported: ["报告进展", "progress reported"],
  PledgeAssessed: ["季度考核", "assessed"], PledgeFulfilled: ["践诺", "fulfilled"],
  PledgeWithdrawn: ["撤回", "withdrawn"], PledgeEvaluated: ["评诺", "evaluated"],
};

const $ = (id) => document.getElementById(id);
let lang = localStorage.getItem("vanguard.lang") || "zh";
let me = null;
let periods = null;  // months that have figures, from the principal's own organisation
let charts = {};
let state = {};
const t = (key, vars) => {
  let s = (L[key] || FIGURES[key] || ENUMS[key] || [key, key])[lang === "zh" ? 0 : 1];
  for (const [k, v] of Object.entries(vars || {})) s = s.replace(`{${k}}`, v);
  return s;
};
const num = (v) => Number(v || 0);
const fmt = (v) => num(v).toLocaleString("en-US");
const pct = (bp) => (num(bp) / 100).toFixed(2) + "%";
const yuan = (fen) => "¥" + (num(fen) / 100).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const orgName = (o) => o.short_name || o.name || o.organisation_id;
const dateOf = (d) => (d && d.year ? `${d.year}-${String(d.month).padStart(2, "0")}-${String(d.day).padStart(2, "0")}` : "");

class ApiError extends Error {
  constructor(status, error) { super(error.message); this.status = status; this.field = error.field; }
}

async function api(endpoint, params) {
  const query = new URLSearchParams(Object.entries(params || {}).filter(([, v]) => v !== "" && v != null));
  const response = await fetch(`api/${endpoint}?${query}`, {
    headers: { Authorization: "Bearer " + sessionStorage.getItem("vanguard.token") },
  });
  const body = await response.json();
  if (!response.ok) throw new ApiError(response.status, body.error);
  return body;
}

function readHash() {
  const h = new URLSearchParams(location.hash.slice(1));
  state = {
    org: h.get("org") || me.organisation_id, period: h.get("period") || "", campaign: h.get("campaign") || "",
    as_of: h.get("as_of") || "", by: h.get("by") || "completion_rate", asc: h.get("asc") === "1",
    pledge: h.get("pledge") || "",
  };
}

function go(changes) {
  Object.assign(state, changes);
  const h = new URLSearchParams();
  for (const [k, v] of Object.entries(state)) if (v && v !== "0") h.set(k, v === true ? "1" : v);
  location.hash = h.toString();  // the hashchange handler renders
}

// One label/value row; data-fig names the figure's path in the level view, so
// the browser test can hold the page to the ViewService's own numbers.
function row(label, text, fig, value) {
  const attrs = fig ? ` data-fig="${fig}" data-value="${esc(value)}"` : "";
  return `<dt>${esc(label)}</dt><dd${attrs}>${esc(text)}</dd>`;
}
const dl = (rows) => `<dl class="figures">${rows.join("")}</dl>`;

function chart(id, option) {
  if (!window.echarts) return;
  if (!charts[id]) charts[id] = echarts.init($(id));
  charts[id].setOption(option, true);
}

function quarterOf(period) {
  const m = /^(\d{4})(?:-Q(\d)|-(\d\d))?$/.exec(period);
  if (!m) return null;
  const q = m[2] ? num(m[2]) : m[3] ? Math.ceil(num(m[3]) / 3) : 0;
  return { year: m[1], q };
}

async function render() {
  const { org, period, campaign, as_of } = state;
  const bucket = { id: org, period, campaign, as_of };
  const lastMonth = periods.length ? periods[periods.length - 1] : "";
  const yq = quarterOf(period) || quarterOf(lastMonth.slice(0, 4)) || { year: String(new Date().getFullYear()), q: 0 };
  const quarters = [1, 2, 3, 4].map((q) => `${yq.year}-Q${q}`);
  const [organisation, level, children, series, overdue, ...coverage] = await Promise.all([
    api("organisation", { id: org }), api("level", bucket),
    api("children", { ...bucket, by: state.by, ascending: state.asc, page_size: 200 }),
    api("series", { id: org, campaign }), api("overdue", { id: org, as_of, page_size: 20 }),
    ...quarters.map((q) => api("level", { id: org, period: q, campaign })),
  ]);
  // The quarter whose uncovered organisations are listed: the chosen one, else the last reviewed.
  let q = yq.q;
  if (!q) coverage.forEach((c, i) => { if (num(c.view.figures.reviews.leader_reviews) > 0) q = i + 1; });
  const unreviewed = q ? await api("unreviewed", { id: org, quarter: `${yq.year}-Q${q}`, campaign, page_size: 50 }) : null;

  renderPath(organisation);
  renderFigures(level.view, organisation);
  renderCoverage(quarters, coverage, q ? `${yq.year}-Q${q}` : "", unreviewed);
  renderChildren(children);
  renderSeries(series);
  renderOverdue(overdue);
  if (state.pledge) await renderPledge(state.pledge); else $("pledge").hidden = true;
}

function renderPath(o) {
  const link = (r) => `<a data-org="${esc(r.organisation_id)}">${esc(orgName(r))}</a>`;
  $("path").innerHTML = [...o.path.map(link), `<b>${esc(o.organisation.name)}</b>`].join(" › ");
  // Natural order, as the rankings break ties: village-9 before village-10.
  const live = o.children.filter((c) => !c.dissolved)
    .sort((a, b) => a.organisation_id.localeCompare(b.organisation_id, "en", { numeric: true }));
  $("tree").innerHTML = live.length ? live.map((c) => `<li>${link(c)}</li>`).join("") : `<li class="muted">${t("none")}</li>`;
}

function renderFigures(view, o) {
  const f = view.figures;
  const p = f.pledges, total = p.total, r = f.reviews, posts = f.posts, funds = f.funds, h = f.honours, s = f.structure;
  $("headline").innerHTML = `<span class="name">${esc(o.organisation.name)}</span>
    <span>${esc(t("headline", { made: fmt(total.made), fulfilled: fmt(total.fulfilled) }))}</span>
    <span class="big" data-fig="pledges.completion_rate_bp" data-value="${p.completion_rate_bp}">${pct(p.completion_rate_bp)}</span>`;
  $("pledges").innerHTML = dl([
    row(t("made"), fmt(total.made), "pledges.total.made", total.made),
    row(t("under_review"), fmt(total.under_review), "pledges.total.under_review", total.under_review),
    row(t("sent_back"), fmt(total.sent_back), "pledges.total.sent_back", total.sent_back),
    row(t("approved"), fmt(total.approved), "pledges.total.approved", total.approved),
    row(t("fulfilled"), fmt(total.fulfilled), "pledges.total.fulfilled", total.fulfilled),
    row(t("withdrawn"), fmt(total.withdrawn), "pledges.total.withdrawn", total.withdrawn),
    row(t("overdue_n"), fmt(total.overdue), "pledges.total.overdue", total.overdue),
    row(t("sent_back_once"), fmt(p.sent_back_once), "pledges.sent_back_once", p.sent_back_once),
    row(t("revision_rate"), pct(p.revision_rate_bp), "pledges.revision_rate_bp", p.revision_rate_bp),
  ]);
  const states = ["under_review", "sent_back", "approved", "fulfilled", "withdrawn", "overdue"];
  chart("pledge_chart", {
    grid: { left: 8, right: 24, top: 8, bottom: 4, containLabel: true }, xAxis: { type: "value" },
    yAxis: { type: "category", data: states.map((k) => t(k === "overdue" ? "overdue_n" : k)), inverse: true },
    series: [{ type: "bar", data: states.map((k) => num(total[k])), itemStyle: { color: "#c62828" } }],
  });
  $("reviews").innerHTML = dl([
    row(t("leader_reviews"), fmt(r.leader_reviews), "reviews.leader_reviews", r.leader_reviews),
    ...(/^\d{4}-Q\d$/.test(state.period)  // coverage is a quarter's figure
      ? [row(t("organisations_reviewed"), fmt(r.organisations_reviewed), "reviews.organisations_reviewed", r.organisations_reviewed),
         row(t("coverage"), pct(r.coverage_bp), "reviews.coverage_bp", r.coverage_bp)] : []),
    row(t("mass_evaluations"), fmt(r.mass_evaluations), "reviews.mass_evaluations", r.mass_evaluations),
    row(t("satisfaction_rate"), pct(r.satisfaction_rate_bp), "reviews.satisfaction_rate_bp", r.satisfaction_rate_bp),
    row(`${t("satisfied")} / ${t("basically_satisfied")} / ${t("unsatisfied")}`,
        `${fmt(r.satisfied)} / ${fmt(r.basically_satisfied)} / ${fmt(r.unsatisfied)}`),
    row(t("rectifications_open"), fmt(r.rectifications_open), "reviews.rectifications_open", r.rectifications_open),
  ]);
  $("funds").innerHTML = dl([
    row(t("posts_established"), fmt(posts.established), "posts.established", posts.established),
    row(t("posts_passed"), fmt(posts.passed), "posts.passed", posts.passed),
    row(t("subsidies_paid"), yuan(posts.subsidies_paid_fen), "posts.subsidies_paid_fen", posts.subsidies_paid_fen),
    row(t("funds_received"), yuan(funds.received_fen), "funds.received_fen", funds.received_fen),
    ...funds.received_by_purpose.map((x) => row("· " + t(x.purpose), yuan(x.amount_fen))),
    ...funds.received_by_source.slice(0, 8).map((x) => row(`· ${t("by_source")} ${x.source_organisation_id}`, yuan(x.amount_fen))),
    row(t("budget_allocated"), yuan(funds.budget_allocated_fen), "funds.budget_allocated_fen", funds.budget_allocated_fen),
    row(t("paid_out"), yuan(funds.paid_out_fen), "funds.paid_out_fen", funds.paid_out_fen),
    row(t("budget_left"), yuan(funds.budget_left_fen), "funds.budget_left_fen", funds.budget_left_fen),
    row(t("pairings"), fmt(funds.pairings), "funds.pairings", funds.pairings),
  ]);
  chart("funds_chart", {
    tooltip: { trigger: "item", formatter: (x) => `${x.name}: ${yuan(x.value * 100)}` },
    series: [{ type: "pie", radius: ["35%", "65%"], label: { fontSize: 11 },
               data: funds.received_by_purpose.map((x) => ({ name: t(x.purpose), value: num(x.amount_fen) / 100 })) }],
  });
  const targets = h.targets && h.targets.year ? h.targets : null;
  $("honours").innerHTML = dl([
    row(t("advanced_organisations"), fmt(h.advanced_organisations), "honours.advanced_organisations", h.advanced_organisations),
    row(t("share"), pct(h.advanced_organisation_share_bp), "honours.advanced_organisation_share_bp", h.advanced_organisation_share_bp),
    ...(targets ? [row(t("target"), "≥ " + pct(targets.advanced_organisation_share_bp))] : []),
    row(t("excellent_members"), fmt(h.excellent_members), "honours.excellent_members", h.excellent_members),
    row(t("share"), pct(h.excellent_member_share_bp), "honours.excellent_member_share_bp", h.excellent_member_share_bp),
    ...(targets ? [row(t("target"), "≥ " + pct(targets.excellent_member_share_bp)),
                   row(t("coverage") + " " + t("target"), "≥ " + pct(targets.leader_review_coverage_bp))] : []),
    row(t("excellent_party_workers"), fmt(h.excellent_party_workers), "honours.excellent_party_workers", h.excellent_party_workers),
  ]) + (targets ? "" : `<p class="muted">${t("no_target")}</p>`);
  $("structure").innerHTML = dl([
    row(t("organisations"), fmt(s.organisations), "structure.organisations", s.organisations),
    row(t("members"), fmt(s.members), "structure.members", s.members),
    row(t("female"), fmt(s.female_members), "structure.female_members", s.female_members),
    row(t("probationary"), fmt(s.probationary_members), "structure.probationary_members", s.probationary_members),
    row(t("activists"), fmt(s.activists), "structure.activists", s.activists),
  ]);
}

function renderCoverage(quarters, coverage, quarter, unreviewed) {
  chart("coverage_chart", {
    grid: { left: 40, right: 8, top: 20, bottom: 20 },
    xAxis: { type: "category", data: quarters.map((q) => q.slice(5)) },
    yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
    series: [{ type: "bar", data: coverage.map((c) => num(c.view.figures.reviews.coverage_bp) / 100),
               label: { show: true, position: "top", formatter: (x) => x.value.toFixed(0) + "%" },
               itemStyle: { color: "#ad1457" } }],
  });
  if (!unreviewed) { $("unreviewed").innerHTML = ""; return; }
  const list = unreviewed.organisations;
  const heading = list.length ? t("unreviewed", { q: quarter, n: fmt(list.length) + (unreviewed.next_page_token ? "+" : "") })
                              : t("all_reviewed", { q: quarter });
  $("unreviewed").innerHTML = `<p data-unreviewed="${quarter}" data-count="${list.length}">${esc(heading)}</p>` +
    (list.length ? `<ul>${list.slice(0, 12).map((o) => `<li><a data-org="${esc(o.organisation_id)}">${esc(o.name)}</a></li>`).join("")}</ul>` +
     (list.length > 12 ? `<p class="muted">${t("more", { n: list.length - 12 })}</p>` : "") : "");
}

function renderChildren(response) {
  const by = state.by;
  const show = (v) => (RATES.has(by) ? pct(v) : MONEY.has(by) ? yuan(v) : fmt(v));
  $("children").innerHTML = `<thead><tr><th>${t("rank")}</th><th>${t("organisation")}</th><th>${esc(t(by))}</th>
    <th>${t("made")}</th><th>${t("fulfilled")}</th><th>${t("completion_rate")}</th><th>${t("members")}</th>
    <th>${t("funds_received")}</th></tr></thead><tbody>` +
    response.children.map((c) => {
      const o = c.view.organisation, f = c.view.figures;
      return `<tr data-child="${esc(o.organisation_id)}"><td>${c.rank}</td>
        <td><a data-org="${esc(o.organisation_id)}">${esc(o.name)}</a></td><td data-rank-value="${esc(c.value)}">${show(c.value)}</td>
        <td>${fmt(f.pledges.total.made)}</td><td>${fmt(f.pledges.total.fulfilled)}</td>
        <td>${pct(f.pledges.completion_rate_bp)}</td><td>${fmt(f.structure.members)}</td><td>${yuan(f.funds.received_fen)}</td></tr>`;
    }).join("") + "</tbody>";
}

function renderSeries(series) {
  const months = series.points.map((p) => p.month);
  const pick = (fn) => series.points.map((p) => fn(p.figures));
  chart("series_chart", {
    tooltip: { trigger: "axis" }, legend: { top: 0 },
    grid: { left: 50, right: 60, top: 36, bottom: 24 },
    xAxis: { type: "category", data: months },
    yAxis: [{ type: "value" }, { type: "value", name: "¥", splitLine: { show: false } }],
    series: [
      { name: t("made"), type: "bar", data: pick((f) => num(f.pledges.total.made)) },
      { name: t("fulfilled"), type: "bar", data: pick((f) => num(f.pledges.total.fulfilled)) },
      { name: t("leader_reviews"), type: "line", data: pick((f) => num(f.reviews.leader_reviews)) },
      { name: t("funds_by_month"), type: "line", yAxisIndex: 1, data: pick((f) => num(f.funds.received_fen) / 100) },
    ],
    color: ["#ef9a9a", "#c62828", "#1565c0", "#f9a825"],
  });
}

function renderOverdue(response) {
  $("overdue").innerHTML = `<thead><tr><th>${t("due")}</th><th>${t("text")}</th><th>${t("organisation")}</th><th>${t("state")}</th></tr></thead><tbody>` +
    (response.pledges.length ? response.pledges.map((p) => `<tr><td>${dateOf(p.due_on)}</td>
      <td><a data-pledge="${esc(p.pledge_id)}">${esc(p.text || p.pledge_id)}</a></td>
      <td>${esc(p.organisation_id)}</td><td>${t(p.state)}</td></tr>`).join("")
      : `<tr><td></td><td class="muted">${t("none")}</td></tr>`) + "</tbody>";
}

async function renderPledge(id) {
  const { pledge, history } = await api("pledge", { id });
  const section = $("pledge");
  section.hidden = false;
  const items = history.map((e) => {
    const type = e.event_type.replace("vanguard.v1.", "");
    const payload = e[type.replace(/[A-Z]/g, (c, i) => (i ? "_" : "") + c.toLowerCase())] || {};
    const words = payload.comment || payload.description || payload.reason || payload.text || "";
    return `<li data-event="${esc(type)}"><div><b>${esc(t(type))}</b> <span class="muted">v${e.aggregate_version}</span></div>
      <div class="when">${esc((e.occurred_at || "").slice(0, 10))} · ${t("by")} ${esc(e.actor?.principal_id)}</div>
      ${words ? `<div>${esc(words)}</div>` : ""}</li>`;
  });
  section.innerHTML = `<h2>${t("history")}</h2>
    <p><b>${esc(pledge.text || pledge.pledge_id)}</b><br><span class="muted">${esc(pledge.pledge_id)} · ${esc(pledge.organisation_id)}
    · ${t(pledge.state)} · ${t("due")} ${dateOf(pledge.due_on)}
    ${pledge.campaign_id ? `· ${t("campaign")} <a data-campaign="${esc(pledge.campaign_id)}">${esc(pledge.campaign_id)}</a>` : ""}</span></p>
    <ol class="timeline">${items.join("")}</ol>`;
  section.scrollIntoView({ block: "nearest" });
}

function renderControls() {
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  document.querySelectorAll("[data-t]").forEach((e) => { e.textContent = t(e.dataset.t); });
  document.querySelectorAll("[data-tp]").forEach((e) => { e.placeholder = t(e.dataset.tp); });
  $("lang").textContent = lang === "zh" ? "EN" : "中文";
  if (!me) return;
  const years = [...new Set(periods.map((m) => m.slice(0, 4)))];
  const options = [["", t("all_time")]];
  for (const y of years) {
    options.push([y, y]);
    for (const q of [1, 2, 3, 4]) options.push([`${y}-Q${q}`, `${y}-Q${q}`]);
  }
  for (const m of periods) options.push([m, m]);
  $("period").innerHTML = options.map(([v, label]) => `<option value="${v}">${label}</option>`).join("");
  $("period").value = state.period;
  $("by").innerHTML = Object.keys(FIGURES).map((k) => `<option value="${k}">${esc(t(k))}</option>`).join("");
  $("by").value = state.by;
  $("ascending").checked = state.asc;
  $("campaign").value = state.campaign;
  $("as_of").value = state.as_of;
  if (me.store !== "live") { $("banner").hidden = false; $("banner").textContent = t("replay"); }
}

async function show() {
  readHash();
  renderControls();
  try {
    await render();
    document.body.dataset.loaded = location.hash || "#";  // for the browser test: this state is on screen
  } catch (e) {
    if (e.status === 401) return signOut();
    $("path").innerHTML = `<span class="error">${esc(e.message)}</span>`;
    document.body.dataset.loaded = "error";
  }
}

function signOut() {
  sessionStorage.removeItem("vanguard.token");
  $("app").hidden = true;
  $("login").hidden = false;
}

async function start() {
  renderControls();
  if (!sessionStorage.getItem("vanguard.token")) return signOut();
  try {
    me = await api("me");
    periods = (await api("series", { id: me.organisation_id })).points.map((p) => p.month);
  } catch (e) {
    signOut();
    $("login_error").textContent = e.status === 401 ? t("unknown_token") : e.message;
    return;
  }
  $("login").hidden = true;
  $("app").hidden = false;
  await show();
}

document.addEventListener("click", (e) => {
  const a = e.target.closest("a[data-org], a[data-pledge], a[data-campaign]");
  if (!a) return;
  e.preventDefault();
  if (a.dataset.org) go({ org: a.dataset.org, pledge: "" });
  else if (a.dataset.campaign) go({ campaign: a.dataset.campaign });  // its targets, per year
  else go({ pledge: a.dataset.pledge });
});
$("login").addEventListener("submit", (e) => {
  e.preventDefault();
  sessionStorage.setItem("vanguard.token", $("token").value.trim());
  $("token").value = "";
  start();
});
$("pledge_form").addEventListener("submit", (e) => { e.preventDefault(); go({ pledge: $("pledge_id").value.trim() }); });
$("period").addEventListener("change", () => go({ period: $("period").value }));
$("campaign").addEventListener("change", () => go({ campaign: $("campaign").value.trim() }));
$("as_of").addEventListener("change", () => go({ as_of: $("as_of").value }));
$("by").addEventListener("change", () => go({ by: $("by").value }));
$("ascending").addEventListener("change", () => go({ asc: $("ascending").checked }));
$("signout").addEventListener("click", signOut);
$("lang").addEventListener("click", () => {
  lang = lang === "zh" ? "en" : "zh";
  localStorage.setItem("vanguard.lang", lang);
  if (me) show(); else renderControls();
});
window.addEventListener("hashchange", () => { if (me) show(); });
window.addEventListener("resize", () => Object.values(charts).forEach((c) => c.resize()));
start();
