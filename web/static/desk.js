// The script of steps 1 and 4, the validation and the comments: the order of categories by keys
// and drags, a quotation placed at the cursor of an analytic text, and a comment opened on a
// unit or on a place selected in a transcript. Like workbench.js it only turns what the user does
// into requests; the server renders every new state. It keeps nothing in the browser.

// -- the order of categories and subcategories ------------------------------------------------

function listOf(item) {
  return item.parentElement.matches('ol.sections[data-order]') ? item.parentElement : null;
}

function itemsOf(list) {
  return [...list.children].filter((child) => child.matches('.section-item'));
}

function sendOrder(list, names) {
  const form = document.getElementById('order-form');
  if (!form) return;
  form.querySelector('[name="kind"]').value = list.dataset.order;
  form.querySelector('[name="group"]').value = list.dataset.group || '';
  for (const old of form.querySelectorAll('[name="names"]')) old.remove();
  for (const name of names) {
    const field = document.createElement('input');
    field.type = 'hidden';
    field.name = 'names';
    field.value = name;
    form.append(field);
  }
  form.requestSubmit();
}

function moveItem(item, step) {
  const list = listOf(item);
  if (!list) return;
  const names = itemsOf(list).map((child) => child.dataset.name);
  const at = names.indexOf(item.dataset.name);
  const to = at + step;
  if (to < 0 || to >= names.length) return;
  names.splice(at, 1);
  names.splice(to, 0, item.dataset.name);
  sendOrder(list, names);
}

document.addEventListener('keydown', (event) => {
  const item = event.target;
  if (!item.matches || !item.matches('.section-item[draggable]') || !event.altKey) return;
  if (event.key === 'ArrowUp' || event.key === 'ArrowDown') {
    event.preventDefault();
    moveItem(item, event.key === 'ArrowUp' ? -1 : 1);
  }
});

let dragged = null; // the category or subcategory being dragged

document.addEventListener('dragstart', (event) => {
  const item = event.target.closest ? event.target.closest('.section-item[draggable]') : null;
  if (!item) return;
  dragged = item;
  event.dataTransfer.setData('text/plain', item.dataset.name);
  event.dataTransfer.effectAllowed = 'move';
  item.classList.add('dragging');
});

function targetOf(event) {
  const item = event.target.closest ? event.target.closest('.section-item') : null;
  // only among its own siblings: categories with categories, a category's subcategories
  return item && dragged && item !== dragged && item.parentElement === dragged.parentElement
    ? item : null;
}

function clearMarks() {
  for (const marked of document.querySelectorAll('.drop-before, .drop-after')) {
    marked.classList.remove('drop-before', 'drop-after');
  }
}

function before(event, item) {
  const box = item.getBoundingClientRect();
  return event.clientY < box.top + Math.min(box.height / 2, 24);
}

document.addEventListener('dragover', (event) => {
  const item = targetOf(event);
  if (!item) return;
  event.preventDefault();
  event.dataTransfer.dropEffect = 'move';
  clearMarks();
  item.classList.add(before(event, item) ? 'drop-before' : 'drop-after');
});

document.addEventListener('drop', (event) => {
  const item = targetOf(event);
  if (!item) return;
  event.preventDefault();
  const list = item.parentElement;
  const names = itemsOf(list).map((child) => child.dataset.name)
    .filter((name) => name !== dragged.dataset.name);
  const at = names.indexOf(item.dataset.name) + (before(event, item) ? 0 : 1);
  names.splice(at, 0, dragged.dataset.name);
  clearMarks();
  dragged.classList.remove('dragging');
  dragged = null;
  sendOrder(list, names);
});

document.addEventListener('dragend', () => {
  clearMarks();
  if (dragged) dragged.classList.remove('dragging');
  dragged = null;
});

// -- a quotation placed in the analytic text: a paragraph of its own, `[U7]` -------------------

function place(unit) {
  const text = document.getElementById('analytic-text');
  if (!text) return;
  const at = text.selectionStart ?? text.value.length;
  const head = text.value.slice(0, at).replace(/\s+$/, '');
  const tail = text.value.slice(at).replace(/^\s+/, '');
  const line = `[${unit}]`;
  text.value = [head, line, tail].filter(Boolean).join('\n\n');
  const cursor = (head ? head.length + 2 : 0) + line.length;
  text.focus();
  text.setSelectionRange(cursor, cursor);
  text.dispatchEvent(new Event('input', { bubbles: true })); // kept as a draft, as typing is
}

// -- a comment on a unit, or on a place selected in a transcript ---------------------------------

let opener = null; // what had the focus before the comment dialog

function comment(ref) {
  const dialog = document.getElementById('comment-dialog');
  if (!dialog) return;
  opener = document.activeElement;
  dialog.querySelector('[name="ref"]').value = ref;
  dialog.showModal();
  document.getElementById(ref ? 'comment-body' : 'comment-on').focus();
}

document.addEventListener('close', (event) => {
  if (event.target.id !== 'comment-dialog') return;
  document.getElementById('comment-place').hidden = true;
  if (opener && opener.isConnected) opener.focus({ preventScroll: true });
}, true);

document.addEventListener('htmx:beforeRequest', (event) => {
  if (event.detail.elt.id === 'comment-form') document.getElementById('comment-dialog').close();
});

document.addEventListener('click', (event) => {
  const button = event.target.closest ? event.target.closest('[data-place], [data-comment-on]')
    : null;
  if (!button) return;
  if (button.dataset.place) place(button.dataset.place);
  else comment(button.dataset.commentOn);
});

function segmentOf(node) {
  const element = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
  return element ? element.closest('#reading-all [data-seg]') : null;
}

function placeSelected() {
  const button = document.getElementById('comment-place');
  if (!button) return;
  const selection = window.getSelection();
  const range = selection && selection.rangeCount && !selection.isCollapsed
    ? selection.getRangeAt(0) : null;
  const first = range && segmentOf(range.startContainer);
  const last = range && segmentOf(range.endContainer);
  const [doc, from] = first ? first.dataset.seg.split(':') : [];
  const [other, to] = last ? last.dataset.seg.split(':') : [];
  if (!first || !last || doc !== other) {
    button.hidden = true;
    return;
  }
  const ref = from === to ? `${doc}:${from}` : `${doc}:${from}-${to}`;
  button.dataset.commentOn = ref;
  button.textContent = button.dataset.say.replace('%(ref)s', ref);  // the page's words
  const box = range.getBoundingClientRect();
  button.style.top = `${window.scrollY + box.bottom + 6}px`;
  button.style.left = `${window.scrollX + box.left}px`;
  button.hidden = false;
}

document.addEventListener('mouseup', () => setTimeout(placeSelected, 0));
document.addEventListener('keyup', (event) => {
  if (event.shiftKey && event.key.startsWith('Arrow')) placeSelected();
});
