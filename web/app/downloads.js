// A progress bar per model download, removed when the model is ready. Without a known total the bar
// is indeterminate (compressed responses do not say how large they will be).
import { formatBytes } from './format.js';

export function downloadBar(title) {
  const row = document.createElement('div');
  row.className = 'download';
  const label = document.createElement('span');
  label.textContent = `Downloading ${title}`;
  const bar = document.createElement('progress');
  bar.setAttribute('aria-label', `${title} download`);
  const bytes = document.createElement('span');
  bytes.className = 'bytes';
  row.append(label, bar, bytes);
  document.getElementById('downloads').append(row);
  return {
    update({ loaded, total }) {
      if (total) {
        bar.max = total;
        bar.value = Math.min(loaded, total);
        bytes.textContent = `${formatBytes(loaded)} / ${formatBytes(total)}`;
      } else {
        bar.removeAttribute('value');
        bytes.textContent = formatBytes(loaded);
      }
    },
    preparing() { label.textContent = `Preparing ${title}`; bar.removeAttribute('value'); },
    done() { row.remove(); },
  };
}
