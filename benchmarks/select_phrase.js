// Select `phrase` in the segment `seg` (`data-seg`, across its highlights) as a script can,
// through a Range on its text nodes, and let go of the mouse: what opens the code picker. The
// offsets given to the Range are the browser's own (UTF-16 units). Used by the workbench's
// benchmark and browser tests.
([seg, phrase]) => {
  const root = document.querySelector(`[data-seg="${seg}"]`);
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const nodes = [];
  let text = '';
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    nodes.push([node, text.length]);
    text += node.data;
  }
  const at = text.indexOf(phrase);
  if (at < 0) throw new Error(`${phrase} is not in ${seg}`);
  const place = (i) => {
    const k = nodes.findLastIndex(([, start]) => start <= i);
    return [nodes[k][0], i - nodes[k][1]];
  };
  root.scrollIntoView({ block: 'center' });
  const range = document.createRange();
  range.setStart(...place(at));
  range.setEnd(...place(at + phrase.length));
  window.times = { began: performance.now() };
  getSelection().removeAllRanges();
  getSelection().addRange(range);
  root.dispatchEvent(new MouseEvent('mouseup', { bubbles: true }));
}
