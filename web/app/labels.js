// Class names for classifiers: parsed from a labels file (Your model's, or the Classify mode's ImageNet list)
// and matched to the model's output count.

/** Class names from a labels file: one per line (.txt), or a JSON array or {index: name} object. */
export function parseLabels(text, fileName = '') {
  const trimmed = text.trim();
  if (fileName.endsWith('.json') || trimmed.startsWith('[') || trimmed.startsWith('{')) {
    let parsed;
    try {
      parsed = JSON.parse(trimmed);
    } catch (e) {
      throw new Error(`the labels file is not valid JSON (${e.message})`, { cause: e });
    }
    if (Array.isArray(parsed)) return parsed.map(String);
    if (parsed && typeof parsed === 'object') {
      const labels = [];
      for (const [k, v] of Object.entries(parsed)) {
        const i = Number(k);
        if (Number.isInteger(i) && i >= 0) labels[i] = Array.isArray(v) ? String(v.at(-1)) : String(v);
      }
      return labels;
    }
    throw new Error('a JSON labels file must be an array of names or an object {index: name}');
  }
  return trimmed.split(/\r?\n/).map((l) => l.trim());
}

/**
 * The labels that name a classifier's `classes` outputs, in order: all of them when the counts agree, all
 * but the first when there is one more and it is a 'background' (or unused) entry (ImageNet's 1001-line
 * files for 1000-class models), else null: any other count would shift every name.
 */
export function matchLabels(labels, classes) {
  if (!classes || labels.length === classes) return labels;
  if (labels.length === classes + 1 && /^(background|unused|\?*)$/i.test(labels[0].trim())) return labels.slice(1);
  return null;
}
