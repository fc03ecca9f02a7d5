// The live page: renders the state (the registry, each TCP socket's path
// through RFC 9293's state machine, the sequence of the session, the last
// command) and, live, follows /events: a snapshot first, then deltas by
// revision; a gap or a lost stream reconnects and takes a snapshot again.
// Text from the session is only ever set as text, never as markup.
(function () {
  'use strict';
  var MAX_ROWS = 500;
  var SVGNS = 'http://www.w3.org/2000/svg';
  var body = document.body;
  var params = new URLSearchParams(location.search);
  if (params.has('big')) body.classList.add('big');
  var live = body.dataset.mode === 'live';
  var state = JSON.parse(document.getElementById('state').textContent);
  var connects = 0;
  var packetMode = false;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function svg(tag, attrs) {
    var e = document.createElementNS(SVGNS, tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    return e;
  }
  function addr(v) {
    if (Array.isArray(v) && v.length >= 2) {
      var h = String(v[0]);
      return (h.indexOf(':') >= 0 ? '[' + h + ']' : h) + ':' + v[1];
    }
    return v === undefined || v === null ? '' : String(v);
  }
  function plural(n, unit) { return n + ' ' + unit + (n === 1 ? '' : 's'); }
  function f(e, k) { return e.fields ? e.fields[k] : undefined; }

  // ---- header -------------------------------------------------------
  function setStatus(text, cls) {
    var s = document.getElementById('status');
    s.textContent = text;
    s.className = 'status ' + (cls || '');
  }
  function renderHeader() {
    document.getElementById('address').textContent = state.address || '';
    document.getElementById('network').hidden = !state.network;
    var m = document.getElementById('missed');
    m.hidden = !state.missed;
    m.textContent = state.missed ? plural(state.missed, 'event') + ' missed (the page fell behind)' : '';
    body.dataset.rev = state.rev;
    body.dataset.connects = connects;
  }

  // ---- last command ---------------------------------------------------
  function renderLast() {
    var c = state.last_command;
    var line = document.getElementById('last-line');
    var py = document.getElementById('last-python');
    var res = document.getElementById('last-result');
    if (!c) { line.textContent = '(none yet)'; py.textContent = ''; res.textContent = ''; return; }
    line.textContent = '>>> ' + (f(c, 'line') || '');
    var p = f(c, 'python') || [];
    py.textContent = p.join('\n');
    var err = f(c, 'error');
    if (err) {
      res.className = 'error';
      res.textContent = 'raised ' + err + (f(c, 'errno') !== undefined ? ' [Errno ' + f(c, 'errno') + ']' : '');
    } else {
      res.className = '';
      var made = f(c, 'made');
      res.textContent = made ? 'made ' + made : 'returned ' + (f(c, 'result') || '');
    }
    var d = f(c, 'duration');
    if (typeof d === 'number') res.textContent += ' in ' + (d * 1000).toFixed(3) + ' ms';
  }

  // ---- registry -------------------------------------------------------
  function renderRegistry() {
    var tb = document.querySelector('#registry-table tbody');
    tb.textContent = '';
    var rows = state.sockets.concat(state.servers);
    document.getElementById('registry-empty').hidden = rows.length > 0;
    rows.forEach(function (r) {
      var tr = el('tr', r.kind === 'socket' && !r.open ? 'closed' : r.kind);
      tr.dataset.name = r.name;
      tr.dataset.state = r.state || '';
      var st = r.state || '';
      if (r.notes) st += ' (' + r.notes + ')';
      [r.name, r.family, r.type, st, r.local, r.remote || r.detail].forEach(function (v, i) {
        var td = el('td', i === 3 ? 'state' : '', v);
        tr.appendChild(td);
      });
      [r.bytes_out, r.bytes_in, r.waiting].forEach(function (v) { tr.appendChild(el('td', 'num', v)); });
      tb.appendChild(tr);
    });
  }

  // ---- TCP state machines -------------------------------------------
  var W = 200, H = 52;
  var POS = {
    CLOSED: [450, 40], LISTEN: [450, 150], SYN_RECEIVED: [160, 270], SYN_SENT: [740, 270],
    ESTABLISHED: [450, 390], FIN_WAIT_1: [160, 520], CLOSING: [450, 520], CLOSE_WAIT: [740, 520],
    FIN_WAIT_2: [160, 650], TIME_WAIT: [450, 650], LAST_ACK: [740, 650]
  };
  // Arrows that go round the others, by their corners.
  var ROUTES = {
    'TIME_WAIT>CLOSED': [[450, 676], [450, 742], [24, 742], [24, 40], [350, 40]],
    'LAST_ACK>CLOSED': [[840, 650], [882, 650], [882, 30], [550, 30]]
  };
  function label(st) { return st.replace(/_/g, '-'); }
  function clip(c, d) {
    var hw = W / 2 + 5, hh = H / 2 + 5;
    var tx = d[0] ? hw / Math.abs(d[0]) : Infinity, ty = d[1] ? hh / Math.abs(d[1]) : Infinity;
    var t = Math.min(tx, ty);
    return [c[0] + d[0] * t, c[1] + d[1] * t];
  }
  function straight(from, to, offset) {
    var a = POS[from], b = POS[to];
    var dx = b[0] - a[0], dy = b[1] - a[1], len = Math.hypot(dx, dy);
    var ux = dx / len, uy = dy / len, ox = -uy * offset, oy = ux * offset;
    var p = clip([a[0] + ox, a[1] + oy], [ux, uy]), q = clip([b[0] + ox, b[1] + oy], [-ux, -uy]);
    return [p, q];
  }
  function edgePoints(t, edges) {
    var key = t.From + '>' + t.To;
    if (ROUTES[key]) return ROUTES[key];
    var back = edges.some(function (o) { return o.From === t.To && o.To === t.From; });
    return straight(t.From, t.To, back ? 9 : 0);
  }
  // curve is a jump's path: a quadratic curve bowing to one side, far
  // enough to pass between the boxes of the states it skips.
  function curve(from, to) {
    var a = POS[from], b = POS[to];
    var dx = b[0] - a[0], dy = b[1] - a[1], len = Math.hypot(dx, dy);
    var ux = dx / len, uy = dy / len, bow = Math.min(Math.max(len * 0.9, 80), 260);
    var c = [(a[0] + b[0]) / 2 - uy * bow, (a[1] + b[1]) / 2 + ux * bow];
    var p = clip(a, unit(c[0] - a[0], c[1] - a[1])), q = clip(b, unit(c[0] - b[0], c[1] - b[1]));
    return 'M' + p[0].toFixed(1) + ' ' + p[1].toFixed(1) + ' Q' + c[0].toFixed(1) + ' ' + c[1].toFixed(1) + ' ' + q[0].toFixed(1) + ' ' + q[1].toFixed(1);
  }
  function unit(x, y) { var l = Math.hypot(x, y); return [x / l, y / l]; }
  function pathD(pts) { return pts.map(function (p, i) { return (i ? 'L' : 'M') + p[0].toFixed(1) + ' ' + p[1].toFixed(1); }).join(' '); }

  function machine(s) {
    var path = s.path || [];
    var edges = state.transitions;
    var open = s.open;
    // Lit: the current state of an open socket, or one told after close
    // (the watcher, from the kernel's socket table).
    var lit = '', last = path.length ? path[path.length - 1].state : '';
    if (open || path.length > (s.closed_at || 0) || last === 'CLOSED') lit = last;
    var box = el('div', 'machine');
    box.id = 'tcp-' + s.name;
    box.dataset.name = s.name;
    box.dataset.state = lit;
    box.dataset.path = path.map(function (p) { return p.state; }).join(' ');
    box.appendChild(el('h3', '', s.name + (s.local ? '  ' + s.local : '') + (s.remote ? ' → ' + s.remote : '')));
    var g = svg('svg', { viewBox: '0 0 910 770', role: 'img', 'aria-label': 'TCP state diagram of ' + s.name });
    var defs = svg('defs', {});
    [['arrow', 10], ['arrow-taken', 14]].forEach(function (m) {
      var mk = svg('marker', { id: m[0] + '-' + s.name, markerWidth: m[1], markerHeight: m[1], refX: m[1] - 1, refY: m[1] / 2, orient: 'auto', markerUnits: 'userSpaceOnUse' });
      mk.appendChild(svg('path', { d: 'M0 0 L' + m[1] + ' ' + m[1] / 2 + ' L0 ' + m[1] + ' z', 'class': m[0] }));
      defs.appendChild(mk);
    });
    g.appendChild(defs);
    var taken = {};
    for (var i = 1; i < path.length; i++) taken[path[i - 1].state + '>' + path[i].state] = true;
    var labels = [];
    edges.forEach(function (t) {
      var key = t.From + '>' + t.To, on = !!taken[key];
      var pts = edgePoints(t, edges);
      var e = svg('path', { d: pathD(pts), 'class': 'edge' + (on ? ' taken' : ''), 'marker-end': 'url(#' + (on ? 'arrow-taken-' : 'arrow-') + s.name + ')' });
      e.dataset.from = t.From; e.dataset.to = t.To;
      g.appendChild(e);
      if (on) {
        var a = pts[0], b = pts[1];
        var mx = (a[0] + b[0]) / 2, my = (a[1] + b[1]) / 2;
        var n = unit(-(b[1] - a[1]), b[0] - a[0]);
        if ((mx - 450) * n[0] + (my - 390) * n[1] < 0) n = [-n[0], -n[1]]; // away from the centre
        var anchor = Math.abs(n[0]) < 0.3 ? 'middle' : n[0] > 0 ? 'start' : 'end';
        var lt = svg('text', { x: (mx + n[0] * 14).toFixed(1), y: (my + n[1] * 14 + 5).toFixed(1), 'class': 'edge-label taken', 'text-anchor': anchor });
        lt.textContent = t.Label;
        labels.push(lt);
      }
    });
    // A change the page saw without the states between (no arrow joins
    // them): a dashed curve round the boxes, for nothing was seen in
    // between.
    for (var j = 1; j < path.length; j++) {
      var from = path[j - 1].state, to = path[j].state;
      if (from === to || edges.some(function (t) { return t.From === from && t.To === to; })) continue;
      var jp = svg('path', { d: curve(from, to), 'class': 'jump', 'marker-end': 'url(#arrow-taken-' + s.name + ')' });
      jp.dataset.from = from; jp.dataset.to = to;
      g.appendChild(jp);
    }
    var visited = {};
    path.forEach(function (p) { visited[p.state] = true; });
    state.states.forEach(function (st) {
      var c = POS[st];
      var n = svg('g', { 'class': 'state' + (visited[st] ? ' visited' : '') + (st === lit ? ' lit' : '') });
      n.dataset.state = st;
      n.appendChild(svg('rect', { x: c[0] - W / 2, y: c[1] - H / 2, width: W, height: H, rx: 10 }));
      var t = svg('text', { x: c[0], y: c[1] });
      t.textContent = label(st);
      n.appendChild(t);
      g.appendChild(n);
    });
    labels.forEach(function (l) { g.appendChild(l); });
    box.appendChild(g);
    var cap = 'path: ' + path.map(function (p) { return label(p.state); }).join(' → ');
    if (path.length) cap += '  (last by ' + path[path.length - 1].by + ')';
    if (g.querySelector('.jump')) cap += '. Dashed: the states between were not seen';
    if (!open && !lit) {
      cap += '. close() was called in ' + label(last) + '; the kernel\'s states of the connection since were not seen';
    } else if (!open) {
      cap += '. The descriptor is closed';
    }
    cap += '.';
    box.appendChild(el('div', 'caption', cap));
    return box;
  }
  function renderMachines() {
    var tcp = document.getElementById('tcp');
    tcp.textContent = '';
    var any = false;
    state.sockets.forEach(function (s) {
      if (!s.tcp || !s.path || !s.path.length) return;
      any = true;
      tcp.appendChild(machine(s));
    });
    document.getElementById('tcp-empty').hidden = any;
  }

  // ---- the sequence ---------------------------------------------------
  function sockOf(name) {
    for (var i = 0; i < state.sockets.length; i++) if (state.sockets[i].name === name) return state.sockets[i];
    return null;
  }
  function row(e, cls, gutter, text) {
    var r = el('div', 'seq-row ' + cls);
    r.dataset.seq = e.seq;
    r.dataset.kind = e.kind;
    if (e.resource) r.dataset.resource = e.resource;
    r.appendChild(el('div', 'gutter', gutter));
    var lanes = el('div', 'lanes');
    if (cls.indexOf('arrow') === 0) {
      lanes.appendChild(el('div', 'label', text));
      lanes.appendChild(el('div', 'shaft'));
    } else {
      lanes.appendChild(el('span', '', text));
    }
    r.appendChild(lanes);
    if (e.message) r.title = e.message;
    return r;
  }
  var SOCKET_ARROWS = {
    connected: 'out', connect_failed: 'out', sent: 'out', shutdown: 'out', closed: 'out',
    received: 'in', peer_closed: 'in', peer_reset: 'in', accepted: 'in'
  };
  // sendsSomething says whether a socket's event is something between the
  // two ends (an arrow) rather than a local call: on a socket that is no
  // TCP one (UDP, Unix) only the data are drawn; on TCP a connect (SYN), a shutdown of the writing half and the
  // close after no such shutdown (FIN), the data, and what the peer did.
  // A connect that failed before any SYN (no route) is local.
  var finSent = {};
  function seen(e) {
    if (e.kind === 'shutdown' && f(e, 'how') !== 'SHUT_RD') finSent[e.resource] = true;
  }
  function sendsSomething(e) {
    var s = sockOf(e.resource);
    var tcp = s ? s.tcp : true;
    switch (e.kind) {
      case 'sent': return true;
      case 'received': return f(e, 'bytes') !== 0; // 0: the end of the stream, which peer_closed draws
      case 'connected': return tcp;
      case 'connect_failed': {
        var errno = f(e, 'errno');
        return tcp && (errno === undefined || errno === 111 || errno === 110); // refused, timed out: a SYN went
      }
      case 'shutdown': return tcp && f(e, 'how') !== 'SHUT_RD';
      case 'closed': return tcp && !!(s && s.remote) && !finSent[e.resource];
      default: return tcp;
    }
  }
  function seqRow(e) {
    var who = e.resource ? e.resource + ' ' : '';
    switch (e.kind) {
      case 'command': {
        var err = f(e, 'error');
        var r = row(e, 'cmd' + (err ? ' error' : ''), f(e, 'line') || e.message, err ? err : '→ ' + (f(e, 'made') || f(e, 'result') || ''));
        return r;
      }
      case 'packet': {
        var flags = f(e, 'flags') || '';
        var t = who + '[' + flags + ']';
        if (f(e, 'seq') !== undefined) t += ' seq ' + f(e, 'seq');
        if (f(e, 'ack') !== undefined) t += ' ack ' + f(e, 'ack');
        t += ' len ' + (f(e, 'len') || 0);
        return row(e, 'arrow ' + (f(e, 'dir') === 'in' ? 'in' : 'out'), '', t);
      }
      case 'notice':
      case 'state':
        return row(e, 'note', '', (e.label || e.resource || '') + ': ' + (e.message || f(e, 'state') || ''));
    }
    var dir = SOCKET_ARROWS[e.kind];
    if (dir && !packetMode && sendsSomething(e)) {
      var text = who;
      switch (e.kind) {
        case 'connected': text += 'connect() to ' + addr(f(e, 'peer')); break;
        case 'connect_failed': text += 'connect() to ' + addr(f(e, 'peer')) + ' failed: ' + (f(e, 'error') || ''); break;
        case 'sent': text += (f(e, 'call') || 'send') + ': ' + plural(f(e, 'bytes') || 0, 'byte'); break;
        case 'received': text += (f(e, 'call') || 'recv') + ': ' + plural(f(e, 'bytes') || 0, 'byte'); break;
        case 'shutdown': text += 'shutdown(' + (f(e, 'how') || '') + ')'; break;
        case 'peer_closed': text += 'the peer closed its side (recv returns b\'\')'; break;
        case 'peer_reset': text += 'reset by the peer'; break;
        case 'accepted': text += 'accept() → ' + (f(e, 'socket') || '') + ' from ' + addr(f(e, 'peer')); break;
        case 'closed': text += 'close()'; break;
      }
      return row(e, 'arrow ' + dir, '', text);
    }
    if (e.kind === 'events_dropped') return row(e, 'note', '', e.message || 'events dropped');
    var label = e.label || e.resource;
    return row(e, 'note local', '', (label ? label + ': ' : '') + (e.message || e.kind));
  }
  function trimSeq() {
    var seq = document.getElementById('seq');
    var cut = 0;
    while (seq.childElementCount > MAX_ROWS) { seq.removeChild(seq.firstElementChild); cut++; }
    return cut;
  }
  var trimmed = 0;
  function renderEarlier() {
    var n = (state.earlier || 0) + trimmed;
    var p = document.getElementById('seq-earlier');
    p.hidden = n === 0;
    p.textContent = n ? '… ' + plural(n, 'earlier event') + ' not shown' : '';
  }
  // A command's event comes when it ends, after what it made happen: its
  // row goes before the rows of the events since its start.
  var lastCmdRow = null;
  function appendSeq(evs) {
    var seq = document.getElementById('seq');
    evs.forEach(function (e) {
      var r = seqRow(e);
      seen(e);
      if (!r) return;
      r.dataset.t = e.t;
      if (e.kind !== 'command') { seq.appendChild(r); return; }
      var start = e.t - (f(e, 'duration') || 0);
      if (lastCmdRow && lastCmdRow.parentNode !== seq) lastCmdRow = null;
      var node = lastCmdRow ? lastCmdRow.nextElementSibling : seq.firstElementChild;
      while (node && parseFloat(node.dataset.t) < start) node = node.nextElementSibling;
      seq.insertBefore(r, node);
      lastCmdRow = r;
    });
    trimmed += trimSeq();
    renderEarlier();
  }
  function renderSequence() {
    packetMode = state.events.some(function (e) { return e.kind === 'packet'; });
    document.getElementById('seq').textContent = '';
    trimmed = 0;
    lastCmdRow = null;
    finSent = {};
    appendSeq(state.events);
  }

  function renderAll() {
    renderHeader(); renderLast(); renderRegistry(); renderMachines(); renderSequence();
  }
  function applyDelta(d) {
    state.rev = d.rev;
    state.events = state.events.concat(d.events);
    if (state.events.length > MAX_ROWS) state.events = state.events.slice(state.events.length - MAX_ROWS);
    state.earlier = d.earlier;
    state.missed = d.missed;
    state.sockets = d.sockets;
    state.servers = d.servers;
    state.last_command = d.last_command;
    renderHeader(); renderLast(); renderRegistry(); renderMachines();
    if (!packetMode && d.events.some(function (e) { return e.kind === 'packet'; })) renderSequence();
    else appendSeq(d.events);
  }

  // ---- following the session -----------------------------------------
  var source = null;
  function connect() {
    var token = params.get('token');
    source = new EventSource('/events' + (token ? '?token=' + encodeURIComponent(token) : ''));
    source.addEventListener('snapshot', function (m) {
      state = JSON.parse(m.data);
      connects++;
      setStatus('live', 'live');
      renderAll();
    });
    source.addEventListener('delta', function (m) {
      var d = JSON.parse(m.data);
      if (d.rev !== state.rev + 1) { restart(); return; } // a gap: take the whole state again
      applyDelta(d);
    });
    source.onerror = function () {
      setStatus('reconnecting…', 'lost');
      if (source.readyState === EventSource.CLOSED) restart();
    };
  }
  function restart() {
    if (source) source.close();
    setStatus('reconnecting…', 'lost');
    setTimeout(connect, 1000);
  }

  renderAll();
  if (live) connect();
  else setStatus('snapshot' + (state.started ? ' of the session started ' + state.started : ''), '');
})();
