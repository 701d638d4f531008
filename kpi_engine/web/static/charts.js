// kpi serve: interactive charts, drawn in SVG from the data the server puts on each <figure class="kchart" data-chart="...">.
// Hover a point: its period, value, target and gap (texts formatted by the server in the reader's language).
// Drag across the chart: zoom on that range of periods. Double-click: back to every period.
// No library: a few functions over the DOM, so the page works offline and under a strict Content-Security-Policy.
(function () {
  "use strict";
  const SVG = "http://www.w3.org/2000/svg";
  const COLOURS = ["#1565c0", "#ef6c00", "#6a1b9a", "#00838f", "#558b2f", "#ad1457"];
  const STATUS = { met: "#2e7d32", missed: "#c62828", no_target: "#90a4ae", undefined: "#b0bec5" };
  const WIDTH = 560, HEIGHT = 220, LEFT = 64, RIGHT = 12, TOP = 10, BOTTOM = 28;

  function element(name, attributes, parent) {
    const node = document.createElementNS(SVG, name);
    for (const key in attributes) node.setAttribute(key, String(attributes[key]));
    if (parent) parent.appendChild(node);
    return node;
  }

  function periodsOf(data) {
    const seen = new Map();
    for (const series of data.series) for (const point of series.points) if (!seen.has(point.period)) seen.set(point.period, point.label);
    return Array.from(seen.keys()).sort().map(function (period) { return { period: period, label: seen.get(period) }; });
  }

  function domain(data, shown) {
    let low = Infinity, high = -Infinity;
    for (const series of data.series) {
      for (const point of series.points) {
        if (!shown.has(point.period)) continue;
        for (const y of [point.y, point.target]) if (y !== null && isFinite(y)) { low = Math.min(low, y); high = Math.max(high, y); }
      }
    }
    if (low === Infinity) return [0, 1];
    if (low === high) { const pad = Math.abs(low) * 0.1 || 1; return [low - pad, high + pad]; }
    const pad = (high - low) * 0.08;
    return [low - pad, high + pad];
  }

  // An axis label: percentages as percents, large amounts in k and M, in the reader's decimal separator.
  function compact(value, axis) {
    let text;
    if (axis.percent) return (value * 100).toFixed(Math.abs(value) < 0.1 ? 1 : 0).replace(".", axis.decimal) + axis.space + "%";
    const size = Math.abs(value);
    if (size >= 1e6) text = (value / 1e6).toFixed(1) + axis.space + "M";
    else if (size >= 1e3) text = (value / 1e3).toFixed(size >= 1e4 ? 0 : 1) + axis.space + "k";
    else text = value.toFixed(size < 1 ? 2 : size < 10 ? 1 : 0);
    return text.replace(".", axis.decimal);
  }

  function pathOf(points) {
    let text = "", open = false;
    for (const point of points) {
      if (point === null) { open = false; continue; }
      text += (open ? " L" : " M") + point[0].toFixed(1) + "," + point[1].toFixed(1);
      open = true;
    }
    return text.trim();
  }

  function draw(figure, data, range) {
    const plot = figure.querySelector(".plot");
    plot.textContent = "";
    const all = periodsOf(data);
    const periods = all.slice(range[0], range[1] + 1);
    const shown = new Set(periods.map(function (p) { return p.period; }));
    const [low, high] = domain(data, shown);
    const svg = element("svg", { viewBox: "0 0 " + WIDTH + " " + HEIGHT, role: "img", "aria-label": figure.querySelector("figcaption").textContent }, plot);
    const x = function (index) { return LEFT + (periods.length < 2 ? (WIDTH - LEFT - RIGHT) / 2 : index * (WIDTH - LEFT - RIGHT) / (periods.length - 1)); };
    const y = function (value) { return TOP + (high - value) * (HEIGHT - TOP - BOTTOM) / (high - low); };
    for (let tick = 0; tick <= 4; tick++) {
      const value = low + (high - low) * tick / 4;
      element("line", { class: "grid-line", x1: LEFT, x2: WIDTH - RIGHT, y1: y(value), y2: y(value) }, svg);
      element("text", { class: "axis", x: LEFT - 6, y: y(value) + 3, "text-anchor": "end" }, svg).textContent = compact(value, data.axis);
    }
    const every = Math.max(1, Math.ceil(periods.length / 8));
    periods.forEach(function (p, index) {
      if (index % every === 0) element("text", { class: "axis", x: x(index), y: HEIGHT - 8, "text-anchor": "middle" }, svg).textContent = p.label;
    });
    const position = new Map(periods.map(function (p, index) { return [p.period, index]; }));
    const points = [];
    data.series.forEach(function (series, number) {
      const colour = COLOURS[number % COLOURS.length];
      const byPeriod = new Map(series.points.map(function (point) { return [point.period, point]; }));
      const line = [], target = [];
      for (const p of periods) {
        const point = byPeriod.get(p.period);
        line.push(point && point.y !== null ? [x(position.get(p.period)), y(point.y)] : null);
        target.push(point && point.target !== null ? [x(position.get(p.period)), y(point.target)] : null);
      }
      element("path", { class: "target", d: pathOf(target) }, svg);
      element("path", { class: "series", d: pathOf(line), stroke: colour }, svg);
      for (const p of periods) {
        const point = byPeriod.get(p.period);
        if (!point || point.y === null) continue;
        const circle = element("circle", { class: "point", cx: x(position.get(p.period)), cy: y(point.y), r: 3.5, fill: STATUS[point.status] || colour,
          "data-series": series.name, "data-period": point.period, "data-value": point.value }, svg);
        points.push({ circle: circle, series: series.name, point: point });
      }
    });
    interact(figure, svg, data, range, points, all.length);
  }

  function showTip(found, data, event) {
    const tip = document.getElementById("tooltip");
    const point = found.point;
    tip.textContent = "";
    const head = document.createElement("b");
    head.textContent = found.series + " · " + point.label;
    tip.appendChild(head);
    const lines = [point.value];
    if (point.targetText) lines.push(data.words.target + " " + point.targetText);
    if (point.gap) lines.push(data.words.gap + " " + point.gap);
    lines.push(point.statusText);
    for (const text of lines) { tip.appendChild(document.createElement("br")); tip.appendChild(document.createTextNode(text)); }
    tip.hidden = false;
    const right = window.scrollX + document.documentElement.clientWidth;
    tip.style.left = (event.pageX + 14 + tip.offsetWidth > right ? event.pageX - 14 - tip.offsetWidth : event.pageX + 14) + "px";
    tip.style.top = (event.pageY + 14) + "px";
  }

  function svgX(svg, event) {
    const box = svg.getBoundingClientRect();
    return (event.clientX - box.left) * WIDTH / box.width;
  }

  function interact(figure, svg, data, range, points, count) {
    const tip = document.getElementById("tooltip");
    let active = null, dragFrom = null, selection = null;
    svg.addEventListener("mousemove", function (event) {
      const box = svg.getBoundingClientRect();
      const px = svgX(svg, event), py = (event.clientY - box.top) * HEIGHT / box.height;
      if (dragFrom !== null) {
        selection.setAttribute("x", Math.min(dragFrom, px));
        selection.setAttribute("width", Math.abs(px - dragFrom));
      }
      let best = null, distance = Infinity;
      for (const found of points) {
        const dx = found.circle.cx.baseVal.value - px, dy = found.circle.cy.baseVal.value - py;
        const d = dx * dx + dy * dy;
        if (d < distance) { distance = d; best = found; }
      }
      if (active) active.circle.classList.remove("active");
      active = best && distance < 900 ? best : null;
      if (active) { active.circle.classList.add("active"); showTip(active, data, event); } else tip.hidden = true;
    });
    svg.addEventListener("mouseleave", function () { tip.hidden = true; if (active) active.circle.classList.remove("active"); });
    svg.addEventListener("mousedown", function (event) {
      event.preventDefault();
      dragFrom = svgX(svg, event);
      selection = element("rect", { class: "selection", x: dragFrom, y: TOP, width: 0, height: HEIGHT - TOP - BOTTOM }, svg);
    });
    svg.addEventListener("mouseup", function (event) {
      if (dragFrom === null) return;
      const from = Math.min(dragFrom, svgX(svg, event)), to = Math.max(dragFrom, svgX(svg, event));
      dragFrom = null;
      selection.remove();
      const shown = range[1] - range[0] + 1;
      const index = function (px) { return range[0] + Math.round((px - LEFT) * (shown - 1) / (WIDTH - LEFT - RIGHT)); };
      const first = Math.max(range[0], index(from)), last = Math.min(range[1], index(to));
      if (to - from > 8 && last - first >= 1) { tip.hidden = true; figure.dataset.zoom = first + "-" + last; draw(figure, data, [first, last]); }
    });
    svg.addEventListener("dblclick", function () { delete figure.dataset.zoom; draw(figure, data, [0, count - 1]); });
  }

  function start() {
    for (const figure of document.querySelectorAll("figure.kchart")) {
      const data = JSON.parse(figure.dataset.chart);
      draw(figure, data, [0, periodsOf(data).length - 1]);
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
