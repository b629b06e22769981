// How every ConfigurationError of Decanter names a key: as the JavaScript expression that reads
// it from the options object. Identifiers follow a dot (`options.maxMessages`), any other key is
// bracket-quoted (`kafka['linger.ms']`), array items go by index (`routes[0]`). Both packages
// build their paths here so one notation reads the same everywhere and can be pasted into code.

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/**
 * `base` followed by each key in the notation above; `base` is a path already (or '' for the
 * options object itself): `configPath('kafka', 'linger.ms')` is `kafka['linger.ms']`,
 * `configPath('', 'id')` is `id`, `configPath('routes', 0, 'topics')` is `routes[0].topics`.
 */
export function configPath(base: string, ...keys: ReadonlyArray<string | number>): string {
  let path = base;
  for (const key of keys) {
    if (typeof key === 'number') path += `[${key}]`;
    else if (IDENTIFIER.test(key)) path += path === '' ? key : `.${key}`;
    else path += `['${key.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}']`;
  }
  return path;
}
