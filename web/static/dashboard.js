// pantau dashboard: reads the JSON API of the same server and draws everything with DOM calls.
// Every value that comes from the data (titles, names, quotes, URLs) is set with textContent or
// checked attributes, never parsed as HTML: article text is untrusted.
"use strict";

const SVG_NS = "http://www.w3.org/2000/svg";
const FILTER_NAMES = ["campaign", "outlet", "date_from", "date_to"];
const numberFormat = new Intl.NumberFormat("id-ID");
// The map's frame in degrees: all of Indonesia, Sabang to Merauke, Miangas to Rote.
const MAP = { west: 94.5, east: 141.5, north: 6.5, south: -11.5, scale: 10 };

let outline = null;
let loadCounter = 0;
let startupWarning = "";

function el(tag, options = {}, text) {
  const node = document.createElement(tag);
  if (options.className) node.className = options.className;
  if (options.title) node.setAttribute("title", options.title);
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function svg(tag, attributes = {}) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  return node;
}

function svgTitle(node, text) {
  const title = svg("title");
  title.textContent = text;
  node.appendChild(title);
}

// Only web addresses become links: a javascript: or data: URL in the data stays plain text.
function safeHref(url) {
  if (!url) return null;
  try {
    const parsed = new URL(url, window.location.href);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
  } catch (error) {
    return null;
  }
}

function link(url, text, className) {
  const href = safeHref(url);
  if (!href) return el("span", { className }, text);
  const anchor = el("a", { className }, text);
  anchor.href = href;
  anchor.rel = "noopener noreferrer";
  anchor.target = "_blank";
  return anchor;
}

function formatNumber(value) {
  return typeof value === "number" ? numberFormat.format(value) : "–";
}

function localDay(iso) {
  return iso ? String(iso).slice(0, 10) : "";
}

function currentFilters() {
  const filters = {};
  for (const name of FILTER_NAMES) {
    const value = document.getElementById(name).value;
    if (value) filters[name] = value;
  }
  return filters;
}

async function api(path, params = {}) {
  const query = new URLSearchParams(params).toString();
  const response = await fetch(`/api/${path}${query ? "?" + query : ""}`, { headers: { Accept: "application/json" } });
  const body = await response.json().catch(() => ({ error: `HTTP ${response.status}` }));
  if (!response.ok) throw new Error(body.error || `HTTP ${response.status}`);
  return body;
}

function setStatus(text, isError = false) {
  const status = document.getElementById("status");
  status.textContent = text;
  status.classList.toggle("error", isError);
}

function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

// ------------------------------------------------------------------ panels

function drawTotals(summary, places) {
  const row = summary.items[0] || {};
  document.getElementById("total-articles").textContent = formatNumber(row.articles || 0);
  document.getElementById("total-stories").textContent = formatNumber(row.stories || 0);
  document.getElementById("total-outlets").textContent = formatNumber(row.outlets || 0);
  document.getElementById("total-places").textContent = formatNumber(places.items.length) + (places.has_more ? "+" : "");
}

function drawCoverage(coverage) {
  const box = clear(document.getElementById("coverage"));
  const weeks = coverage.items;
  if (!weeks.length) {
    box.appendChild(el("p", { className: "empty" }, "Belum ada artikel untuk filter ini."));
    return;
  }
  const width = 720, height = 220, left = 36, bottom = 28, top = 10;
  const maximum = Math.max(1, ...weeks.map((week) => week.articles));
  const step = (width - left - 8) / weeks.length;
  const y = (value) => top + (height - top - bottom) * (1 - value / maximum);
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", class: "coverage-svg" });
  svgTitle(chart, "Artikel dan cerita unik per minggu");
  for (const tick of [0, Math.round(maximum / 2), maximum]) {
    chart.appendChild(svg("line", { x1: left, x2: width - 4, y1: y(tick), y2: y(tick), class: "grid" }));
    const label = svg("text", { x: left - 6, y: y(tick) + 4, class: "axis", "text-anchor": "end" });
    label.textContent = formatNumber(tick);
    chart.appendChild(label);
  }
  const points = [];
  weeks.forEach((week, index) => {
    const x = left + index * step;
    const bar = svg("rect", { x: x + step * 0.1, y: y(week.articles), width: Math.max(1, step * 0.8),
      height: y(0) - y(week.articles), class: "bar" });
    svgTitle(bar, `Minggu ${week.week}: ${week.articles} artikel, ${week.stories} cerita unik`);
    chart.appendChild(bar);
    points.push(`${x + step / 2},${y(week.stories)}`);
  });
  chart.appendChild(svg("polyline", { points: points.join(" "), class: "line" }));
  const labelEvery = Math.max(1, Math.ceil(weeks.length / 6));
  weeks.forEach((week, index) => {
    if (index % labelEvery !== 0) return;
    const label = svg("text", { x: left + index * step + step / 2, y: height - 8, class: "axis", "text-anchor": "middle" });
    label.textContent = week.week;
    chart.appendChild(label);
  });
  box.appendChild(chart);
}

function drawOutlets(outlets) {
  const list = clear(document.getElementById("outlets"));
  const maximum = Math.max(1, ...outlets.items.map((row) => row.articles));
  for (const row of outlets.items.slice(0, 12)) {
    const item = el("li");
    item.appendChild(el("span", { className: "name" }, row.outlet || row.outlet_id || "?"));
    const bar = el("span", { className: "bar" });
    bar.style.width = `${Math.round((100 * row.articles) / maximum)}%`;
    item.appendChild(bar);
    item.appendChild(el("span", { className: "count", title: `${row.stories} cerita unik` }, formatNumber(row.articles)));
    list.appendChild(item);
  }
  if (!outlets.items.length) list.appendChild(el("li", { className: "empty" }, "Tidak ada."));
}

function project(lon, lat) {
  return [(lon - MAP.west) * MAP.scale, (MAP.north - lat) * MAP.scale];
}

function drawMap(places) {
  const box = clear(document.getElementById("map"));
  const width = (MAP.east - MAP.west) * MAP.scale, height = (MAP.north - MAP.south) * MAP.scale;
  const map = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", class: "map-svg" });
  svgTitle(map, "Peta Indonesia: daerah yang disebut dalam artikel");
  map.appendChild(svg("rect", { x: 0, y: 0, width, height, class: "sea" }));
  if (outline) {
    for (const ring of outline.rings) {
      const points = ring.map(([lon, lat]) => project(lon, lat).map((v) => v.toFixed(1)).join(",")).join(" ");
      map.appendChild(svg("polygon", { points, class: "land" }));
    }
  }
  const located = places.items.filter((place) => typeof place.lat === "number" && typeof place.lon === "number");
  const maximum = Math.max(1, ...located.map((place) => place.articles));
  // Biggest first, so small circles stay on top and can be hovered.
  located.sort((a, b) => b.articles - a.articles);
  for (const place of located) {
    const [x, y] = project(place.lon, place.lat);
    const dot = svg("circle", { cx: x.toFixed(1), cy: y.toFixed(1), r: (2.5 + 9 * Math.sqrt(place.articles / maximum)).toFixed(1), class: "place" });
    svgTitle(dot, `${place.name} (${place.code}): ${place.articles} artikel`);
    map.appendChild(dot);
  }
  box.appendChild(map);
  document.getElementById("map-note").textContent = located.length
    ? `${located.length} daerah. Lingkaran sebanding dengan jumlah artikel.`
    : "Tidak ada daerah yang disebut.";
}

function drawStatistics(statistics) {
  const body = clear(document.querySelector("#statistics tbody"));
  for (const row of statistics.items) {
    const line = el("tr");
    line.appendChild(el("td", { className: "num", title: row.sentence || "" }, row.raw || formatNumber(row.value)));
    line.appendChild(el("td", {}, row.unit));
    line.appendChild(el("td", { title: row.sentence || "" }, row.subject || ""));
    line.appendChild(el("td", {}, row.source || "—"));
    const article = el("td");
    article.appendChild(link(row.url, row.title || row.url));
    article.appendChild(el("span", { className: "outlet" }, ` ${row.outlet || row.outlet_id || ""}`));
    line.appendChild(article);
    line.appendChild(el("td", { className: "date" }, localDay(row.published_at)));
    body.appendChild(line);
  }
  if (!statistics.items.length) {
    const line = el("tr");
    const cell = el("td", { className: "empty" }, "Tidak ada statistik.");
    cell.colSpan = 6;
    line.appendChild(cell);
    body.appendChild(line);
  }
  const params = new URLSearchParams(currentFilters()).toString();
  document.getElementById("statistics-csv").href = `/api/statistics.csv${params ? "?" + params : ""}`;
}

function drawQuotes(quotes) {
  const box = clear(document.getElementById("quotes"));
  const bySpeaker = new Map();
  for (const quote of quotes.items) {
    const speaker = quote.speaker || "Tanpa nama";
    if (!bySpeaker.has(speaker)) bySpeaker.set(speaker, []);
    bySpeaker.get(speaker).push(quote);
  }
  const speakers = [...bySpeaker.entries()].sort((a, b) => b[1].length - a[1].length);
  for (const [speaker, said] of speakers.slice(0, 10)) {
    const group = el("details", { className: "speaker" });
    group.appendChild(el("summary", {}, `${speaker} (${said.length})`));
    for (const quote of said.slice(0, 5)) {
      const item = el("blockquote");
      item.appendChild(el("p", {}, `“${quote.text}”`));
      const cite = el("cite");
      cite.appendChild(link(quote.url, quote.title || quote.url));
      cite.appendChild(el("span", { className: "outlet" }, ` ${quote.outlet || ""} ${localDay(quote.published_at)}`));
      item.appendChild(cite);
      group.appendChild(item);
    }
    box.appendChild(group);
  }
  if (!speakers.length) box.appendChild(el("p", { className: "empty" }, "Tidak ada kutipan."));
}

function drawStories(stories) {
  const list = clear(document.getElementById("stories"));
  for (const story of stories.items) {
    const item = el("li");
    item.appendChild(link(story.url, story.title || "(tanpa judul)"));
    item.appendChild(el("span", { className: "meta" }, ` ${story.articles} artikel · ${story.outlets} media · ${localDay(story.first_published_at)}`));
    list.appendChild(item);
  }
  if (!stories.items.length) list.appendChild(el("li", { className: "empty" }, "Tidak ada cerita."));
}

function drawArticles(articles) {
  const list = clear(document.getElementById("articles"));
  for (const article of articles.items) {
    const item = el("li");
    item.appendChild(link(article.url, article.title || article.url, "title"));
    const copy = article.duplicate_of_id ? " · salinan" : "";
    item.appendChild(el("span", { className: "meta" }, ` ${article.outlet || article.outlet_id || ""} · ${localDay(article.published_at)}${copy}`));
    list.appendChild(item);
  }
  if (!articles.items.length) list.appendChild(el("li", { className: "empty" }, "Tidak ada artikel."));
}

// ------------------------------------------------------------------ crawl notices

// What each kind of wall is called here (the API's reason, in English, is the fallback).
const WALL_KINDS = {
  challenge: "halaman tantangan (anti-bot)",
  consent: "halaman persetujuan cookie",
  http_403: "HTTP 403",
  http_429: "HTTP 429, terlalu banyak permintaan",
  not_article: "bukan halaman artikel",
};

// One notice per outlet the last crawl could not reach: its numbers may be missing coverage.
function drawCrawlNotices(status) {
  const list = clear(document.getElementById("crawl-notices"));
  for (const block of status.blocked || []) {
    const item = el("li", { className: "notice", title: block.reason });
    item.appendChild(el("strong", {}, block.outlet || block.outlet_id));
    item.appendChild(document.createTextNode(
      ` tidak terjangkau sejak ${block.since_day || localDay(block.since)}: ${WALL_KINDS[block.kind] || block.reason}`));
    item.dataset.outlet = block.outlet_id;
    list.appendChild(item);
  }
  list.hidden = !list.children.length;
}

async function loadCrawlNotices() {
  try {
    drawCrawlNotices(await api("crawl/status"));
  } catch (error) {
    // The notices are extra: a store without crawl runs or an older server still shows the dashboard.
  }
}

// ------------------------------------------------------------------ loading

async function loadAll() {
  const filters = currentFilters();
  const ticket = ++loadCounter;
  const cap = Number(document.body.dataset.pageSizeCap) || 500;
  const query = new URLSearchParams(filters).toString();
  window.history.replaceState(null, "", query ? `?${query}` : window.location.pathname);
  setStatus("Memuat…");
  try {
    const [summary, coverage, outlets, places, statistics, quotes, stories, articles] = await Promise.all([
      api("summary", filters),
      api("coverage", filters),
      api("outlets", { ...filters, page_size: 50 }),
      api("places", { ...filters, page_size: cap }),
      api("statistics", { ...filters, page_size: 50 }),
      api("quotes", { ...filters, page_size: 100 }),
      api("stories", { ...filters, page_size: 10 }),
      api("articles", { ...filters, page_size: 20 }),
    ]);
    if (ticket !== loadCounter) return; // a newer filter change is already loading
    drawTotals(summary, places);
    drawCoverage(coverage);
    drawOutlets(outlets);
    drawMap(places);
    drawStatistics(statistics);
    drawQuotes(quotes);
    drawStories(stories);
    drawArticles(articles);
    setStatus(startupWarning, Boolean(startupWarning));
    startupWarning = "";
    document.body.dataset.loaded = String(ticket);
  } catch (error) {
    if (ticket === loadCounter) setStatus(`Gagal memuat: ${error.message}`, true);
  }
}

async function loadChoices() {
  const [campaigns, outlets] = await Promise.all([api("campaigns"), api("outlets", { page_size: 100 })]);
  const campaignSelect = document.getElementById("campaign");
  for (const campaign of campaigns.items) {
    const option = el("option", {}, `${campaign.name} (${formatNumber(campaign.articles)})`);
    option.value = campaign.id;
    campaignSelect.appendChild(option);
  }
  const outletSelect = document.getElementById("outlet");
  for (const outlet of outlets.items) {
    const option = el("option", {}, outlet.outlet || outlet.outlet_id);
    option.value = outlet.outlet_id;
    outletSelect.appendChild(option);
  }
  return campaigns.items;
}

function applyUrlFilters(campaigns) {
  const params = new URLSearchParams(window.location.search);
  let any = false;
  for (const name of FILTER_NAMES) {
    const value = params.get(name);
    if (value === null) continue;
    const input = document.getElementById(name);
    input.value = value;
    if (input.value !== value) {
      // A select cannot take a value it does not list: say so instead of silently showing everything.
      startupWarning = `Tidak dikenal: ${name} "${value}"; filter itu diabaikan.`;
      continue;
    }
    any = true;
  }
  if (!params.has("campaign")) {
    // A comms team opens the dashboard for a campaign: start with the first one that has coverage.
    const first = campaigns.find((campaign) => campaign.articles > 0);
    if (first && !any) document.getElementById("campaign").value = first.id;
  }
}

async function start() {
  try {
    const [campaigns, map] = await Promise.all([
      loadChoices(),
      fetch("/static/indonesia-outline.json").then((response) => (response.ok ? response.json() : null)).catch(() => null),
    ]);
    outline = map;
    applyUrlFilters(campaigns);
  } catch (error) {
    setStatus(`Gagal memuat: ${error.message}`, true);
    return;
  }
  const form = document.getElementById("filters");
  form.addEventListener("change", loadAll);
  form.addEventListener("submit", (event) => { event.preventDefault(); loadAll(); });
  form.addEventListener("reset", () => window.setTimeout(loadAll, 0));
  await Promise.all([loadAll(), loadCrawlNotices()]);
}

document.addEventListener("DOMContentLoaded", start);
