// Second names of settings: the Java client's (`linger.ms`) beside the librdkafka one Decanter
// documents (`queue.buffering.max.ms`), for configs ported from either. Both packages resolve
// their `kafka` blocks through here, so an alias means the same to the producer and the consumer
// and a conflict reads the same. An alias is accepted only where the meaning (and the unit) is
// the same; a Java name that means something else is an unknown key with a hint instead.
import type { ConfigurationIssue } from './errors';

/** Alias → the setting it stands for. */
export type SettingAliases = Readonly<Record<string, string>>;

export interface ResolvedAliases {
  /** The settings with every alias under the name it stands for (the alias keys removed). */
  readonly values: Record<string, unknown>;
  /** The key the user wrote for `name`: its alias when only the alias was set, else `name`. */
  written(name: string): string;
  /** Both names set to different values: one issue per pair, naming both. */
  readonly issues: ConfigurationIssue[];
}

/** The rule of an issue where a key and its alias disagree; the same text in every contract. */
export function aliasConflictRule(aliasPath: string, aliasValue: unknown): string {
  return `conflicts with its alias ${aliasPath} (${JSON.stringify(aliasValue)})`;
}

/**
 * Resolves the aliases among `settings`. `path(key)` names a key in issues; `same(name, a, b)`
 * says when two values of `name` agree (default: identical; e.g. acks -1 and 'all' agree).
 */
export function resolveAliases(
  settings: Readonly<Record<string, unknown>>,
  aliases: SettingAliases,
  path: (key: string) => string,
  same: (name: string, a: unknown, b: unknown) => boolean = (_name, a, b) => Object.is(a, b),
): ResolvedAliases {
  const values: Record<string, unknown> = { ...settings };
  const writtenAs = new Map<string, string>();
  const issues: ConfigurationIssue[] = [];
  for (const [alias, name] of Object.entries(aliases)) {
    const aliasValue = values[alias];
    delete values[alias];
    if (aliasValue === undefined) continue;
    const value = values[name];
    if (value === undefined) {
      values[name] = aliasValue;
      writtenAs.set(name, alias);
    } else if (!same(name, value, aliasValue)) {
      issues.push({ path: path(name), rule: aliasConflictRule(path(alias), aliasValue), value });
    }
  }
  return { values, written: (name) => writtenAs.get(name) ?? name, issues };
}
