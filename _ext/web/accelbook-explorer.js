/* accelbook-explorer.js: the in-page front end of accelbook's explorers (accelbook/webexplorer.py).
 *
 * Every <div class="accelbook-explorer"> holds a JSON payload written at build time: the parameters, the
 * panels to draw (which data keys, log axes, the book's colours and markers), and either the explorer's
 * data on its whole parameter grid (gzip + base64, float32) or the name of a mirror in
 * accelbook-mirrors.js that recomputes a frame in the browser.  Sliders move over the grid (or the
 * parameter range); each input event looks up or computes the frame and redraws plain SVG at once.
 * Nothing is fetched: the data are in the page.
 *
 * The explorer draws into a shadow root of the container (open: tests and assistive technology see it).
 * For tests the container carries data-ready="1" once drawn, data-values (the current parameter values,
 * JSON), data-index (grid indices) and data-frames (how many frames have been drawn).
 */
(function () {
  'use strict';
  var M = window.accelbookMirrors;
  // the explorer's own stylesheet, next to this script (the explorer draws inside a shadow root: the page's
  // styles and observers do not reach into it, and its redraws do not disturb the page's layout)
  var CSS = new URL('accelbook-explorer.css', document.currentScript.src).href;
  var W = 460, H = 290, ML = 64, MR = 14, MT = 12, MB = 42;
  var SUP = {'-': '⁻', '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹'};

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) { e.textContent = text; }
    return e;
  }

  function esc(s) {
    return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  }

  // ------------------------------------------------------------------ the stored grid
  function bytes(b64) {
    var bin = atob(b64), out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) { out[i] = bin.charCodeAt(i); }
    return out;
  }

  function gunzip(u8) {
    var stream = new Blob([u8]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Response(stream).arrayBuffer();
  }

  function Store(payload, buffer) { this.p = payload; this.buf = buffer; }

  Store.prototype.read = function (f, idx) {
    var j = 0, shape = this.p.shape;
    f.dims.forEach(function (a) { j = j * shape[a] + idx[a]; });
    if (f.kind === 'category') { return f.table[new Int32Array(this.buf, f.codes + 4 * j, 1)[0]]; }
    var m = new Int32Array(this.buf, f.meta + 16 * j, 4);
    if (m[1] === 0) { return null; }
    return {rows: m[1], cols: f.cols, n: m[2], stride: m[3], v: new Float32Array(this.buf, f.data + 4 * m[0], m[1] * f.cols)};
  };

  Store.prototype.frame = function (idx) {
    var frame = {}, self = this, p = this.p;
    Object.keys(p.fields).forEach(function (k) { frame[k] = self.read(p.fields[k], idx); });
    frame.summary = p.labels_order.map(function (label) { return [label, self.read(p.summary[label], idx)]; });
    return p.derive ? M[p.derive](frame) : frame;
  };

  // ------------------------------------------------------------------ axes
  function niceStep(span) {
    var raw = span / 5, mag = Math.pow(10, Math.floor(Math.log10(raw))), r = raw / mag;
    return (r < 1.5 ? 1 : r < 3 ? 2 : r < 7 ? 5 : 10) * mag;
  }

  function axis(lo, hi, log) {
    if (log) {
      var a = Math.floor(Math.log10(lo)), b = Math.ceil(Math.log10(hi));
      if (b <= a) { b = a + 1; }
      var every = Math.max(1, Math.ceil((b - a) / 6)), ticks = [];
      for (var k = a; k <= b; k += every) { ticks.push(k); }
      return {lo: a, hi: b, log: true, ticks: ticks,
              label: function (k) { return '10' + String(k).split('').map(function (c) { return SUP[c]; }).join(''); }};
    }
    if (!(hi > lo)) { lo -= 1; hi += 1; }
    var step = niceStep(hi - lo), t0 = Math.floor(lo / step) * step, t1 = Math.ceil(hi / step) * step, out = [];
    for (var t = t0; t <= t1 + step / 2; t += step) { out.push(Math.round(t / step) * step); }
    return {lo: t0, hi: t1, log: false, ticks: out, label: function (v) { return M.fmtG(v, 6); }};
  }

  function scaler(ax, a, b) {
    return function (v) {
      var u = ax.log ? Math.log10(v) : v;
      return a + (u - ax.lo) / (ax.hi - ax.lo) * (b - a);
    };
  }

  // ------------------------------------------------------------------ curves of a panel
  function curves(panel, frame, p) {
    var out = [], generic = 0;
    panel.series.forEach(function (s) {
      var y = frame[s.key];
      if (!y || !y.rows) { return; }
      var xs = s.x ? frame[s.x] : null;
      var cols = s.columns ? y.cols : 1;
      for (var c = 0; c < cols; c++) {
        var color = s.color || (s.method ? p.colors[s.method] : (s.style === 'dashed' ? p.colors.bound : p.cycle[generic++ % p.cycle.length]));
        var label = s.label || (s.method ? p.labels[s.method] : s.key);
        if (s.columns && s.label_key && frame[s.label_key]) { label = label.replace('{}', M.fmtG(frame[s.label_key].v[c], 3)); }
        var first = s.last ? Math.max(0, y.rows - s.last) : 0, X = [], Y = [];
        for (var i = first; i < y.rows; i++) {
          X.push(xs ? xs.v[i] : Math.min(i * y.stride, y.n - 1));
          Y.push(y.v[i * y.cols + (s.columns ? c : 0)] * s.scale);
        }
        out.push({x: X, y: Y, color: color, label: label, style: s.style,
                  marker: s.style === 'points' ? 'o' : (s.method ? p.markers[s.method] : null)});
      }
    });
    return out;
  }

  function marker(kind, x, y, color) {
    var r = 3.2;
    if (kind === 's') { return '<rect x="' + (x - r).toFixed(1) + '" y="' + (y - r).toFixed(1) + '" width="' + 2 * r + '" height="' + 2 * r + '" fill="' + color + '"/>'; }
    if (kind === '^') { return '<path d="M' + x.toFixed(1) + ' ' + (y - r - 0.6).toFixed(1) + 'l' + r + ' ' + 1.8 * r + 'h' + (-2 * r) + 'z" fill="' + color + '"/>'; }
    return '<circle cx="' + x.toFixed(1) + '" cy="' + y.toFixed(1) + '" r="' + r + '" fill="' + color + '"/>';
  }

  function drawPanel(panel, frame, p, message, clip) {
    var cs = message ? [] : curves(panel, frame, p);
    var xlo = Infinity, xhi = -Infinity, ylo = Infinity, yhi = -Infinity;
    cs.forEach(function (c) {
      for (var i = 0; i < c.y.length; i++) {
        var v = c.y[i];
        if (panel.logy && panel.ymin !== null && v < panel.ymin) { v = c.y[i] = panel.ymin; }
        if (!Number.isFinite(v) || (panel.logy && v <= 0) || (panel.logx && c.x[i] <= 0)) { c.y[i] = NaN; continue; }
        xlo = Math.min(xlo, c.x[i]); xhi = Math.max(xhi, c.x[i]); ylo = Math.min(ylo, v); yhi = Math.max(yhi, v);
      }
    });
    if (panel.ymin !== null && !panel.logy) { ylo = Math.min(ylo, panel.ymin); }
    if (panel.ymax !== null) { yhi = panel.ymax; }
    if (!Number.isFinite(xlo)) { xlo = 0; xhi = 1; ylo = panel.logy ? 0.1 : 0; yhi = 1; }
    if (!panel.logy) { var pad = 0.05 * (yhi - ylo || 1); ylo = ylo >= 0 ? Math.max(0, ylo - pad) : ylo - pad; yhi += pad; }
    var ax = axis(xlo, xhi, panel.logx), ay = axis(ylo, yhi, panel.logy);
    var sx = scaler(ax, ML, W - MR), sy = scaler(ay, H - MB, MT);
    var s = ['<rect class="abx-plot" x="' + ML + '" y="' + MT + '" width="' + (W - ML - MR) + '" height="' + (H - MT - MB) + '"/>'];
    ax.ticks.forEach(function (t) {
      var x = sx(ax.log ? Math.pow(10, t) : t).toFixed(1);
      s.push('<line class="abx-grid" x1="' + x + '" x2="' + x + '" y1="' + MT + '" y2="' + (H - MB) + '"/>');
      s.push('<text class="abx-tick" x="' + x + '" y="' + (H - MB + 15) + '" text-anchor="middle">' + esc(ax.label(t)) + '</text>');
    });
    ay.ticks.forEach(function (t) {
      var y = sy(ay.log ? Math.pow(10, t) : t).toFixed(1);
      s.push('<line class="abx-grid" x1="' + ML + '" x2="' + (W - MR) + '" y1="' + y + '" y2="' + y + '"/>');
      s.push('<text class="abx-tick" x="' + (ML - 6) + '" y="' + y + '" dy="0.35em" text-anchor="end">' + esc(ay.label(t)) + '</text>');
    });
    s.push('<text class="abx-label" x="' + ((ML + W - MR) / 2) + '" y="' + (H - 6) + '" text-anchor="middle">' + esc(panel.xlabel) + '</text>');
    s.push('<text class="abx-label" transform="translate(14 ' + ((MT + H - MB) / 2) + ') rotate(-90)" text-anchor="middle">' + esc(panel.ylabel) + '</text>');
    s.push('<clipPath id="' + clip + '"><rect x="' + ML + '" y="' + (MT - 4) + '" width="' + (W - ML - MR) + '" height="' + (H - MT - MB + 8) + '"/></clipPath>');
    s.push('<g clip-path="url(#' + clip + ')">');
    cs.forEach(function (c) {
      var every = Math.max(1, Math.floor(c.y.length / 8)), d = '', pen = false, marks = '';
      for (var i = 0; i < c.y.length; i++) {
        if (Number.isNaN(c.y[i])) { pen = false; continue; }
        var X = sx(c.x[i]), Y = sy(c.y[i]);
        if (c.style === 'points') { marks += marker(c.marker || 'o', X, Y, c.color); continue; }
        d += (pen ? 'L' : 'M') + X.toFixed(1) + ' ' + Y.toFixed(1);
        pen = true;
        if (c.marker && i % every === 0) { marks += marker(c.marker, X, Y, c.color); }
      }
      var dash = c.style === 'dashed' ? ' stroke-dasharray="6 4"' : (c.style === 'dotted' ? ' stroke-dasharray="1.5 3"' : '');
      if (d) { s.push('<path class="abx-line" d="' + d + '" stroke="' + c.color + '"' + dash + '/>'); }
      s.push(marks);
    });
    s.push('</g>');
    if (message) {
      s.push('<text class="abx-message" x="' + ((ML + W - MR) / 2) + '" y="' + ((MT + H - MB) / 2) + '" text-anchor="middle">' + esc(message) + '</text>');
    }
    var legend = cs.map(function (c) {
      var dash = c.style === 'dashed' ? 'dashed' : (c.style === 'dotted' ? 'dotted' : (c.style === 'points' ? 'points' : 'solid'));
      return '<span class="abx-key"><span class="abx-swatch abx-' + dash + '" style="color:' + c.color + '"></span>' + esc(c.label) + '</span>';
    }).join('');
    return {svg: s.join(''), legend: legend};
  }

  // ------------------------------------------------------------------ one explorer
  function Explorer(host, payload, store) {
    var root = host.attachShadow({mode: 'open'});
    this.host = host; this.p = payload; this.store = store; this.frames = 0;
    root.appendChild(el('link', {rel: 'stylesheet', href: CSS}));
    root.appendChild(el('div', {'class': 'abx-title'}, payload.title));
    var controls = el('div', {'class': 'abx-controls'}), self = this;
    this.inputs = payload.params.map(function (par, k) {
      var id = host.id + '-' + par.name, row = el('div', {'class': 'abx-param'});
      var label = el('label', {'for': id}), name = el('span', {'class': 'abx-name'}, par.label + ' = ');
      var out = el('output', {'for': id, 'class': 'abx-value'});
      var input = el('input', {type: 'range', id: id, name: par.name, 'aria-label': par.label});
      if (payload.mode === 'grid') {
        input.min = 0; input.max = par.values.length - 1; input.step = 1; input.value = par.default;
      } else if (par.scale === 'log') {
        input.min = Math.log10(par.lo); input.max = Math.log10(par.hi); input.step = par.step; input.value = Math.log10(par.default);
      } else {
        input.min = par.lo; input.max = par.hi; input.step = par.step; input.value = par.default;
      }
      label.appendChild(name); label.appendChild(out); row.appendChild(label); row.appendChild(input);
      controls.appendChild(row);
      input.addEventListener('input', function () { self.update(); });
      return {par: par, input: input, out: out, k: k};
    });
    root.appendChild(controls);
    var panels = el('div', {'class': 'abx-panels'});
    this.panels = payload.panels.map(function (panel) {
      var fig = el('figure', {'class': 'abx-panel'});
      var svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
      svg.setAttribute('viewBox', '0 0 ' + W + ' ' + H);
      svg.setAttribute('role', 'img');
      svg.setAttribute('aria-label', panel.ylabel + ' against ' + panel.xlabel);
      var legend = el('figcaption', {'class': 'abx-legend'});
      fig.appendChild(svg); fig.appendChild(legend); panels.appendChild(fig);
      return {spec: panel, svg: svg, legend: legend, clip: host.id + '-clip-' + panels.childNodes.length};
    });
    root.appendChild(panels);
    this.summary = el('dl', {'class': 'abx-summary', 'aria-live': 'polite'});
    root.appendChild(this.summary);
    this.update();
    host.setAttribute('data-ready', '1');
  }

  Explorer.prototype.values = function () {
    var p = this.p, values = {}, index = [];
    this.inputs.forEach(function (c) {
      var v = Number(c.input.value), x;
      if (p.mode === 'grid') { index.push(v); x = c.par.values[v]; }
      else { x = c.par.scale === 'log' ? Math.pow(10, v) : v; if (c.par.integer) { x = Math.round(x); } }
      values[c.par.name] = x;
      c.out.textContent = c.par.integer ? String(x) : M.fmtG(x, 4);
    });
    return {values: values, index: index};
  };

  Explorer.prototype.update = function () {
    var state = this.values(), p = this.p;
    var frame = p.mode === 'grid' ? this.store.frame(state.index) : M[p.mirror](state.values);
    var message = p.message && frame[p.message] ? frame[p.message] : '';
    this.panels.forEach(function (panel) {
      var drawn = drawPanel(panel.spec, frame, p, message, panel.clip);
      panel.svg.innerHTML = drawn.svg;
      panel.legend.innerHTML = drawn.legend;
    });
    this.summary.innerHTML = frame.summary.map(function (row) {
      return '<div class="abx-row"><dt>' + esc(row[0]) + '</dt><dd>' + esc(row[1]) + '</dd></div>';
    }).join('');
    this.frames += 1;
    this.host.setAttribute('data-values', JSON.stringify(state.values));
    this.host.setAttribute('data-index', JSON.stringify(state.index));
    this.host.setAttribute('data-frames', String(this.frames));
  };

  function start(root) {
    var script = root.querySelector('script.abx-data');
    if (!script || typeof DecompressionStream === 'undefined') { return Promise.resolve(); }
    var payload = JSON.parse(script.textContent);
    if (payload.mode !== 'grid') { new Explorer(root, payload, null); return Promise.resolve(); }
    return gunzip(bytes(payload.blob)).then(function (buffer) {
      payload.blob = null;
      new Explorer(root, payload, new Store(payload, buffer));
    });
  }

  function startAll() {
    var roots = Array.prototype.slice.call(document.querySelectorAll('div.accelbook-explorer'));
    window.accelbookExplorers = Promise.all(roots.map(start));
  }

  // after the page's first frame: decoding a large grid must not hold back the text and the formulas
  function later() { requestAnimationFrame(function () { setTimeout(startAll, 0); }); }
  if (document.readyState === 'loading') { document.addEventListener('DOMContentLoaded', later); }
  else { later(); }
}());
