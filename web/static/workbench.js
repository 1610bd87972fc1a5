// The workbench's own script. It turns keys, drags and text selections into requests and leaves
// everything else to htmx and the server, which renders every new state. It keeps nothing in the
// browser but this tab's random id (sessionStorage): drafts are kept on the server, where an
// erasure reaches them.

const TAB_KEY = 'stc-tab';

function newTab() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)),
    (b) => b.toString(16).padStart(2, '0')).join('');
}

const tab = sessionStorage.getItem(TAB_KEY) || newTab();
sessionStorage.setItem(TAB_KEY, tab);

const selected = new Set(); // the cards picked, by unit: U7
let dragging = null; // the units being dragged
let returnFocus = null; // the id of what had focus before a dialog or a swap

// -- what lies over the page (a unit's panel) starts below the bar, however many rows it takes -

function barBottom() {
  const bar = document.querySelector('.bar');
  const sticky = bar && getComputedStyle(bar).position === 'sticky';
  document.documentElement.style.setProperty('--bar-bottom', `${sticky ? bar.offsetHeight : 0}px`);
}
barBottom();
window.addEventListener('resize', barBottom);

// -- every request: this tab's id; no poll while the user is in the middle of something ------

document.addEventListener('htmx:configRequest', (event) => {
  event.detail.headers['X-Stc-Tab'] = tab;
});

function busy() {
  if (dragging || pointerDown || moving || document.querySelector('dialog[open]')) return true;
  if (selectedStretch()) return true; // a selection in the text, not yet coded
  const active = document.activeElement;
  return Boolean(active && active.closest('[data-live-region]')
    && active.matches('input:not([type=checkbox]), select, textarea'));
}

document.addEventListener('htmx:beforeRequest', (event) => {
  const source = event.detail.elt;
  if (source.id === 'live' && busy()) {
    event.preventDefault();
    return;
  }
  if (source.closest('#move-form, #drop-sort, #drop-unsort, #aside-form')) selected.clear();
});

// -- after a swap: the same card keeps the focus, the same cards stay picked -----------------

document.addEventListener('htmx:beforeSwap', () => {
  const active = document.activeElement;
  if (active && active.id && active !== document.body) returnFocus = active.id;
});

let restoring = false;

function restore() {
  if (restoring) return;
  restoring = true;
  setTimeout(() => {
    restoring = false;
    for (const box of document.querySelectorAll('.card .pick')) {
      box.checked = selected.has(box.value);
    }
    for (const unit of [...selected]) {
      if (!document.getElementById(`pick-${unit}`)) selected.delete(unit);
    }
    showSelection();
    showOpenUnit();
    const active = document.activeElement;
    if ((!active || active === document.body) && returnFocus) {
      const again = document.getElementById(returnFocus);
      if (again) again.focus({ preventScroll: true });
    }
  }, 0);
}

document.addEventListener('htmx:afterSettle', restore);
document.addEventListener('htmx:oobAfterSwap', restore);

// -- picking cards ---------------------------------------------------------------------------

function showSelection() {
  const shown = document.getElementById('selection');
  if (!shown) return;
  const units = [...selected];
  // the words are the page's (data-none, data-one, data-many), in the project's language
  const words = units.length === 0 ? shown.dataset.none
    : units.length === 1 ? shown.dataset.one : shown.dataset.many;
  shown.textContent = words.replace('%(n)s', units.length).replace('%(units)s', units.join(', '));
}

document.addEventListener('change', (event) => {
  const box = event.target;
  if (!box.matches || !box.matches('.card .pick')) return;
  if (box.checked) selected.add(box.value); else selected.delete(box.value);
  showSelection();
});

function toggle(card) {
  const box = card.querySelector('.pick');
  box.checked = !box.checked;
  box.dispatchEvent(new Event('change', { bubbles: true }));
}

function unitsFor(card) {
  const unit = card.dataset.unit;
  return selected.has(unit) ? [...selected] : [unit];
}

// -- moving cards: a column is a subgroup, "not sorted" (or the group itself), or set aside ----

function columnOf(unit) {
  const card = document.getElementById(`card-${unit}`);
  return card ? card.closest('.column') : null;
}

function submit(formId, fields) {
  const form = document.getElementById(formId);
  if (!form) return;
  for (const [name, value] of Object.entries(fields)) {
    form.querySelector(`[name="${name}"]`).value = value;
  }
  form.requestSubmit();
}

function moveTo(units, column) {
  const moving = units.filter((unit) => columnOf(unit) !== column);
  if (moving.length === 0) return;
  if (column.dataset.subgroup !== undefined) {
    submit('drop-sort', { units: moving.join(' '), into: column.dataset.subgroup });
  } else if (column.dataset.aside !== undefined) {
    askAside(moving);
  } else {
    submit('drop-unsort', { units: moving.join(' ') });
  }
}

function askAside(units) {
  const dialog = document.getElementById('aside-dialog');
  if (!dialog) return;
  const active = document.activeElement;
  if (active && active.id) returnFocus = active.id;
  dialog.querySelector('[name="units"]').value = units.join(' ');
  const which = document.getElementById('aside-which');
  which.textContent = units.length
    ? which.dataset.some.replace('%(units)s', units.join(', ')) : which.dataset.none;
  dialog.showModal();
  document.getElementById('aside-why').focus();
}

document.addEventListener('close', (event) => {
  if (event.target.id !== 'aside-dialog' || !returnFocus) return;
  const again = document.getElementById(returnFocus);
  if (again) again.focus({ preventScroll: true });
}, true);

// -- keys ------------------------------------------------------------------------------------

function isTextField(element) {
  return Boolean(element && element.matches
    && element.matches('input:not([type=checkbox]):not([type=button]):not([type=submit]), textarea, select, [contenteditable]'));
}

function cardsOf(column) {
  return [...column.querySelectorAll('.card')];
}

function moveFocus(card, key) {
  const column = card.closest('.column');
  const here = cardsOf(column);
  const at = here.indexOf(card);
  let next = null;
  if (key === 'ArrowUp') next = here[at - 1];
  else if (key === 'ArrowDown') next = here[at + 1];
  else {
    const columns = [...document.querySelectorAll('#board .column')].filter((c) => cardsOf(c).length);
    const step = key === 'ArrowLeft' ? -1 : 1;
    const other = columns[columns.indexOf(column) + step];
    if (other) {
      const there = cardsOf(other);
      next = there[Math.min(at, there.length - 1)];
    }
  }
  if (next) next.focus();
}

function openQuotation(unit) {
  submit('pick-form', { unit, pieces: '' });
}

document.addEventListener('keydown', (event) => {
  const { key } = event;
  if ((event.ctrlKey || event.metaKey) && !event.altKey && ['z', 'Z', 'y', 'Y'].includes(key)) {
    if (isTextField(event.target)) return; // the browser's own undo of typing
    const redo = key === 'y' || key === 'Y' || event.shiftKey;
    const button = document.getElementById(redo ? 'redo-button' : 'undo-button');
    if (button) {
      event.preventDefault();
      button.click();
    }
    return;
  }
  const card = event.target.closest ? event.target.closest('.card') : null;
  if (!card || event.target !== card || event.ctrlKey || event.metaKey || event.altKey) return;
  if (key === ' ') {
    event.preventDefault();
    toggle(card);
  } else if (key === 'Escape') {
    selected.clear();
    restore();
  } else if (key.startsWith('Arrow')) {
    event.preventDefault();
    moveFocus(card, key);
  } else if (key === 'q' || key === 'Q') {
    event.preventDefault();
    openQuotation(card.dataset.unit);
  } else if (key === 'a' || key === 'A') {
    event.preventDefault();
    askAside(unitsFor(card));
  } else {
    const column = document.querySelector(`#board .column[data-key="${CSS.escape(key)}"]`);
    if (column) {
      event.preventDefault();
      returnFocus = card.id;
      moveTo(unitsFor(card), column);
    }
  }
});

document.addEventListener('click', (event) => {
  const button = event.target.closest ? event.target.closest('[data-action]') : null;
  if (!button) return;
  const { action } = button.dataset;
  if (action === 'aside') askAside([...selected]);
  else if (action === 'quote') openQuotation(button.closest('.card').dataset.unit);
  else if (action === 'close') {
    const dialog = button.closest('dialog');
    if (dialog.id === 'picker') closePicker(); else dialog.close();
  }
  else if (action === 'start-over') {
    document.querySelector('#quote-state [name="pieces"]').value = '';
    const text = document.getElementById('quote-text');
    text.value = '';
    text.dispatchEvent(new Event('input', { bubbles: true }));
    text.focus();
  }
});

// -- dragging a card (the one being quoted by its handle: its words are selected) -------------

function columnAt(target) {
  return target.closest ? target.closest('#board .column[data-key]') : null;
}

function endDrag() {
  dragging = null;
  for (const marked of document.querySelectorAll('.dragging, .drop-here')) {
    marked.classList.remove('dragging', 'drop-here');
  }
}

document.addEventListener('dragstart', (event) => {
  const card = event.target.closest ? event.target.closest('#board .card') : null;
  if (!card) return;
  dragging = unitsFor(card);
  event.dataTransfer.setData('text/plain', dragging.join(' '));
  event.dataTransfer.effectAllowed = 'move';
  event.dataTransfer.setDragImage(card, 12, 12);
  for (const unit of dragging) {
    const moving = document.getElementById(`card-${unit}`);
    if (moving) moving.classList.add('dragging');
  }
  returnFocus = card.id;
});

document.addEventListener('dragover', (event) => {
  const column = columnAt(event.target);
  if (!column || !dragging) return;
  event.preventDefault();
  event.dataTransfer.dropEffect = 'move';
  for (const other of document.querySelectorAll('.drop-here')) {
    if (other !== column) other.classList.remove('drop-here');
  }
  column.classList.add('drop-here');
});

document.addEventListener('drop', (event) => {
  const column = columnAt(event.target);
  if (!column || !dragging) return;
  event.preventDefault();
  const units = dragging;
  endDrag();
  moveTo(units, column);
});

document.addEventListener('dragend', endDrag);

// -- a selection in a card's words: a piece of its illustrative quotation --------------------

// The one place where a position in the page (a node, and an offset in it that the browser
// counts in UTF-16 units) becomes an offset in the stored text: the code points of the text
// nodes of `element` before it. An emoji of two UTF-16 units is one code point; a letter with a
// combining mark two (the page shows the stored, NFC text as it is).
function codePointsBefore(element, node, offset) {
  const before = document.createRange();
  before.selectNodeContents(element);
  before.setEnd(node, offset);
  let count = 0;
  for (const _ of before.toString()) count += 1; // a string iterates by code points
  return count;
}

function wordsOf(node) {
  const element = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
  return element ? element.closest('.card .words') : null;
}

function quoteSelection() {
  const selection = window.getSelection();
  if (!selection || selection.isCollapsed || selection.rangeCount === 0) return;
  const range = selection.getRangeAt(0);
  const words = wordsOf(range.startContainer);
  if (!words || words !== wordsOf(range.endContainer)) return;
  const start = codePointsBefore(words, range.startContainer, range.startOffset);
  const end = codePointsBefore(words, range.endContainer, range.endOffset);
  if (end <= start) return;
  const unit = words.closest('.card').dataset.unit;
  const state = document.getElementById('quote-state');
  const pieces = state && state.querySelector('[name="unit"]').value === unit
    ? state.querySelector('[name="pieces"]').value.split(' ').filter(Boolean) : [];
  pieces.push(`${start}-${end}`);
  selection.removeAllRanges();
  submit('pick-form', { unit, pieces: pieces.join(' ') });
}

document.addEventListener('mouseup', () => setTimeout(quoteSelection, 0));
document.addEventListener('keyup', (event) => {
  if (event.shiftKey && event.key.startsWith('Arrow')) quoteSelection();
});

// -- an editor typed into and not yet kept: kept as the page goes (a reload, a closed tab) -----

const unsaved = new Set();

document.addEventListener('input', (event) => {
  if (event.target.matches && event.target.matches('[data-draft]')) unsaved.add(event.target);
});

document.addEventListener('htmx:beforeRequest', (event) => {
  unsaved.delete(event.detail.elt); // its own autosave is on its way
});

window.addEventListener('pagehide', () => {
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  for (const editor of unsaved) {
    const body = new URLSearchParams(new FormData(editor.closest('form')));
    for (const input of document.querySelectorAll(`${editor.dataset.draft} input`)) {
      body.set(input.name, input.value);
    }
    // keepalive: the request outlives the page, with the same headers as htmx sends
    fetch(editor.getAttribute('hx-post'), {
      method: 'POST', keepalive: true, body,
      headers: { 'X-CSRF-Token': csrf, 'X-Stc-Tab': tab },
    });
  }
  unsaved.clear();
});

// -- the server gone (stopped, restarted): stop asking, and say so ---------------------------

function lost() {
  const live = document.getElementById('live');
  if (!live) return;
  const words = live.dataset.lost;  // the page's words, in the project's language
  live.remove();
  const box = document.getElementById('messages');
  if (!box) return;
  const note = document.createElement('p');
  note.className = 'error';
  note.setAttribute('role', 'alert');
  note.textContent = words;
  box.replaceChildren(note);
}

document.addEventListener('htmx:responseError', (event) => {
  if (event.detail.elt.id === 'live') lost();
});
document.addEventListener('htmx:sendError', (event) => {
  if (event.detail.elt.id === 'live') lost();
});

// -- the reading view: a selection in the text becomes a meaning unit (the code picker) -------
//
// Each piece of the text carries `data-start`, its offset in the stored text in code points. A
// selection's ends become offsets through `codePointsBefore`; the server widens them to words
// (when the page says so), narrows them to the speech, and applies the rules of `stc code`.

let pointerDown = false; // a selection is being dragged: no poll, no picker yet
let settling = null; // a selection made without mouse or keys (a script) is taken once it settles
let moving = null; // the unit whose new boundaries the next selection gives
let returnTo = null; // the segment (data-seg) the picker returns the focus to

function transcript() {
  return document.querySelector('article.transcript');
}

function pageState(name) {
  return document.querySelector(`#page-state [name="${name}"]`);
}

function offsetOf(text, node, offset, atEnd) {
  const element = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
  const piece = element ? element.closest('.piece') : null;
  if (piece && text.contains(piece)) {
    return Number(piece.dataset.start) + codePointsBefore(piece, node, offset);
  }
  // between pieces (a speaker's name, a margin, outside the text): the first piece after the
  // position for a start, the last before it for an end
  const point = document.createRange();
  point.setStart(node, offset);
  const pieces = [...text.querySelectorAll('.piece')];
  if (atEnd) {
    const before = pieces.reverse().find((p) => point.comparePoint(p, p.childNodes.length) <= 0);
    return before ? Number(before.dataset.start) + codePointsBefore(before, before, before.childNodes.length) : null;
  }
  const after = pieces.find((p) => point.comparePoint(p, 0) >= 0);
  return after ? Number(after.dataset.start) : null;
}

function selectedStretch() {
  const text = transcript();
  const selection = window.getSelection();
  if (!text || !selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
  const range = selection.getRangeAt(0);
  if (!range.intersectsNode(text)) return null;
  const start = offsetOf(text, range.startContainer, range.startOffset, false);
  const end = offsetOf(text, range.endContainer, range.endOffset, true);
  return start !== null && end !== null && end > start ? { start, end } : null;
}

function takeSelection() {
  clearTimeout(settling);
  if (document.querySelector('dialog[open]:not(#picker)')) return;
  const stretch = selectedStretch();
  if (!stretch) return;
  if (moving) {
    moveUnit(stretch);
    return;
  }
  // a new selection while the picker is open (it is not modal) is the picker's from now on
  const picker = document.getElementById('picker');
  if (picker && picker.open && picker.dataset.stretch === `${stretch.start}-${stretch.end}`) return;
  openPicker(stretch);
}

function openPicker({ start, end }) {
  const picker = document.getElementById('picker');
  const form = document.getElementById('picker-form');
  if (!picker || !form) return;
  const active = document.activeElement;
  const seg = active && active.closest ? active.closest('[data-seg]') : null;
  const anchor = window.getSelection().anchorNode;
  const from = seg || (anchor && anchor.parentElement ? anchor.parentElement.closest('[data-seg]') : null);
  returnTo = from ? from.dataset.seg : null;
  form.querySelector('[name="start"]').value = start;
  form.querySelector('[name="end"]').value = end;
  picker.dataset.stretch = `${start}-${end}`;
  const field = form.querySelector('[name="name"]');
  field.value = '';
  document.getElementById('picker-preview').replaceChildren();
  document.getElementById('picker-status').replaceChildren();
  // not modal: a modal dialog makes the rest of a long transcript inert, which costs the
  // browser a moment it need not spend; Esc and Done close it all the same
  const selection = window.getSelection();
  const rect = selection.rangeCount ? selection.getRangeAt(0).getBoundingClientRect() : null;
  // the focus moves into the field, and with it the caret: the selection in the text is left.
  // Only a move does that: a field that kept the focus (the picker open when a script selects,
  // or closed without a closePicker) would keep the caret in the selected text, where what
  // she types is lost
  if (document.activeElement === field) field.blur();
  picker.show();
  selectedAt = rect;
  placeBeside(picker, rect);
  field.focus();
  htmx.trigger('#picker-preview', 'preview');
}

let selectedAt = null; // where the selection the picker codes was on the screen

function placeBeside(picker, rect) {
  // below the selection (`rect`) where it fits, else above it; always inside the window, below
  // the bar, with its buttons in sight (what does not fit scrolls within the picker)
  picker.style.maxHeight = '';
  const height = picker.offsetHeight + 16;
  const bar = Math.max(0, document.querySelector('.bar').getBoundingClientRect().bottom) + 8;
  let top = Math.max(bar, (window.innerHeight - height) / 3);
  if (rect && rect.height) {
    top = rect.bottom + height < window.innerHeight ? rect.bottom + 8 : rect.top - height;
  }
  top = Math.max(bar, Math.min(top, window.innerHeight - height));
  picker.style.top = `${Math.round(top)}px`;
  picker.style.maxHeight = `${Math.round(window.innerHeight - top - 8)}px`;
}

let pressedAt = null; // where the mouse went down: a click that moved is a selection

document.addEventListener('mousedown', (event) => {
  const text = transcript();
  if (event.button !== 0 || !text || !text.contains(event.target)) return;
  pointerDown = true;
  pressedAt = [event.clientX, event.clientY];
});
document.addEventListener('dragstart', () => { pointerDown = false; }); // no mouseup follows
document.addEventListener('mouseup', () => {
  pointerDown = false;
  takeSelection();
});
document.addEventListener('keyup', (event) => {
  // Shift let go after selecting with Shift and the arrows; any other key once a selection
  // stands (the picker opens once: a dialog is open then)
  if (event.key === 'Shift' || !event.shiftKey) takeSelection();
});
document.addEventListener('selectionchange', () => {
  clearTimeout(settling);
  settling = setTimeout(() => {
    if (!pointerDown) takeSelection();
  }, 400);
});

document.addEventListener('change', (event) => {
  if (event.target.name === 'allow_interviewer' && event.target.closest('#picker-preview')) {
    htmx.trigger('#picker-preview', 'preview');
  }
});

document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape' && event.target.closest && event.target.closest('#picker')) {
    event.preventDefault();
    closePicker();
    return;
  }
  if (event.target.id !== 'picker-code' || event.key !== 'Enter') return;
  if (event.target.value.trim()) return; // the form sends the code
  event.preventDefault(); // Enter on an empty field: done, once a code was given
  if (document.querySelector('#picker-status .done')) closePicker();
});

document.addEventListener('htmx:afterRequest', (event) => {
  if (event.detail.elt.id !== 'picker-form' || !event.detail.successful) return;
  const picker = document.getElementById('picker');
  const field = document.getElementById('picker-code');
  // the name is done with once coded, unless she has typed on, or selected anew, since it was
  // sent; a refusal keeps it to be put right
  const sent = event.detail.requestConfig.formData;
  const form = field.form;
  const same = ['name', 'start', 'end'].every((name) => form.elements[name].value === sent.get(name));
  if (event.detail.xhr.status === 200 && same) field.value = '';
  if (picker.open) field.focus();
});

// Esc, Done, or Enter on an empty field: the focus goes back to the text at once. Not in the
// dialog's `close` event, which comes a moment later, when a new selection may have opened the
// picker again; nor left to the closing, which keeps the focus in the hidden field when it had
// come from nowhere (the page itself), so that keys typed then were lost.
function closePicker() {
  const picker = document.getElementById('picker');
  if (!picker || !picker.open) return;
  picker.close();
  window.getSelection().removeAllRanges();
  const seg = returnTo && document.querySelector(`[data-seg="${CSS.escape(returnTo)}"]`);
  const back = seg || transcript();
  if (back) back.focus({ preventScroll: true });
}

// -- the reading view by keys: segment to segment, the caret within one, Shift selects --------

function segments() {
  return [...document.querySelectorAll('article.transcript [data-seg]')];
}

function caretAt(seg) {
  const selection = window.getSelection();
  if (!selection.rangeCount || !seg.contains(selection.anchorNode)) selection.collapse(seg, 0);
}

function firstInView() {
  const top = document.querySelector('.bar').getBoundingClientRect().bottom;
  return segments().find((seg) => seg.getBoundingClientRect().bottom > top);
}

document.addEventListener('focusin', (event) => {
  if (event.target.matches && event.target.matches('article.transcript [data-seg]')) {
    caretAt(event.target);
  }
});

const STEPS = {
  ArrowRight: ['forward', 'character'], ArrowLeft: ['backward', 'character'],
  End: ['forward', 'lineboundary'], Home: ['backward', 'lineboundary'],
};

document.addEventListener('keydown', (event) => {
  const text = transcript();
  const at = event.target;
  if (!text || !(at === text || (at.matches && at.matches('[data-seg]') && text.contains(at)))) return;
  const { key } = event;
  const selection = window.getSelection();
  if ((key === 'ArrowDown' || key === 'ArrowUp') && !event.shiftKey) {
    event.preventDefault();
    const all = segments();
    const here = all.indexOf(at);
    const next = here < 0 ? firstInView() : all[here + (key === 'ArrowDown' ? 1 : -1)];
    if (next) {
      selection.removeAllRanges();
      next.focus();
      next.scrollIntoView({ block: 'nearest' });
    }
  } else if (at !== text && key in STEPS) {
    event.preventDefault();
    const [direction, unit] = STEPS[key];
    selection.modify(event.shiftKey ? 'extend' : 'move', direction,
      event.ctrlKey && unit === 'character' ? 'word' : unit);
  } else if (at !== text && event.shiftKey && (key === 'ArrowDown' || key === 'ArrowUp')) {
    event.preventDefault();
    selection.modify('extend', key === 'ArrowDown' ? 'forward' : 'backward', 'line');
  } else if (at !== text && key === 'Enter') {
    event.preventDefault();
    if (!selection.isCollapsed) {
      takeSelection();
      return;
    }
    const node = selection.anchorNode;
    const mark = node && (node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement).closest('mark[data-unit]');
    if (mark) openUnit(mark.dataset.unit);
  }
});

// -- a unit's panel: a click on its highlight or its number; moving its boundaries -----------

function openUnit(unit) {
  moving = null;
  const field = pageState('unit');
  if (field) field.value = unit;
  submit('open-unit', { unit });
}

function closeUnit() {
  const panel = document.getElementById('unit-panel');
  if (!panel || panel.hidden) return;
  const unit = panel.dataset.unitPanel;
  moving = null;
  const field = pageState('unit');
  if (field) field.value = '';
  panel.hidden = true;
  panel.replaceChildren();
  showOpenUnit();
  const back = document.querySelector(`[data-open-unit="${CSS.escape(unit || '')}"]`);
  if (back) back.focus();
}

function showOpenUnit() {
  const panel = document.getElementById('unit-panel');
  const open = panel && !panel.hidden ? panel.dataset.unitPanel : null;
  for (const mark of document.querySelectorAll('article.transcript mark[data-unit]')) {
    mark.classList.toggle('chosen', mark.dataset.unit === open);
  }
  const button = document.querySelector('[data-action="move-unit"]');
  if (button) button.setAttribute('aria-pressed', String(Boolean(moving)));
}

function startMoving(button) {
  const panel = button.closest('#unit-panel');
  moving = panel.dataset.unitPanel;
  showOpenUnit();
  const mark = document.querySelector(`article.transcript mark[data-unit="${CSS.escape(moving)}"]`);
  const seg = mark ? mark.closest('[data-seg]') : firstInView();
  if (seg) seg.focus();
}

function moveUnit({ start, end }) {
  const panel = document.getElementById('unit-panel');
  const unit = moving;
  moving = null;
  window.getSelection().removeAllRanges();
  submit('move-form', {
    unit, start, end, offsets_on: pageState('based_on').value, based_on: panel.dataset.seen,
  });
}

document.addEventListener('click', (event) => {
  const target = event.target.closest ? event.target : null;
  if (!target) return;
  const opener = target.closest('[data-open-unit]');
  if (opener) {
    openUnit(opener.dataset.openUnit);
    return;
  }
  const action = target.closest('[data-action="close-unit"], [data-action="move-unit"]');
  if (action) {
    if (action.dataset.action === 'close-unit') closeUnit(); else startMoving(action);
    return;
  }
  const mark = target.closest('article.transcript mark[data-unit]');
  const dragged = pressedAt
    && Math.hypot(event.clientX - pressedAt[0], event.clientY - pressedAt[1]) > 3;
  const selection = window.getSelection();
  if (mark && !moving && !dragged && (!selection || selection.isCollapsed)) {
    openUnit(mark.dataset.unit);
  }
});

document.addEventListener('keydown', (event) => {
  if (event.key !== 'Escape' || document.querySelector('dialog[open]')) return;
  if (moving) {
    moving = null;
    showOpenUnit();
    const button = document.querySelector('[data-action="move-unit"]');
    if (button) button.focus();
  } else if (event.target.closest && event.target.closest('#unit-panel')) {
    closeUnit();
  }
});

document.addEventListener('htmx:afterSwap', (event) => {
  if (event.detail.target.id === 'picker-preview') {
    // the preview makes the picker taller than it opened: placed anew, so that it still fits
    const picker = document.getElementById('picker');
    if (picker && picker.open) placeBeside(picker, selectedAt);
    const active = document.activeElement;
    if (!active || active === document.body) document.getElementById('picker-code').focus();
    return;
  }
  if (event.detail.elt.id === 'open-unit' || event.detail.target.id === 'unit-panel') {
    const title = document.getElementById('unit-title');
    if (title) title.focus();
  }
});

// -- a code field: the codes that match what she types, with their groups ---------------------
//
// The server renders every code with its group once (#code-list); a field lists those whose
// name holds what is typed (those that begin with it first). Arrows choose one, Enter or a
// click takes it; Enter with none chosen takes what is typed (a new name makes a new code).

const SHOWN = 8;

function listOf(field) {
  return document.getElementById(field.getAttribute('aria-controls'));
}

function closeList(field) {
  const list = listOf(field);
  list.hidden = true;
  list.replaceChildren();
  field.setAttribute('aria-expanded', 'false');
  field.removeAttribute('aria-activedescendant');
}

function suggest(field) {
  const typed = field.value.trim().toLocaleLowerCase();
  const named = (li) => li.dataset.code.toLocaleLowerCase();
  const found = typed ? [...document.querySelectorAll('#code-list li')]
    .filter((li) => named(li).includes(typed)) : [];
  found.sort((a, b) => Number(named(b).startsWith(typed)) - Number(named(a).startsWith(typed)));
  if (found.length === 0 || (found.length === 1 && named(found[0]) === typed)) {
    closeList(field);
    return;
  }
  const list = listOf(field);
  list.replaceChildren(...found.slice(0, SHOWN).map((li, i) => {
    const option = li.cloneNode(true);
    option.id = `${list.id}-${i}`;
    option.setAttribute('role', 'option');
    option.setAttribute('aria-selected', 'false');
    return option;
  }));
  list.hidden = false;
  field.setAttribute('aria-expanded', 'true');
  field.removeAttribute('aria-activedescendant');
}

function choose(field, step) {
  const options = [...listOf(field).children];
  if (options.length === 0) return;
  const at = options.findIndex((o) => o.getAttribute('aria-selected') === 'true');
  const next = at < 0 ? (step > 0 ? 0 : options.length - 1)
    : (at + step + options.length) % options.length;
  options.forEach((o, i) => o.setAttribute('aria-selected', String(i === next)));
  field.setAttribute('aria-activedescendant', options[next].id);
  options[next].scrollIntoView({ block: 'nearest' });
}

function isCodeField(element) {
  return Boolean(element && element.matches && element.matches('input[role="combobox"]'));
}

document.addEventListener('input', (event) => {
  if (isCodeField(event.target)) suggest(event.target);
});

document.addEventListener('keydown', (event) => {
  const field = event.target;
  if (!isCodeField(field)) return;
  const open = field.getAttribute('aria-expanded') === 'true';
  if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
    event.preventDefault();
    if (!open) suggest(field);
    choose(field, event.key === 'ArrowDown' ? 1 : -1);
  } else if (event.key === 'Escape' && open) {
    event.preventDefault();
    event.stopPropagation(); // the list closes, not the picker
    closeList(field);
  } else if (event.key === 'Enter' && open) {
    const chosen = field.getAttribute('aria-activedescendant');
    if (chosen) field.value = document.getElementById(chosen).dataset.code;
    closeList(field); // and the form sends it
  }
}, true);

document.addEventListener('mousedown', (event) => {
  const option = event.target.closest ? event.target.closest('.suggest [role="option"]') : null;
  if (!option) return;
  event.preventDefault(); // the field keeps the focus
  const field = document.querySelector(`[aria-controls="${option.parentElement.id}"]`);
  field.value = option.dataset.code;
  closeList(field);
  field.form.requestSubmit();
});

document.addEventListener('focusout', (event) => {
  if (isCodeField(event.target)) closeList(event.target);
});
