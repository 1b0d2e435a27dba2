// The practice page's drawings, made from the data the page embeds (its fields are listed in
// include/cacophony/report/practice_page.h): the grid and the hits on one time line, the offsets
// over time with the take's phases, the tempo bar by bar, and the bar-by-bar table. It fetches nothing and needs no library.
(function () {
  'use strict';
  const data = JSON.parse(document.getElementById('practice-data').textContent);
  const gridSvg = document.getElementById('grid-svg');
  const plot = document.getElementById('offset-plot');
  const tempoPlot = document.getElementById('tempo-plot');
  const NS = gridSvg.namespaceURI;  // SVG's, taken from the page's own element
  const GOOD_MS = 10;  // the classes of error, as the figures count them (within ±10, ±25 ms)
  const FAIR_MS = 25;
  const LANE_Y = 92;  // the hits row's middle on the time line

  // A new SVG element under `parent`; `title` becomes its tooltip.
  function add(parent, name, attrs, title) {
    const el = document.createElementNS(NS, name);
    for (const [key, value] of Object.entries(attrs)) el.setAttribute(key, value);
    if (title) add(el, 'title', {}).textContent = title;
    parent.appendChild(el);
    return el;
  }
  function label(parent, x, y, text, anchor) {
    add(parent, 'text', { x, y, 'text-anchor': anchor || 'start' }).textContent = text;
  }
  function errorClass(offset) {
    const size = Math.abs(offset);
    return size <= GOOD_MS ? 'good' : size <= FAIR_MS ? 'fair' : 'bad';
  }
  function where(p) {
    return 'bar ' + p.bar + ', beat ' + p.beat + (p.sub ? ', subdivision ' + p.sub : '');
  }
  function signed(ms) {
    return (ms > 0 ? '+' : ms < 0 ? '−' : '±') + Math.abs(ms).toFixed(1) + ' ms';
  }
  function seconds(ms) { return +(ms / 1000).toFixed(3) + ' s'; }
  // A mean offset in words, as the command line says it.
  function offsetWords(ms) {
    return Math.abs(ms) < 0.05 ? 'on the beat'
      : Math.abs(ms).toFixed(1) + ' ms ' + (ms < 0 ? 'early' : 'late');
  }
  function barsWords(first, last) {
    return first === last ? 'bar ' + first : 'bars ' + first + '–' + last;
  }
  // Where bars lie in time: from the first's start to the last's end, or null.
  const barsByNumber = new Map(data.bars.map((b) => [b.bar, b]));
  function barsSpan(first, last) {
    const a = barsByNumber.get(first), b = barsByNumber.get(last);
    if (!a || !b || a.start_ms === null || b.end_ms === null) return null;
    return { start: a.start_ms, end: b.end_ms };
  }

  // The time the drawings cover: every position, hit, extra hit and bar of the take.
  function timeSpan() {
    const times = [];
    data.grid.forEach((p) => times.push(p.time_ms));
    data.hits.forEach((h) => times.push(h.hit_ms));
    data.extra.forEach((e) => { if (e.time_ms !== null) times.push(e.time_ms); });
    data.bars.forEach((b) => { if (b.end_ms !== null) times.push(b.start_ms, b.end_ms); });
    const start = times.length ? Math.min(...times) : 0;
    const end = times.length ? Math.max(...times) : 1000;
    return { start, end, length: Math.max(end - start, 1) };
  }

  // The smallest distance between neighbouring grid positions, to keep their ticks apart.
  function smallestGap() {
    let gap = Infinity;
    for (let n = 1; n < data.grid.length; ++n) {
      const d = data.grid[n].time_ms - data.grid[n - 1].time_ms;
      if (d > 0) gap = Math.min(gap, d);
    }
    return gap;
  }

  // Muted bars shaded (over `top`..`bottom`), and on the time line each bar's start and number.
  function drawBars(svg, x, top, bottom, numbered) {
    const shade = add(svg, 'g', { class: 'muted-bars' });
    const lines = add(svg, 'g', { class: 'bar-lines' });
    for (const b of data.bars) {
      if (b.start_ms === null) continue;
      const from = x(b.start_ms);
      if (b.muted)
        add(shade, 'rect', { class: 'muted', x: from, y: top, width: x(b.end_ms) - from,
                             height: bottom - top }, 'bar ' + b.bar + ': click muted');
      if (!numbered) continue;
      add(lines, 'line', { class: 'bar-line', x1: from, x2: from, y1: top, y2: bottom });
      label(lines, from + 3, top + 15, String(b.bar));
    }
  }

  // One hit: a triangle pointing the way it missed its place (◀ early, ▶ late), coloured by
  // the size of its error, and joined to its place on the grid.
  function drawHit(row, h, x) {
    const cls = h.offset_ms === null ? 'bad' : errorClass(h.offset_ms);
    const early = h.offset_ms < 0;
    const at = x(h.hit_ms);
    const s = 6;
    const tip = early ? -s : s;
    add(row, 'line', { class: 'reach ' + cls, x1: x(h.time_ms), y1: 62, x2: at, y2: LANE_Y - s });
    add(row, 'path', {
      class: 'hit ' + cls + (early ? ' early' : ' late'),
      d: `M${at - tip} ${LANE_Y - s}L${at + tip} ${LANE_Y}L${at - tip} ${LANE_Y + s}Z`,
    }, where(h) + ': ' + signed(h.offset_ms) + (early ? ' (early)' : ' (late)'));
  }

  // The time line: bars, the grid's ticks (beats tall, subdivisions short), the hits, the
  // missed positions and the extra hits, wide enough that no two ticks touch.
  function drawTimeline(span) {
    const room = (gridSvg.parentNode.clientWidth || 1000) - 20;
    const gap = smallestGap();
    const scale = Math.min(Math.max(room / span.length, Number.isFinite(gap) ? 16 / gap : 0),
                           100000 / span.length);
    const x = (t) => 10 + (t - span.start) * scale;
    const width = Math.ceil(x(span.end) + 10);
    const height = 120;
    Object.entries({ width, height, viewBox: `0 0 ${width} ${height}` })
      .forEach(([key, value]) => gridSvg.setAttribute(key, value));
    drawBars(gridSvg, x, 0, height, true);
    const grid = add(gridSvg, 'g', { id: 'grid-row' });
    for (const p of data.grid)
      add(grid, 'line', { class: 'tick ' + (p.sub ? 'sub' : 'beat') + (p.muted ? ' muted' : ''),
                          x1: x(p.time_ms), x2: x(p.time_ms), y1: p.sub ? 40 : 28, y2: 62 },
          where(p));
    const row = add(gridSvg, 'g', { id: 'hit-row' });
    add(row, 'line', { class: 'lane', x1: x(span.start), x2: x(span.end), y1: LANE_Y, y2: LANE_Y });
    for (const h of data.hits) drawHit(row, h, x);
    for (const p of data.missed) {
      const at = x(p.time_ms);
      add(row, 'path', { class: 'missed', d: `M${at - 5} ${LANE_Y - 5}l10 10m0 -10l-10 10` },
          where(p) + ': missed');
    }
    for (const e of data.extra) {
      if (e.time_ms === null) continue;
      const at = x(e.time_ms);
      add(row, 'path', { class: 'extra', d: `M${at} ${LANE_Y - 6}l5 6l-5 6l-5 -6Z` },
          'an extra hit at ' + seconds(e.time_ms));
    }
  }

  // A round step for about `count` labels over `length`.
  function niceStep(length, count) {
    const raw = length / count;
    const power = Math.pow(10, Math.floor(Math.log10(raw)));
    return [1, 2, 5, 10].map((m) => m * power).find((step) => step >= raw);
  }

  // The time axis's labels under a plot.
  function timeLabels(svg, box, x, span) {
    const step = niceStep(span.length, 8);
    for (let t = Math.ceil(span.start / step) * step; t <= span.end; t += step)
      label(svg, x(t), box.bottom + 18, seconds(t), 'middle');
  }

  // Each phase (`items`, with first_bar, last_bar, a kind, a value, its words and a short label)
  // drawn across its bars at its value, labelled above its start, its words as the tooltip.
  function drawSpans(svg, items, x, y, cls) {
    const g = add(svg, 'g', { class: cls + 's' });
    for (const item of items) {
      const at = barsSpan(item.first_bar, item.last_bar);
      if (!at || item.value === null) continue;
      add(g, 'line', { class: cls + ' ' + item.kind, x1: x(at.start) + 2, x2: x(at.end) - 2,
                       y1: y(item.value), y2: y(item.value) }, item.words);
      add(g, 'text', { class: 'phase-label', x: x(at.start) + 6, y: y(item.value) - 6 })
        .textContent = item.label;
    }
  }

  // The plot's frame: the ±25 and ±10 ms bands, the zero line and both axes' labels.
  function drawFrame(box, x, y, lim, span) {
    add(plot, 'rect', { class: 'band25', x: box.left, width: box.right - box.left,
                        y: y(FAIR_MS), height: y(-FAIR_MS) - y(FAIR_MS) });
    add(plot, 'rect', { class: 'band10', x: box.left, width: box.right - box.left,
                        y: y(GOOD_MS), height: y(-GOOD_MS) - y(GOOD_MS) });
    drawBars(plot, x, box.top, box.bottom, false);
    for (const v of [-lim, -FAIR_MS, -GOOD_MS, 0, GOOD_MS, FAIR_MS, lim]) {
      add(plot, 'line', { class: v ? 'axis' : 'zero', x1: box.left, x2: box.right, y1: y(v),
                          y2: y(v), 'stroke-opacity': v ? 0.5 : 1 });
      label(plot, box.left - 6, y(v) + 4, v ? signed(v).replace('.0', '') : '0', 'end');
    }
    timeLabels(plot, box, x, span);
  }

  // Each hit's offset against its time: a trace through them and a point each, coloured by
  // its error, over the muted bars' shading.
  function drawPlot(span) {
    const width = 1100;
    const height = 280;
    const box = { left: 60, right: width - 14, top: 10, bottom: height - 30 };
    const hits = data.hits.filter((h) => h.offset_ms !== null)
      .sort((a, b) => a.hit_ms - b.hit_ms);
    const lim = Math.ceil(Math.max(30, ...hits.map((h) => Math.abs(h.offset_ms))) / 10) * 10;
    const x = (t) => box.left + (t - span.start) / span.length * (box.right - box.left);
    const y = (v) => box.top + (lim - v) / (2 * lim) * (box.bottom - box.top);
    plot.setAttribute('viewBox', `0 0 ${width} ${height}`);
    drawFrame(box, x, y, lim, span);
    if (!hits.length) {
      label(plot, (box.left + box.right) / 2, y(0) - 8, 'no hits', 'middle');
      return;
    }
    const d = hits.map((h, n) => (n ? 'L' : 'M') + x(h.hit_ms).toFixed(1) + ' ' +
                                 y(h.offset_ms).toFixed(1)).join('');
    add(plot, 'path', { class: 'trace', d });
    const points = add(plot, 'g', { class: 'points' });
    for (const h of hits)
      add(points, 'circle', { class: 'point ' + errorClass(h.offset_ms), r: 3.5,
                              cx: x(h.hit_ms), cy: y(h.offset_ms) },
          where(h) + ': ' + signed(h.offset_ms));
    drawSpans(plot, data.phases.map((p) => ({ first_bar: p.first_bar, last_bar: p.last_bar,
                                              kind: p.lean, value: p.mean_offset_ms,
                                              words: p.words,
                                              label: p.lean === 'steady' ? 'steady'
                                                : p.lean + ' by ' + Math.abs(p.mean_offset_ms)
                                                  .toFixed(0) + ' ms' })), x, y, 'phase');
  }

  // The player's tempo in each bar (a point at the bar's middle, joined), the click's tempo
  // dashed, and each tempo phase's average across its bars; on the offset plot's time axis.
  function drawTempo(span) {
    const width = 1100;
    const height = 220;
    const box = { left: 60, right: width - 14, top: 10, bottom: height - 30 };
    const click = data.grid_bpm;
    const bars = data.tempo.map((t) => ({ t, at: barsSpan(t.bar, t.bar) }))
      .filter((b) => b.at && b.t.bpm !== null);
    const off = Math.max(3, ...bars.map((b) => Math.abs(b.t.bpm - click)));
    const lim = Math.ceil(off * 1.25);
    const x = (t) => box.left + (t - span.start) / span.length * (box.right - box.left);
    const y = (v) => box.top + (click + lim - v) / (2 * lim) * (box.bottom - box.top);
    tempoPlot.setAttribute('viewBox', `0 0 ${width} ${height}`);
    drawBars(tempoPlot, x, box.top, box.bottom, false);
    for (const v of [click - lim, click, click + lim]) {
      add(tempoPlot, 'line', { class: v === click ? 'click-tempo' : 'axis', x1: box.left,
                               x2: box.right, y1: y(v), y2: y(v) });
      label(tempoPlot, box.left - 6, y(v) + 4, +v.toFixed(1) + ' bpm', 'end');
    }
    timeLabels(tempoPlot, box, x, span);
    if (!bars.length) {
      label(tempoPlot, (box.left + box.right) / 2, y(click) - 8,
            'no tempo: no bar has two hits', 'middle');
      return;
    }
    drawSpans(tempoPlot, data.tempo_phases.filter((t) => t.bpm !== null).map((t) => ({
      first_bar: t.first_bar, last_bar: t.last_bar, kind: t.pace, value: t.bpm,
      words: barsWords(t.first_bar, t.last_bar) + ': ' + t.bpm.toFixed(1) + ' bpm (' + t.pace + ')',
      label: t.bpm.toFixed(0) + ' bpm',
    })), x, y, 'pace');
    const mid = (b) => x((b.at.start + b.at.end) / 2);
    add(tempoPlot, 'path', { class: 'tempo-trace', d: bars.map((b, n) => (n ? 'L' : 'M') +
        mid(b).toFixed(1) + ' ' + y(b.t.bpm).toFixed(1)).join('') });
    const points = add(tempoPlot, 'g', { class: 'tempo-points' });
    for (const b of bars)
      add(points, 'circle', { class: 'tempo-point', r: 4, cx: mid(b), cy: y(b.t.bpm) },
          'bar ' + b.t.bar + ': ' + b.t.bpm.toFixed(1) + ' bpm');
  }


  // The bar-by-bar table, muted bars shaded, each mean offset coloured by its error.
  function fillBars() {
    const body = document.getElementById('bar-rows');
    const or = (value, text) => (value === null || value === undefined ? '–' : text(value));
    const tempo = new Map(data.tempo.map((t) => [t.bar, t.bpm]));
    for (const b of data.bars) {
      const row = body.insertRow();
      if (b.muted) row.className = 'muted';
      const cells = [b.bar, b.muted ? 'muted' : 'on', b.hits, b.missed, b.extra,
                     or(b.mean_offset_ms, offsetWords), or(b.sd_ms, (v) => '±' + v.toFixed(1) + ' ms'),
                     or(b.within_10ms, (v) => Math.round(v * 100) + ' %'),
                     or(tempo.get(b.bar), (v) => v.toFixed(1) + ' bpm')];
      cells.forEach((value, n) => {
        const cell = row.insertCell();
        cell.textContent = value;
        if (n === 5 && b.mean_offset_ms !== null) cell.className = errorClass(b.mean_offset_ms);
      });
    }
  }

  const span = timeSpan();
  drawTimeline(span);
  drawPlot(span);
  drawTempo(span);
  fillBars();
  document.body.setAttribute('data-ready', '');  // for tests and screenshots
})();
