(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('cacophony-data').textContent);
  var haveVis = typeof vis !== 'undefined' && typeof vis.Timeline === 'function';
  var built = {};
  // 1 µs of a run is 1 ms after the epoch on the chart; labels show run time.
  function runTime(us) {
    var ms = us / 1000;
    if (Math.abs(ms) >= 1000) return +(ms / 1000).toFixed(3) + ' s';
    if (Math.abs(ms) >= 1 || ms === 0) return +ms.toFixed(3) + ' ms';
    return +us.toFixed(0) + ' µs';
  }
  function windowStart() { return new Date(data.window.start); }
  function windowEnd() { return new Date(data.window.end); }

  function build(details) {
    var id = details.id;
    if (built[id]) return built[id];
    var chart = data.charts[Number(details.getAttribute('data-index'))];
    var box = details.querySelector('.timeline');
    if (!haveVis) {
      box.className = 'missing';
      box.textContent = 'The chart library is missing from this page: it was built without ' +
          'node_modules. Run scripts/setup, rebuild, and write the report again.';
      built[id] = null;
      return null;
    }
    var groups = new vis.DataSet([
      { id: 'ghost', content: 'ideal', order: 1 },
      { id: 'volume', content: 'volume', order: 2 },
      { id: 'beat', content: 'beats', order: 3 }
    ]);
    var items = new vis.DataSet(chart.items.map(function (it, n) {
      var item = { id: n, group: it.kind, start: new Date(it.start), content: it.content,
                   title: it.title, className: it.kind + (it.late ? ' late' : '') };
      if (it.kind === 'volume') { item.type = 'background'; item.end = new Date(it.end); }
      else item.type = 'box';
      return item;
    }));
    var timeline;
    // The shared window is set once the first draw is done: given as the start and end options,
    // vis-timeline would wait for a range change that never comes and keep its loading cover.
    function ready() {
      details.removeAttribute('data-ready');
      timeline.on('changed', function done() {
        timeline.off('changed', done);
        details.setAttribute('data-ready', '');
      });
      timeline.setWindow(windowStart(), windowEnd(), { animation: false });
    }
    timeline = new vis.Timeline(box, items, groups, {
      onInitialDrawComplete: ready,
      stack: false, selectable: false, showCurrentTime: false, groupOrder: 'order',
      orientation: { axis: 'bottom' }, zoomKey: 'ctrlKey', zoomMin: 5,
      showMajorLabels: false,
      format: { minorLabels: function (date) { return runTime(date.valueOf()); } },
      tooltip: { followMouse: true, overflowMethod: 'cap', delay: 50 },
      margin: { item: { horizontal: 0, vertical: 6 }, axis: 4 }
    });
    if (chart.async && chart.end !== null) {
      timeline.addCustomTime(new Date(chart.end), 'end');
      timeline.setCustomTimeTitle('the metronome returned at ' + runTime(chart.end), 'end');
    }
    if (chart.stop) {
      timeline.addCustomTime(new Date(chart.stop.at), 'stop');
      timeline.setCustomTimeTitle('stopped at ' + runTime(chart.stop.at) + ': ' + chart.stop.error,
                                  'stop');
    }
    details.querySelector('button.reset').addEventListener('click', function () {
      timeline.setWindow(windowStart(), windowEnd(), { animation: false });
    });
    details.querySelector('button.redraw').addEventListener('click', function () {
      timeline.redraw();
    });
    details.querySelector('button.zoom-in').addEventListener('click', function () {
      timeline.zoomIn(0.5, { animation: false });
    });
    details.querySelector('button.zoom-out').addEventListener('click', function () {
      timeline.zoomOut(0.5, { animation: false });
    });
    built[id] = timeline;
    return timeline;
  }

  var sections = Array.prototype.slice.call(document.querySelectorAll('details.chart'));
  sections.forEach(function (details) {
    details.addEventListener('toggle', function () {
      if (!details.open) return;
      var timeline = build(details);
      if (timeline) timeline.redraw();
    });
  });
  document.getElementById('expand-all').addEventListener('click', function () {
    sections.forEach(function (d) { d.open = true; build(d); });
  });
  document.getElementById('collapse-all').addEventListener('click', function () {
    sections.forEach(function (d) { d.open = false; });
  });

  function followHash() {
    var id = decodeURIComponent(location.hash.replace(/^#/, ''));
    var target = id && document.getElementById(id);
    if (!target || !target.matches('details.chart')) return;
    target.open = true;
    build(target);
    target.scrollIntoView({ block: 'start' });
  }
  window.addEventListener('hashchange', followHash);
  followHash();
})();
