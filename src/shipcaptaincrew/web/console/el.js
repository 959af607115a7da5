// Build DOM nodes without HTML strings: text goes in as text, always.
// h('li', {class: 'card', data: {patron: id}}, 'text', child)
// A roster draws hundreds of cards at once, so this stays lean: no per-call arrays of
// entries, and data-* set as attributes rather than through the dataset proxy.
export function h(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const key in props) {
    const value = props[key];
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key === 'data') {
      for (const name in value) node.setAttribute(`data-${dashed(name)}`, value[name]);
    } else if (key === 'on') {
      for (const type in value) node.addEventListener(type, value[type]);
    } else node.setAttribute(key, value === true ? '' : String(value));
  }
  if (children.length) append(node, children);
  return node;
}

// dataset's own naming: fooBar -> data-foo-bar
function dashed(name) {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

function append(node, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(node, child);
    else node.append(child instanceof Node ? child : String(child));
  }
}

export function clear(node) {
  node.replaceChildren();
  return node;
}

// A copy of a node built once per key: for the parts every roster card repeats (its
// buttons and fixed badges), cloning is several times cheaper than building.
const prototypes = new Map();

export function copyOf(key, build) {
  let node = prototypes.get(key);
  if (!node) {
    node = build();
    prototypes.set(key, node);
  }
  return node.cloneNode(true);
}

// A card's button while its action is on its way: it takes no more taps (the roster's one
// listener skips it) but keeps the focus, which a disabled button would lose to the page.
export function setBusy(button, on) {
  if (!button) return;
  if (on) button.setAttribute('aria-disabled', 'true');
  else button.removeAttribute('aria-disabled');
}

export function isBusy(button) {
  return button.getAttribute('aria-disabled') === 'true';
}
