// Class names for “Your model”, from the labels file a visitor picks.

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
