// Messages for the visitor: errors stay until dismissed (or replaced by the same message), notes fade.
// Each message names what failed and what to do; the page keeps working after any of them.
const box = () => document.getElementById('messages');

export function showMessage(text, { kind = 'error', timeout = kind === 'error' ? 0 : 6000 } = {}) {
  const container = box();
  for (const old of container.querySelectorAll('.message'))
    if (old.dataset.text === text) old.remove();
  const item = document.createElement('div');
  item.className = `message ${kind}`;
  item.dataset.text = text;
  const p = document.createElement('p');
  p.textContent = text;
  const close = document.createElement('button');
  close.type = 'button';
  close.textContent = '×';
  close.setAttribute('aria-label', 'Dismiss message');
  close.addEventListener('click', () => item.remove());
  item.append(p, close);
  container.append(item);
  if (timeout) setTimeout(() => item.remove(), timeout);
  return item;
}

export const showError = (text) => showMessage(text, { kind: 'error' });
export const showInfo = (text) => showMessage(text, { kind: 'info' });

/**
 * The notice after the inference engine or its worker was replaced (inference_client.js 'restart'
 * event detail): it stays until dismissed, since whatever was being analysed at that moment was lost.
 */
export function showRestartNotice({ restarted, reason, restored, failed, gaveUp }) {
  const what = restarted === 'worker' ? 'inference worker' : 'inference engine';
  if (gaveUp) return showError(`The ${what} keeps stopping (${reason}); reload the page to try again.`);
  const models = (n) => `${n} model${n === 1 ? '' : 's'}`;
  let text = `The ${what} stopped (${reason}) and was restarted`;
  text += restored ? `; ${models(restored)} reloaded.` : '.';
  if (failed) text += ` ${models(failed)} could not be loaded again: the page loads the demo's models anew when it next needs them (a model of your own: load it again).`;
  const item = showMessage(text, { kind: 'notice', timeout: 0 });
  item.dataset.restart = restarted;
  return item;
}

/** An Error (or anything thrown) as one readable sentence. */
export function describeError(error) {
  return error instanceof Error ? error.message : String(error);
}
