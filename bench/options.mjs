// Command-line flags shared by the bench scripts: `--name value` or `--name=value`.

/**
 * Reads argv against `spec` ({'--runs': {count: 1}, '--models': {list: true}, '--quick': {flag: true}}),
 * calling `set(flag, value)` for each; positional arguments go to `positional(arg)` (an error if absent).
 */
export function readFlags(argv, spec, set, positional) {
  for (let i = 0; i < argv.length; ++i) {
    const [flag, inline] = argv[i].split('=', 2);
    const s = spec[flag];
    if (!s) {
      if (positional && !flag.startsWith('-')) {
        positional(flag);
        continue;
      }
      throw new Error(`unknown option ${argv[i]}`);
    }
    if (s.flag) {
      set(flag, true);
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (s.list) {
      set(flag, value.split(','));
    } else {
      const n = Number(value);
      if (!Number.isInteger(n) || n < s.count) throw new Error(`${flag} needs an integer ≥ ${s.count}`);
      set(flag, n);
    }
  }
}
