// A classifier's best classes as a list of bars: each entry says its class name and percentage in text
// (what a screen reader reads; the bar is decoration, hidden from it) above a bar as long as the score.
import { percent } from './format.js';

/** Fills the list `ol` with one entry per {name, score} (score in 0..1), best first as given. */
export function renderTopBars(ol, entries) {
  ol.replaceChildren(...entries.map(({ name, score }) => {
    const li = document.createElement('li');
    li.dataset.label = name;
    li.dataset.score = String(score);
    const label = document.createElement('span');
    label.className = 'name';
    label.textContent = name;
    const pct = document.createElement('span');
    pct.className = 'pct';
    pct.textContent = percent(score);
    const bar = document.createElement('span');
    bar.className = 'bar';
    bar.setAttribute('aria-hidden', 'true');
    const fill = document.createElement('span');
    fill.style.width = `${Math.max(0, Math.min(1, score)) * 100}%`;
    bar.append(fill);
    li.append(label, pct, bar);
    return li;
  }));
}

/** The list `ol` says the picture could not be classified and why, instead of going stale. */
export function renderTopFailure(ol, text) {
  const li = document.createElement('li');
  li.className = 'muted';
  li.textContent = `No result: ${text}`;
  ol.replaceChildren(li);
}
