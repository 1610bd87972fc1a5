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

// -- every request: this tab's id; no poll while the user is in the middle of something ------

document.addEventListener('htmx:configRequest', (event) => {
  event.detail.headers['X-Stc-Tab'] = tab;
});

function busy() {
  if (dragging || document.querySelector('dialog[open]')) return true;
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
  shown.textContent = units.length === 0 ? 'No card selected'
    : `${units.length} card${units.length === 1 ? '' : 's'} selected: ${units.join(', ')}`;
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
  document.getElementById('aside-which').textContent = units.length
    ? `Set aside: ${units.join(', ')}.` : 'No card is selected.';
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
  else if (action === 'close') button.closest('dialog').close();
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

function codePoints(root, node, offset) {
  const before = document.createRange();
  before.selectNodeContents(root);
  before.setEnd(node, offset);
  return Array.from(before.toString()).length; // code points, as the server counts
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
  const start = codePoints(words, range.startContainer, range.startOffset);
  const end = codePoints(words, range.endContainer, range.endOffset);
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
  live.remove();
  const box = document.getElementById('messages');
  if (!box) return;
  const note = document.createElement('p');
  note.className = 'error';
  note.setAttribute('role', 'alert');
  note.textContent = 'The workbench does not answer: it was stopped or started anew. Open the'
    + ' link that stc serve printed; drafts are kept.';
  box.replaceChildren(note);
}

document.addEventListener('htmx:responseError', (event) => {
  if (event.detail.elt.id === 'live') lost();
});
document.addEventListener('htmx:sendError', (event) => {
  if (event.detail.elt.id === 'live') lost();
});
