// The credit of the sample photo on show, under the picture: credit line, licence and source, read from
// the photos' own ATTRIBUTION.md (served beside them at /photos/), so the page says exactly what the
// repository's credits say. Markdown links in a cell become links; any other text stays text.

const ATTRIBUTION_URL = 'photos/ATTRIBUTION.md';
const LINK = /\[([^\]]+)\]\((https:\/\/[^)\s]+)\)/g;

/** {file → {credit, licence, source}} from ATTRIBUTION.md's table headed “| file | credit line | licence | source |”. */
export function parseAttribution(markdown) {
  const credits = {};
  let inTable = false;
  for (const line of markdown.split(/\r?\n/)) {
    const cells = line.trim().startsWith('|') ? line.trim().slice(1, -1).split('|').map((c) => c.trim()) : null;
    if (!cells) {
      inTable = false;
      continue;
    }
    if (cells[0] === 'file' && cells[1] === 'credit line') {
      inTable = true;
      continue;
    }
    if (!inTable || /^-+$/.test(cells[0]) || cells.length < 4) continue;
    const [file, credit, licence, source] = cells;
    credits[file] = { credit, licence, source };
  }
  return credits;
}

/** A cell's text as DOM nodes, its [text](https://…) links as <a>. */
function cellNodes(text) {
  const nodes = [];
  let last = 0;
  for (const m of text.matchAll(LINK)) {
    if (m.index > last) nodes.push(document.createTextNode(text.slice(last, m.index)));
    const a = document.createElement('a');
    a.href = m[2];
    a.textContent = m[1];
    a.rel = 'noreferrer';
    nodes.push(a);
    last = m.index + m[0].length;
  }
  if (last < text.length) nodes.push(document.createTextNode(text.slice(last)));
  return nodes;
}

export class PhotoCredit {
  constructor(element) {
    this.element = element;
    this.credits = null; // Promise of the parsed table, fetched once when first needed
    this.shown = null;
  }

  #table() {
    this.credits ??= fetch(ATTRIBUTION_URL)
      .then((r) => (r.ok ? r.text() : Promise.reject(new Error(`HTTP ${r.status}`))))
      .then(parseAttribution)
      .catch((e) => {
        this.credits = null; // try again next time
        throw e;
      });
    return this.credits;
  }

  /** Shows the credit of the sample photo `file`, or hides the line (null: the camera or a visitor's photo). */
  async show(file) {
    this.shown = file;
    if (!file) {
      this.element.hidden = true;
      this.element.replaceChildren();
      return;
    }
    let entry;
    try {
      entry = (await this.#table())[file];
    } catch {
      entry = null;
    }
    if (this.shown !== file) return; // another picture came meanwhile
    const parts = entry
      ? [['Credit: ', entry.credit], [' · Licence: ', entry.licence], [' · Source: ', entry.source]]
      : [['Credit: ', `${file} (its credit line is in tests/data/photos/ATTRIBUTION.md)`]];
    this.element.replaceChildren(...parts.flatMap(([lead, text]) => [document.createTextNode(lead), ...cellNodes(text)]));
    this.element.dataset.photo = file;
    this.element.hidden = false;
  }
}
