// Small declarative checks shared by the options and routing contracts. Each returns the rule text
// when the value breaks it, or null, so a contract is a list of (path, check) pairs and every bad
// key is reported in one ConfigurationError instead of the first one only.
// Paths are written as @decanter/producer's configPath writes them (`options.kafka['linger.ms']`),
// and unknown keys get its "did you mean": one notation and one wording in both packages.
import { aliasConflictRule, configPath, unknownKeyRule } from '@decanter/producer';
import type { ConfigurationIssue } from './errors';

export type Check = (value: unknown) => string | null;

/** The spelling of a key the user wrote: `camel` when set, else the first alias set (`camel` when none is). */
export function writtenKey(object: Record<string, unknown>, camel: string, aliases: readonly string[]): string {
  return object[camel] !== undefined ? camel : (aliases.find((alias) => object[alias] !== undefined) ?? camel);
}

export const isInteger =
  (min: number, max = Number.MAX_SAFE_INTEGER): Check =>
  (v) =>
    typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max
      ? null
      : max === Number.MAX_SAFE_INTEGER
        ? `must be an integer >= ${min}`
        : `must be an integer between ${min} and ${max}`;

export const isBoolean: Check = (v) => (typeof v === 'boolean' ? null : 'must be a boolean');

export const isNonEmptyString: Check = (v) =>
  typeof v === 'string' && v.trim().length > 0 ? null : 'must be a non-empty string';

export const isOneOf =
  (allowed: readonly unknown[]): Check =>
  (v) =>
    allowed.includes(v) ? null : `must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`;

export const isPlainObject: Check = (v) =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? null : 'must be an object';

/** Collects issues for one contract run. */
export class IssueList {
  readonly issues: ConfigurationIssue[] = [];

  add(path: string, rule: string, value: unknown): void {
    this.issues.push({ path, rule, value });
  }

  /** Applies `check` when the value is present (undefined means "use the default"). */
  optional(path: string, value: unknown, check: Check): void {
    if (value === undefined) return;
    const rule = check(value);
    if (rule !== null) this.add(path, rule, value);
  }

  required(path: string, value: unknown, check: Check): void {
    if (value === undefined) {
      this.add(path, 'is required', value);
      return;
    }
    this.optional(path, value, check);
  }

  /**
   * Reports every key of `object` that is not in `known`, with the nearest known key as a
   * suggestion; `what` names the kind of key ('option', 'setting'), `hints` explain keys that
   * mean something else here, `otherwise` ends the rule when there is no suggestion.
   */
  unknownKeys(
    path: string,
    object: object,
    known: readonly string[],
    what = 'option',
    more: { hints?: Readonly<Record<string, string>>; otherwise?: string } = {},
  ): void {
    for (const key of Object.keys(object)) {
      if (!known.includes(key)) this.add(configPath(path, key), unknownKeyRule(key, known, what, more), (object as Record<string, unknown>)[key]);
    }
  }

  /** Reads `camel` or its guide alias `snake`; reports a conflict when both are set differently. */
  aliased(path: string, object: Record<string, unknown>, camel: string, snake: string): unknown {
    return this.aliasedAll(path, object, camel, [snake]);
  }

  /**
   * Reads `camel` or one of its aliases and checks the value, reporting it under the key the user
   * wrote (`options.max_messages`, not `options.maxMessages`); a conflict is reported as `aliasedAll`.
   */
  optionalAliased(path: string, object: Record<string, unknown>, camel: string, aliases: string | readonly string[], check: Check): unknown {
    const names = typeof aliases === 'string' ? [aliases] : aliases;
    const value = this.aliasedAll(path, object, camel, names);
    this.optional(configPath(path, writtenKey(object, camel, names)), value, check);
    return value;
  }

  /** Like `aliased`, for a key with several aliases (e.g. `pauseTimeoutMs`, `pause_timeout`, `'pause.timeout'`). */
  aliasedAll(path: string, object: Record<string, unknown>, camel: string, aliases: readonly string[]): unknown {
    let value = object[camel];
    for (const alias of aliases) {
      const other = object[alias];
      if (other === undefined) continue;
      if (value !== undefined && value !== other) {
        this.add(configPath(path, camel), aliasConflictRule(configPath(path, alias), other), value);
      }
      value ??= other;
    }
    return value;
  }
}
