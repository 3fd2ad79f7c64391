// The Deskkit demo console: plain JavaScript over the helpdesk's HTTP API
// (/api) and the demo's own routes (/demo). No build step, no framework;
// every text from the server goes in with textContent.

const TEXT = {
  ko: {
    'nav.tickets': '티켓', 'nav.triggers': '트리거', 'nav.sent': '보낸 메시지',
    'agent.as': '상담원', 'inbox.title': '알림', 'inbox.empty': '새 알림이 없습니다.',
    'stream.title': '실시간 알림 연결 상태', 'stream.live': '연결됨', 'stream.down': '끊김',
    'tickets.title': '티켓 목록', 'tickets.empty': '티켓이 없습니다.', 'filter.all': '모든 상태',
    'col.title': '제목', 'col.requester': '고객', 'col.status': '상태', 'col.assignee': '담당자', 'col.updated': '변경',
    'mail.open': '고객 메일 보내기', 'mail.hint': '고객이 support@acme.example 로 메일을 보냅니다. IMAP 폴러가 가져와 티켓으로 만듭니다.',
    'mail.name': '이름', 'mail.from': '보내는 주소', 'mail.subject': '제목', 'mail.body': '내용', 'mail.send': '보내기',
    'mail.sent': '보냈습니다. 곧 목록에 나타납니다.',
    'ticket.none': '왼쪽에서 티켓을 고르세요.', 'ticket.requester': '고객', 'ticket.channel': '채널',
    'ticket.category': '접수 카테고리', 'ticket.group': '그룹', 'ticket.assignee': '담당자', 'ticket.created': '접수',
    'ticket.priority': '우선순위', 'ticket.tags': '태그', 'ticket.status': '상태 변경', 'ticket.apply': '적용',
    'dooray.transfer': 'Dooray! 업무로 이관', 'dooray.go': '이관', 'dooray.linked': '업무', 'dooray.done': '업무로 이관했습니다.',
    'ticket.unassigned': '미배정', 'ticket.history': '처리 이력', 'ticket.content': '문의 내용',
    'reply.title': '답변', 'reply.template': '템플릿', 'reply.none': '템플릿 없이', 'reply.forCategory': '이 카테고리',
    'reply.all': '전체 템플릿', 'reply.placeholder': '답변을 입력하세요', 'reply.additions': '템플릿 뒤에 덧붙일 내용',
    'reply.internal': '내부 메모', 'reply.send': '답변 보내기', 'reply.preview': '미리보기',
    'reply.forbidden': '금지어가 포함되어 있어 보낼 수 없습니다:', 'reply.sent': '답변을 보냈습니다.',
    'triggers.title': '트리거 (실행 순서)', 'triggers.inactive': '비활성', 'triggers.all': '모두 만족', 'triggers.any': '하나 이상',
    'triggers.actions': '동작',
    'dry.title': '시험 실행 (Dry run)', 'dry.ticket': '티켓', 'dry.event': '이벤트', 'dry.run': '실행',
    'dry.hint': '아무것도 바꾸지 않고, 이 티켓에 이벤트가 일어나면 어떤 트리거가 실행될지 보여 줍니다.',
    'dry.passes': '패스', 'dry.fired': '실행됨', 'dry.notFired': '실행 안 됨', 'dry.skipped': '색인에서 제외',
    'dry.conditions': '조건', 'dry.effects': '할 일',
    'sent.title': '데모가 받은 메시지', 'sent.refresh': '새로고침', 'sent.mail': '메일 (SMTP)', 'sent.sms': 'SMS (NHN Cloud 가짜)',
    'sent.dooray': 'Dooray! (가짜 웹훅)', 'sent.hint': '헬프데스크가 보낸 자동 메일, SMS, Dooray! 알림을 데모의 가짜 서버가 받아 둔 것입니다.',
    'sent.none': '아직 없습니다.',
    'status.new': '신규', 'status.open': '진행 중', 'status.pending': '보류', 'status.solved': '해결', 'status.closed': '종료',
    'priority.low': '낮음', 'priority.normal': '보통', 'priority.high': '높음', 'priority.urgent': '긴급',
    'event.created': '생성', 'event.updated': '변경', 'event.customer_replied': '고객 답변', 'event.agent_replied': '상담원 답변',
    'who.customer': '고객', 'who.system': '시스템', 'who.trigger': '트리거', 'change.comment': '답변이 등록되었습니다',
  },
  en: {
    'nav.tickets': 'Tickets', 'nav.triggers': 'Triggers', 'nav.sent': 'Sent',
    'agent.as': 'Agent', 'inbox.title': 'Notifications', 'inbox.empty': 'No notifications yet.',
    'stream.title': 'Live notification stream', 'stream.live': 'connected', 'stream.down': 'disconnected',
    'tickets.title': 'Tickets', 'tickets.empty': 'No tickets.', 'filter.all': 'Any status',
    'col.title': 'Title', 'col.requester': 'Customer', 'col.status': 'Status', 'col.assignee': 'Assignee', 'col.updated': 'Updated',
    'mail.open': 'Send a customer mail', 'mail.hint': 'A customer mails support@acme.example; the IMAP poller fetches it and makes a ticket.',
    'mail.name': 'Name', 'mail.from': 'From', 'mail.subject': 'Subject', 'mail.body': 'Body', 'mail.send': 'Send',
    'mail.sent': 'Sent. It shows up in the list in a moment.',
    'ticket.none': 'Pick a ticket on the left.', 'ticket.requester': 'Customer', 'ticket.channel': 'Channel',
    'ticket.category': 'Intake category', 'ticket.group': 'Group', 'ticket.assignee': 'Assignee', 'ticket.created': 'Received',
    'ticket.priority': 'Priority', 'ticket.tags': 'Tags', 'ticket.status': 'Change status', 'ticket.apply': 'Apply',
    'dooray.transfer': 'Transfer to a Dooray! task in', 'dooray.go': 'Transfer', 'dooray.linked': 'task', 'dooray.done': 'Transferred to a task.',
    'ticket.unassigned': 'unassigned', 'ticket.history': 'History', 'ticket.content': 'Request',
    'reply.title': 'Reply', 'reply.template': 'Template', 'reply.none': 'No template', 'reply.forCategory': 'For this category',
    'reply.all': 'All templates', 'reply.placeholder': 'Write your reply', 'reply.additions': 'Added after the template',
    'reply.internal': 'Internal note', 'reply.send': 'Send reply', 'reply.preview': 'Preview',
    'reply.forbidden': 'The reply holds forbidden words and cannot be sent:', 'reply.sent': 'Reply sent.',
    'triggers.title': 'Triggers (in run order)', 'triggers.inactive': 'inactive', 'triggers.all': 'All of', 'triggers.any': 'Any of',
    'triggers.actions': 'Actions',
    'dry.title': 'Dry run', 'dry.ticket': 'Ticket', 'dry.event': 'Event', 'dry.run': 'Run',
    'dry.hint': 'Shows which triggers would fire if the event happened to this ticket, changing nothing.',
    'dry.passes': 'passes', 'dry.fired': 'fires', 'dry.notFired': 'does not fire', 'dry.skipped': 'skipped by the index',
    'dry.conditions': 'Conditions', 'dry.effects': 'Would do',
    'sent.title': 'What the demo received', 'sent.refresh': 'Refresh', 'sent.mail': 'Mail (SMTP)', 'sent.sms': 'SMS (fake NHN Cloud)',
    'sent.dooray': 'Dooray! (fake webhook)', 'sent.hint': 'The automatic mails, SMS and Dooray! posts the helpdesk sent, as the demo\'s fake servers received them.',
    'sent.none': 'Nothing yet.',
    'status.new': 'New', 'status.open': 'Open', 'status.pending': 'Pending', 'status.solved': 'Solved', 'status.closed': 'Closed',
    'priority.low': 'Low', 'priority.normal': 'Normal', 'priority.high': 'High', 'priority.urgent': 'Urgent',
    'event.created': 'created', 'event.updated': 'updated', 'event.customer_replied': 'customer replied', 'event.agent_replied': 'agent replied',
    'who.customer': 'Customer', 'who.system': 'System', 'who.trigger': 'Trigger', 'change.comment': 'a comment was added',
  },
};

const STATUSES = ['new', 'open', 'pending', 'solved', 'closed'];
const EVENTS = ['created', 'updated', 'customer_replied', 'agent_replied'];
const POLL_MS = 3000;

const state = {
  lang: localStorage.getItem('deskkit.lang') || (navigator.language.startsWith('ko') ? 'ko' : 'en'),
  session: null, // GET /demo/session
  agents: new Map(), groups: new Map(), categories: new Map(),
  tickets: [], known: null, // ids seen by the last list load; null before the first
  openID: '', openVersion: 0,
  inbox: [], stream: null,
};

const t = (key) => TEXT[state.lang][key] ?? TEXT.en[key] ?? key;
const $ = (sel) => document.querySelector(sel);

// h builds an element: h('td', {class: 'x'}, 'text', child...).
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

// api calls the HTTP API; a problem+json answer throws an Error with the
// problem attached.
async function api(method, path, body) {
  const res = await fetch(path.startsWith('/demo/') ? path : '/api' + path, {
    method, headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = text; }
  if (!res.ok) {
    const err = new Error((data && data.detail) || text || res.statusText);
    err.status = res.status;
    err.problem = data;
    throw err;
  }
  return data;
}

const name = (text) => (text && (text[state.lang] || text.ko || text.en || Object.values(text)[0])) || '';
const agentName = (id) => (id ? state.agents.get(id) || id.slice(0, 8) : '');
const when = (iso) => (iso ? new Date(iso).toLocaleString(state.lang === 'ko' ? 'ko-KR' : 'en-GB', { dateStyle: 'short', timeStyle: 'short' }) : '');
// short is a list's time: the time of day for today, else the date.
function short(iso) {
  const d = new Date(iso);
  const loc = state.lang === 'ko' ? 'ko-KR' : 'en-GB';
  return d.toDateString() === new Date().toDateString()
    ? d.toLocaleTimeString(loc, { timeStyle: 'short' }) : d.toLocaleDateString(loc, { month: 'short', day: 'numeric' });
}
const badge = (kind, value) => h('span', { class: `badge ${value}` }, t(`${kind}.${value}`));

function toast(subject, text, onclick) {
  const el = h('div', { class: 'toast', role: 'status', onclick: () => { el.remove(); onclick?.(); } },
    h('strong', {}, subject), text);
  $('#toasts').append(el);
  setTimeout(() => el.remove(), 6000);
}

// ---- static texts and the shell ----

function applyTexts() {
  document.documentElement.lang = state.lang;
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll('[data-i18n-title]')) el.title = t(el.dataset.i18nTitle);
  for (const b of document.querySelectorAll('[data-lang]')) b.classList.toggle('active', b.dataset.lang === state.lang);
  const filter = $('#status-filter');
  const cur = filter.value;
  filter.replaceChildren(h('option', { value: '' }, t('filter.all')), ...STATUSES.map((s) => h('option', { value: s }, t(`status.${s}`))));
  filter.value = cur;
  $('#dry-event').replaceChildren(...EVENTS.map((e) => h('option', { value: e }, t(`event.${e}`))));
  if (state.session) $('#service-name').textContent = state.session.service_name;
}

async function loadSession() {
  state.session = await api('GET', '/demo/session');
  const sel = $('#agent');
  sel.replaceChildren(...state.session.agents.map((a) => h('option', { value: a.id }, `${a.name}${a.role === 'admin' ? ' ★' : ''}`)));
  sel.value = state.session.agent_id;
  for (const a of state.session.agents) state.agents.set(a.id, a.name);
  const [groups, intake, processing] = await Promise.all([api('GET', '/groups').catch(() => []),
    api('GET', '/categories?tree=intake').catch(() => []), api('GET', '/categories?tree=processing').catch(() => [])]);
  for (const g of groups) state.groups.set(g.id, g.name);
  const walk = (cs) => cs.forEach((c) => { state.categories.set(c.id, c.name); walk(c.children || []); });
  walk([...intake, ...processing]);
}

function switchAgent(id) {
  document.cookie = `deskkit_agent=${encodeURIComponent(id)}; path=/; SameSite=Strict`;
  state.session.agent_id = id;
  state.inbox = [];
  renderInbox();
  openStream();
  refresh();
}

// ---- live notifications (SSE from the helpdesk's browser hub) ----

function openStream() {
  state.stream?.close();
  const es = new EventSource('/api/notifications');
  state.stream = es;
  const dot = $('#stream-state');
  es.onopen = () => { dot.classList.add('live'); dot.title = `${t('stream.title')}: ${t('stream.live')}`; };
  es.onerror = () => { dot.classList.remove('live'); dot.title = `${t('stream.title')}: ${t('stream.down')}`; };
  es.addEventListener('notification', (e) => {
    const n = JSON.parse(e.data);
    if (state.inbox.some((m) => m.id === n.id)) return; // at least once: drop repeats
    state.inbox.unshift(n);
    renderInbox();
    toast(n.subject, n.text, () => follow(n.link));
    refresh();
  });
}

function follow(link) {
  if (link && link.startsWith('#')) location.hash = link;
}

function renderInbox() {
  const count = $('#bell-count');
  count.hidden = state.inbox.length === 0;
  count.textContent = String(state.inbox.length);
  const list = $('#inbox-list');
  list.replaceChildren(...(state.inbox.length ? state.inbox.map((n) => h('li', { onclick: () => follow(n.link) },
    h('strong', {}, n.subject), h('div', {}, n.text), h('div', { class: 'hint' }, when(n.created_at))))
    : [h('li', { class: 'hint' }, t('inbox.empty'))]));
}

// ---- tickets ----

async function loadTickets() {
  const status = $('#status-filter').value;
  const page = await api('GET', `/tickets?limit=100${status ? `&status=${status}` : ''}`);
  const tickets = page.tickets.sort((a, b) => b.number - a.number);
  const fresh = state.known ? new Set(tickets.filter((x) => !state.known.has(x.id)).map((x) => x.id)) : new Set();
  state.known = new Set([...(state.known || []), ...tickets.map((x) => x.id)]);
  state.tickets = tickets;
  renderTickets(fresh);
  const open = tickets.find((x) => x.id === state.openID);
  if (open && open.version !== state.openVersion) showTicket(open.id);
}

function renderTickets(fresh = new Set()) {
  const rows = state.tickets.map((x) => h('tr', {
    'data-id': x.id, class: [x.id === state.openID && 'selected', fresh.has(x.id) && 'fresh'].filter(Boolean).join(' '),
    onclick: () => { location.hash = `#/tickets/${x.id}`; },
  },
  h('td', { class: 'num' }, x.number),
  h('td', {}, h('div', { class: 'title' }, x.title), h('div', {}, (x.tags || []).map((g) => h('span', { class: 'tag' }, g)))),
  h('td', {}, h('div', {}, x.requester?.name || ''), h('div', { class: 'sub' }, x.requester?.email || '')),
  h('td', {}, badge('status', x.status), ' ', x.priority !== 'normal' && badge('priority', x.priority)),
  h('td', {}, agentName(x.assignee_id) || h('span', { class: 'sub' }, state.groups.get(x.group_id) || '—')),
  h('td', { class: 'sub', title: when(x.updated_at) }, short(x.updated_at))));
  $('#ticket-rows').replaceChildren(...rows);
  $('#tickets-empty').hidden = rows.length > 0;
  const dry = $('#dry-ticket');
  const cur = dry.value;
  dry.replaceChildren(...state.tickets.map((x) => h('option', { value: x.id }, `#${x.number} ${x.title}`)));
  if (cur) dry.value = cur;
}

async function showTicket(id) {
  const pane = $('#ticket-detail');
  let x, comments, history, templates, forCategory, projects;
  try {
    [x, comments, history, templates, forCategory, projects] = await Promise.all([
      api('GET', `/tickets/${id}`), api('GET', `/tickets/${id}/comments`), api('GET', `/tickets/${id}/history`),
      api('GET', '/templates').catch(() => []), api('GET', `/tickets/${id}/templates`).catch(() => []),
      api('GET', '/dooray/projects').catch(() => []),
    ]);
  } catch (err) {
    pane.replaceChildren(h('p', { class: 'error' }, err.message));
    return;
  }
  const keep = id === state.openID ? draft() : null; // a live refresh keeps what the agent was typing
  state.openID = id;
  state.openVersion = x.version;
  for (const tr of document.querySelectorAll('#ticket-rows tr')) tr.classList.toggle('selected', tr.dataset.id === id);

  const statusSel = h('select', { id: 'status-select' }, STATUSES.map((s) => h('option', { value: s, selected: s === x.status }, t(`status.${s}`))));
  pane.replaceChildren(
    h('div', { class: 'ticket-head' },
      h('h2', {}, h('span', { class: 'num' }, `#${x.number} `), x.title),
      h('div', { class: 'row' }, badge('status', x.status), badge('priority', x.priority), (x.tags || []).map((g) => h('span', { class: 'tag' }, g)))),
    h('dl', { class: 'meta' },
      h('dt', {}, t('ticket.requester')), h('dd', {}, `${x.requester?.name || ''} <${x.requester?.email || x.requester?.phone || ''}>`),
      h('dt', {}, t('ticket.channel')), h('dd', {}, x.channel),
      h('dt', {}, t('ticket.category')), h('dd', {}, name(state.categories.get(x.intake_category_id)) || '—'),
      h('dt', {}, t('ticket.group')), h('dd', {}, state.groups.get(x.group_id) || '—'),
      h('dt', {}, t('ticket.assignee')), h('dd', {}, agentName(x.assignee_id) || t('ticket.unassigned')),
      h('dt', {}, t('ticket.created')), h('dd', {}, when(x.created_at))),
    h('div', { class: 'row' }, h('label', {}, t('ticket.status'), ' ', statusSel),
      h('button', { type: 'button', class: 'secondary', onclick: () => setStatus(x, statusSel.value) }, t('ticket.apply'))),
    doorayRow(x, history, projects),
    h('h3', {}, t('ticket.history')),
    timeline(x, comments, history),
    composer(x, templates, forCategory, keep));
  preview();
}

// doorayRow shows the ticket's Dooray! task, which its history names
// ("dooray_task": PROJECT/POST), or lets the agent transfer the ticket into
// one of the service's projects (DRY-2); nothing while transfer is paused
// or not set up (no projects, DRY-3).
function doorayRow(x, history, projects) {
  const link = history.findLast((c) => c.field === 'dooray_task');
  if (link) {
    const [projectID, postID] = link.to.split('/');
    const project = projects.find((p) => p.id === projectID);
    return h('div', { class: 'row', id: 'dooray-link' }, h('span', { class: 'tag' }, 'Dooray!'),
      ` ${t('dooray.linked')} ${project ? project.name : projectID} / ${postID}`);
  }
  if (projects.length === 0) return '';
  const sel = h('select', { id: 'dooray-project' }, projects.map((p) => h('option', { value: p.id }, p.name)));
  return h('div', { class: 'row' }, h('label', {}, t('dooray.transfer'), ' ', sel),
    h('button', { type: 'button', class: 'secondary', id: 'dooray-transfer', onclick: () => transfer(x, sel.value) }, t('dooray.go')));
}

async function transfer(x, projectID) {
  try {
    await api('POST', `/tickets/${x.id}/dooray`, { project_id: projectID });
    toast('Dooray!', t('dooray.done'));
  } catch (err) {
    toast('Dooray!', err.message);
  }
  showTicket(x.id);
}

function timeline(x, comments, history) {
  const items = [{ at: x.created_at, order: 0, el: h('div', { class: 'msg customer' }, h('div', { class: 'when' }, `${t('ticket.content')} · ${when(x.created_at)}`), x.content) }];
  for (const c of comments) {
    const kind = c.from_customer ? 'customer' : c.kind === 'internal' ? 'internal' : 'agent';
    const who = c.from_customer ? x.requester?.name || t('who.customer') : agentName(c.author_id) || t('who.system');
    items.push({ at: c.created_at, order: 1, el: h('div', { class: `msg ${kind}` },
      h('div', { class: 'when' }, `${who} · ${kind === 'internal' ? t('reply.internal') + ' · ' : ''}${when(c.created_at)}`), c.body) });
  }
  // One line per event: the changes one event made are shown together.
  const byEvent = new Map();
  for (const c of history) {
    if (c.field === 'ticket') continue; // the request itself is shown above
    const key = `${c.at}|${c.event}`;
    if (!byEvent.has(key)) byEvent.set(key, []);
    byEvent.get(key).push(c);
  }
  for (const [, cs] of byEvent) {
    const lines = cs.map((c) => h('div', { class: 'change' }, describe(c)));
    items.push({ at: cs[0].at, order: 2, el: h('div', {}, h('div', { class: 'when' }, `${t(`event.${cs[0].event}`)} · ${when(cs[0].at)}`), lines) });
  }
  items.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.order - b.order));
  return h('ol', { class: 'timeline' }, items.map((i) => h('li', {}, i.el)));
}

function describe(c) {
  const v = (s) => {
    if (!s) return '∅';
    if (c.field === 'assignee_id') return agentName(s);
    if (c.field === 'group_id') return state.groups.get(s) || s;
    if (c.field === 'status') return t(`status.${s}`);
    if (c.field === 'priority') return t(`priority.${s}`);
    if (c.field.endsWith('category_id')) return name(state.categories.get(s)) || s;
    return s;
  };
  if (c.field === 'trigger') return `⚙ ${t('who.trigger')}: ${named(c.to)}`;
  if (c.field === 'comment') return t('change.comment');
  if (!c.from && !c.to) return c.field;
  return `${c.field}: ${v(c.from)} → ${v(c.to)}`;
}

// named replaces the ids in a text (a trigger's history line) with the
// names of the categories, groups and agents they stand for.
const named = (text) => text.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, (id) => show(id));

async function setStatus(x, status) {
  try {
    await api('PUT', `/tickets/${x.id}/status`, { status });
  } catch (err) {
    toast(t('ticket.status'), err.message);
  }
  refresh();
}

// ---- reply composer: template picker and forbidden-word preview ----

function draft() {
  return { body: $('#reply-body')?.value || '', tpl: $('#reply-template')?.value || '', internal: $('#reply-internal')?.checked || false };
}

function composer(x, templates, forCategory, keep) {
  const near = new Set(forCategory.map((p) => p.id));
  const opt = (p) => h('option', { value: p.id }, p.title);
  const tpl = h('select', { id: 'reply-template', onchange: preview },
    h('option', { value: '' }, t('reply.none')),
    forCategory.length > 0 && h('optgroup', { label: t('reply.forCategory') }, forCategory.map(opt)),
    h('optgroup', { label: t('reply.all') }, templates.filter((p) => !near.has(p.id)).map(opt)));
  const body = h('textarea', { id: 'reply-body', rows: 4, placeholder: t('reply.placeholder'), oninput: debounce(preview, 250) });
  const internal = h('input', { type: 'checkbox', id: 'reply-internal' });
  if (keep) { tpl.value = keep.tpl; body.value = keep.body; internal.checked = keep.internal; }
  return h('form', { class: 'composer', id: 'composer', onsubmit: (e) => { e.preventDefault(); send(x); } },
    h('h3', {}, t('reply.title')),
    h('label', { class: 'row' }, t('reply.template'), tpl),
    body,
    h('div', { id: 'reply-warning', class: 'warn', role: 'alert', hidden: true }),
    h('div', { class: 'hint' }, t('reply.preview')),
    h('div', { id: 'reply-preview', class: 'preview' }),
    h('div', { class: 'row' }, h('label', {}, internal, ' ', t('reply.internal')),
      h('button', { type: 'submit', id: 'reply-send' }, t('reply.send'))));
}

function debounce(fn, ms) {
  let timer;
  return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); };
}

// request is the reply the composer holds: which route, with what body.
function request() {
  const { body, tpl, internal } = draft();
  return tpl
    ? { path: 'template-replies', body: { template_id: tpl, additions: body, internal } }
    : { path: 'replies', body: { body, internal } };
}

let previewSeq = 0;
async function preview() {
  const id = state.openID;
  const out = $('#reply-preview');
  if (!id || !out) return;
  const seq = ++previewSeq;
  const req = request();
  const text = draft().body;
  const warning = $('#reply-warning');
  if (!req.body.template_id && !text.trim()) {
    out.replaceChildren();
    warning.hidden = true;
    $('#reply-send').disabled = true;
    return;
  }
  const previewBody = req.body.template_id ? { template_id: req.body.template_id, additions: text } : { body: text };
  try {
    const p = await api('POST', `/tickets/${id}/${req.path}/preview`, previewBody);
    if (seq !== previewSeq) return;
    out.replaceChildren(p.body);
    warning.hidden = true;
    $('#reply-send').disabled = false;
  } catch (err) {
    if (seq !== previewSeq) return;
    showProblem(err, text);
  }
}

// showProblem shows why a reply cannot go: the forbidden words found
// (FWD-2), marked where their byte offsets say in the text the API checked
// (forbidden_text: a template reply as rendered), or the error.
function showProblem(err, text) {
  const warning = $('#reply-warning');
  const hits = err.problem?.forbidden_words;
  $('#reply-send').disabled = true;
  warning.hidden = false;
  if (!hits) {
    warning.replaceChildren(err.message);
    return;
  }
  const words = [...new Set(hits.map((x) => x.word))];
  warning.replaceChildren(t('reply.forbidden'), ' ', ...words.flatMap((w, i) => [i ? ', ' : '', h('strong', { class: 'forbidden-word' }, w)]));
  $('#reply-preview').replaceChildren(...marked(err.problem.forbidden_text ?? text, hits));
}

// marked splits text at the hits' byte offsets (UTF-8, as the API counts)
// and wraps each hit in <mark>.
function marked(text, hits) {
  const bytes = new TextEncoder().encode(text);
  const dec = new TextDecoder();
  const out = [];
  let at = 0;
  for (const x of [...hits].sort((a, b) => a.start - b.start)) {
    if (x.start < at || x.end > bytes.length) continue;
    out.push(dec.decode(bytes.slice(at, x.start)), h('mark', { class: 'hit' }, dec.decode(bytes.slice(x.start, x.end))));
    at = x.end;
  }
  out.push(dec.decode(bytes.slice(at)));
  return out;
}

async function send(x) {
  const req = request();
  $('#reply-send').disabled = true;
  try {
    await api('POST', `/tickets/${x.id}/${req.path}`, req.body);
    $('#reply-body').value = '';
    $('#reply-template').value = '';
    toast(t('reply.title'), t('reply.sent'));
    state.openVersion = 0; // reload the view
    await refresh();
  } catch (err) {
    showProblem(err, draft().body);
  }
}

// ---- triggers and dry runs ----

// show writes a condition's or a ticket's value, with the names of the
// categories, groups and agents its ids stand for.
function show(v) {
  if (Array.isArray(v)) return v.map(show).join(', ');
  if (typeof v === 'object' && v !== null) return JSON.stringify(v);
  const s = String(v ?? '');
  return name(state.categories.get(s)) || state.groups.get(s) || state.agents.get(s) || s;
}
const condition = (c) => `${c.target} ${c.op} ${c.value === undefined ? '' : show(c.value)}`.trim();
const hasValue = (v) => v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && v.length === 0);

async function loadTriggers() {
  const list = await api('GET', '/triggers');
  $('#trigger-list').replaceChildren(...list.map((x) => h('li', {},
    h('strong', {}, x.name), x.active === false && h('span', { class: 'badge' }, ` ${t('triggers.inactive')}`),
    x.all?.length > 0 && h('div', { class: 'cond' }, `${t('triggers.all')}: `, x.all.map(condition).join(' AND ')),
    x.any?.length > 0 && h('div', { class: 'cond' }, `${t('triggers.any')}: `, x.any.map(condition).join(' OR ')),
    h('div', { class: 'cond' }, `${t('triggers.actions')}: `, x.actions.map((a) => a.kind).join(', ')))));
}

async function dryRun(e) {
  e.preventDefault();
  const id = $('#dry-ticket').value;
  const out = $('#dry-report');
  if (!id) return;
  try {
    const r = await api('POST', `/tickets/${id}/trigger-dry-run`, { event: $('#dry-event').value });
    const rows = r.triggers.map((x) => h('tr', { class: 'dry-trigger' },
      h('td', { class: x.fired ? 'held' : x.evaluated ? 'failed' : 'skipped' },
        x.fired ? `✔ ${t('dry.fired')}` : x.evaluated ? `✘ ${t('dry.notFired')}` : `– ${t('dry.skipped')}`),
      h('td', {}, h('strong', {}, x.name),
        h('div', {}, x.conditions.map((c) => h('div', { class: `cond ${c.held ? 'held' : 'failed'}` },
          `${c.held ? '✔' : '✘'} [${c.requirement}] ${condition(c.condition)}${hasValue(c.value) ? `  (= ${show(c.value)})` : ''}`)))),
      h('td', {}, (x.actions || []).map((a) => h('div', {}, a.effect, a.error && h('span', { class: 'error' }, ` ${a.error}`),
        a.warning && h('span', { class: 'hint' }, ` ${a.warning}`))))));
    out.replaceChildren(h('div', { class: 'report' },
      h('div', { class: 'hint' }, `${t(`event.${r.event}`)} · ${r.passes} ${t('dry.passes')}`),
      h('table', {}, h('thead', {}, h('tr', {}, h('th', {}), h('th', {}, t('dry.conditions')), h('th', {}, t('dry.effects')))), h('tbody', {}, rows))));
  } catch (err) {
    out.replaceChildren(h('p', { class: 'error' }, err.message));
  }
}

// ---- what the fakes received ----

async function loadSent() {
  const [mails, sms, dooray] = await Promise.all([api('GET', '/demo/outbox-mail'), api('GET', '/demo/sms'), api('GET', '/demo/dooray')]);
  const list = (items, render) => (items.length ? items.slice().reverse().map(render) : [h('li', { class: 'hint' }, t('sent.none'))]);
  $('#sent-mail').replaceChildren(...list(mails, (m) => h('li', {}, h('strong', {}, m.subject), h('div', { class: 'hint' }, `${m.to.join(', ')} · ${when(m.at)}`), m.text)));
  const call = (c) => h('li', {}, h('div', { class: 'hint' }, `${c.method} ${c.path} · ${when(c.at)}`), c.body);
  $('#sent-sms').replaceChildren(...list(sms, call));
  $('#sent-dooray').replaceChildren(...list(dooray, call));
}

// ---- routing and refresh ----

function route() {
  const [, view = 'tickets', id = ''] = location.hash.split('/');
  for (const v of ['tickets', 'triggers', 'sent']) $(`#view-${v}`).hidden = v !== view;
  for (const a of document.querySelectorAll('[data-nav]')) a.classList.toggle('active', a.dataset.nav === view);
  if (view === 'tickets' && id && id !== state.openID) showTicket(id);
  if (view === 'triggers') loadTriggers().catch((err) => $('#trigger-list').replaceChildren(h('li', { class: 'error' }, err.message)));
  if (view === 'sent') loadSent();
}

async function refresh() {
  try {
    await loadTickets();
  } catch (err) {
    $('#ticket-rows').replaceChildren(h('tr', {}, h('td', { colspan: 6, class: 'error' }, err.message)));
  }
  if (!$('#view-sent').hidden) loadSent();
}

async function main() {
  applyTexts();
  await loadSession();
  applyTexts();
  $('#agent').addEventListener('change', (e) => switchAgent(e.target.value));
  for (const b of document.querySelectorAll('[data-lang]')) {
    b.addEventListener('click', () => {
      state.lang = b.dataset.lang;
      localStorage.setItem('deskkit.lang', state.lang);
      applyTexts();
      renderTickets();
      renderInbox();
      if (state.openID) showTicket(state.openID);
      route();
    });
  }
  $('#bell').addEventListener('click', () => {
    const box = $('#inbox');
    box.hidden = !box.hidden;
    $('#bell').setAttribute('aria-expanded', String(!box.hidden));
  });
  $('#status-filter').addEventListener('change', () => { state.known = null; refresh(); });
  $('#new-mail').addEventListener('click', () => { $('#mail-form').hidden = !$('#mail-form').hidden; });
  $('#mail-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    const out = $('#mail-result');
    try {
      await api('POST', '/demo/mail', Object.fromEntries(f));
      out.textContent = t('mail.sent');
      e.target.subject.value = '';
      e.target.body.value = '';
    } catch (err) {
      out.textContent = err.message;
    }
  });
  $('#dry-form').addEventListener('submit', dryRun);
  $('#sent-refresh').addEventListener('click', loadSent);
  window.addEventListener('hashchange', route);
  renderInbox();
  openStream();
  await refresh();
  route();
  setInterval(() => { if (!document.hidden) refresh(); }, POLL_MS);
}

main().catch((err) => document.body.prepend(h('p', { class: 'error' }, `console: ${err.message}`)));
