// The librdkafka security settings (security.protocol, sasl.*, ssl.*) as configs ported from
// Karafka/WaterDrop spell them, checked and turned into KafkaJS's `ssl` and `sasl` options. The
// producer and the consumer (consumer-core imports this from @decanter/producer) share it, so one
// config means the same to both. PEM files are read here, at construction: a missing file is a
// configuration error naming its key, not a connection failure later.
import { readFileSync } from 'node:fs';
import { createSecureContext, type ConnectionOptions } from 'node:tls';
import type { SASLOptions } from 'kafkajs';
import type { ConfigurationIssue } from './errors';
import { resolveAliases } from './setting-aliases';

export type SecurityProtocol = 'plaintext' | 'ssl' | 'sasl_plaintext' | 'sasl_ssl';
export type SaslMechanism = 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512';

export interface SecuritySettings {
  /** plaintext | ssl | sasl_plaintext | sasl_ssl, in any case (librdkafka's are case-insensitive). Default plaintext. */
  'security.protocol'?: SecurityProtocol | Uppercase<SecurityProtocol>;
  /** SASL mechanism: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (for OAUTHBEARER/AWS pass KafkaJS `sasl` options). */
  'sasl.mechanisms'?: SaslMechanism;
  /** Alias (the Java client's name, which librdkafka accepts too) of `sasl.mechanisms`. */
  'sasl.mechanism'?: SaslMechanism;
  'sasl.username'?: string;
  'sasl.password'?: string;
  /** PEM file of the CA certificate(s) to trust (TLS). Read at construction. Default: Node's trusted CAs. */
  'ssl.ca.location'?: string;
  /** PEM file of the client's certificate (TLS client authentication). Read at construction. */
  'ssl.certificate.location'?: string;
  /** PEM file of the client's private key (TLS client authentication). Read at construction. */
  'ssl.key.location'?: string;
  /** Passphrase of `ssl.key.location`. */
  'ssl.key.password'?: string;
  /** Verify the broker's certificate (and host name). Default true; false is for tests only. */
  'enable.ssl.certificate.verification'?: boolean;
}

/** The security settings' aliases, alias → name (see setting-aliases.ts). */
export const SECURITY_SETTING_ALIASES = Object.freeze({ 'sasl.mechanism': 'sasl.mechanisms' } as const);
type SecurityAlias = keyof typeof SECURITY_SETTING_ALIASES;
type CanonicalSecuritySettings = Omit<SecuritySettings, SecurityAlias>;

const PROTOCOLS: readonly SecurityProtocol[] = ['plaintext', 'ssl', 'sasl_plaintext', 'sasl_ssl'];
const MECHANISMS: readonly SaslMechanism[] = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'];
const TLS_FILE_KEYS = ['ssl.ca.location', 'ssl.certificate.location', 'ssl.key.location'] as const;
const TLS_KEYS = [...TLS_FILE_KEYS, 'ssl.key.password', 'enable.ssl.certificate.verification'] as const;
const SASL_KEYS = ['sasl.mechanisms', 'sasl.username', 'sasl.password'] as const;

const isString = (v: unknown): boolean => typeof v === 'string';
const isPath = (v: unknown): boolean => typeof v === 'string' && v.length > 0;
const KEY_RULES: { readonly [K in keyof Required<CanonicalSecuritySettings>]: { rule: string; test: (v: unknown) => boolean } } = {
  'security.protocol': {
    rule: `must be one of ${PROTOCOLS.map((p) => JSON.stringify(p)).join(', ')} (in any case)`,
    test: (v) => typeof v === 'string' && (PROTOCOLS as readonly string[]).includes(v.toLowerCase()),
  },
  'sasl.mechanisms': { rule: `must be one of ${MECHANISMS.map((m) => JSON.stringify(m)).join(', ')}`, test: (v) => (MECHANISMS as readonly unknown[]).includes(v) },
  'sasl.username': { rule: 'must be a string', test: isString },
  'sasl.password': { rule: 'must be a string', test: isString },
  'ssl.ca.location': { rule: 'must be a non-empty string', test: isPath },
  'ssl.certificate.location': { rule: 'must be a non-empty string', test: isPath },
  'ssl.key.location': { rule: 'must be a non-empty string', test: isPath },
  'ssl.key.password': { rule: 'must be a string', test: isString },
  'enable.ssl.certificate.verification': { rule: 'must be a boolean', test: (v) => typeof v === 'boolean' },
};

/** Every security setting's key (their aliases: SECURITY_SETTING_ALIASES). */
export const SECURITY_SETTING_KEYS = Object.freeze(Object.keys(KEY_RULES) as Array<keyof CanonicalSecuritySettings>);

/** What an issue shows of a value: never a password. */
const shown = (key: keyof CanonicalSecuritySettings, value: unknown): unknown => (key.endsWith('password') && value !== undefined ? '***' : value);

export interface ResolvedSecurity {
  /** KafkaJS `ssl`: undefined without TLS, `true` for Node's defaults, else TLS options. */
  readonly ssl: boolean | ConnectionOptions | undefined;
  readonly sasl: SASLOptions | undefined;
  /** Every broken rule; when there are any, `ssl` and `sasl` mean nothing. */
  readonly issues: ConfigurationIssue[];
}

/**
 * Checks the security settings among `settings` and resolves them. `path(key)` names a key in
 * issues (the caller's notation); `given` says which KafkaJS options the caller passes as is
 * (they win: then the matching settings are not turned into options, nor required).
 */
export function resolveSecuritySettings(
  input: SecuritySettings,
  pathOf: (key: string) => string,
  given: { ssl: boolean; sasl: boolean },
): ResolvedSecurity {
  const aliased = resolveAliases(input as Record<string, unknown>, SECURITY_SETTING_ALIASES, pathOf);
  const settings = aliased.values as CanonicalSecuritySettings;
  const path = (key: string): string => pathOf(aliased.written(key));
  const issues: ConfigurationIssue[] = [...aliased.issues];
  for (const key of SECURITY_SETTING_KEYS) {
    const value = settings[key];
    if (value !== undefined && !KEY_RULES[key].test(value)) issues.push({ path: path(key), rule: KEY_RULES[key].rule, value: shown(key, value) });
  }
  if (issues.length > 0) return { ssl: undefined, sasl: undefined, issues };
  const protocol = (settings['security.protocol']?.toLowerCase() ?? 'plaintext') as SecurityProtocol;
  const withSasl = protocol === 'sasl_plaintext' || protocol === 'sasl_ssl';
  const withTls = protocol === 'ssl' || protocol === 'sasl_ssl';
  if (withSasl && !given.sasl) {
    if (settings['sasl.mechanisms'] === undefined) {
      issues.push({ path: path('sasl.mechanisms'), rule: `is required with ${path('security.protocol')} ${JSON.stringify(settings['security.protocol'])} (or pass KafkaJS sasl options)`, value: undefined });
    } else {
      for (const key of ['sasl.username', 'sasl.password'] as const) {
        if (settings[key] === undefined) issues.push({ path: path(key), rule: `is required with ${path('sasl.mechanisms')} ${JSON.stringify(settings['sasl.mechanisms'])}`, value: undefined });
      }
    }
  }
  if (!withSasl) {
    for (const key of SASL_KEYS) {
      if (settings[key] !== undefined) issues.push({ path: path(key), rule: `has no effect unless ${path('security.protocol')} is 'sasl_plaintext' or 'sasl_ssl'`, value: shown(key, settings[key]) });
    }
  }
  if (!withTls) {
    for (const key of TLS_KEYS) {
      if (settings[key] !== undefined) issues.push({ path: path(key), rule: `has no effect unless ${path('security.protocol')} is 'ssl' or 'sasl_ssl'`, value: shown(key, settings[key]) });
    }
  }
  if ((settings['ssl.certificate.location'] === undefined) !== (settings['ssl.key.location'] === undefined)) {
    const [present, missing] = settings['ssl.key.location'] === undefined ? ['ssl.certificate.location', 'ssl.key.location'] : ['ssl.key.location', 'ssl.certificate.location'];
    issues.push({ path: path(missing), rule: `is required with ${path(present)} (TLS client authentication needs both)`, value: undefined });
  }
  if (issues.length > 0) return { ssl: undefined, sasl: undefined, issues };
  const ssl = withTls && !given.ssl ? tlsOptions(settings, path, issues) : undefined;
  const sasl = withSasl && !given.sasl ? saslOptions(settings) : undefined;
  return { ssl, sasl, issues };
}

function tlsOptions(settings: SecuritySettings, path: (key: string) => string, issues: ConfigurationIssue[]): boolean | ConnectionOptions {
  const read = (key: (typeof TLS_FILE_KEYS)[number]): string | undefined => {
    const file = settings[key];
    if (file === undefined) return undefined;
    try {
      return readFileSync(file, 'utf8');
    } catch (error) {
      issues.push({ path: path(key), rule: `must name a readable PEM file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, value: file });
      return undefined;
    }
  };
  const tls: ConnectionOptions = {};
  const ca = read('ssl.ca.location');
  const cert = read('ssl.certificate.location');
  const key = read('ssl.key.location');
  if (ca !== undefined) tls.ca = [ca];
  if (cert !== undefined) tls.cert = cert;
  if (key !== undefined) tls.key = key;
  if (settings['ssl.key.password'] !== undefined) tls.passphrase = settings['ssl.key.password'];
  checkTlsMaterial(tls, settings, path, issues);
  if (settings['enable.ssl.certificate.verification'] === false) tls.rejectUnauthorized = false;
  return Object.keys(tls).length === 0 ? true : tls;
}

// Node would only find these at the first connection, where KafkaJS retries the connection
// error as if the broker were down. Loading them once here makes each one a ConfigurationError
// naming its setting. (Node ignores a CA file without a certificate in it: no TLS would trust it.)
function checkTlsMaterial(tls: ConnectionOptions, settings: SecuritySettings, path: (key: string) => string, issues: ConfigurationIssue[]): void {
  if (typeof tls.ca?.[0] === 'string' && !tls.ca[0].includes('-----BEGIN CERTIFICATE-----')) {
    issues.push({ path: path('ssl.ca.location'), rule: 'must be a PEM file with at least one certificate (-----BEGIN CERTIFICATE-----)', value: settings['ssl.ca.location'] });
  }
  if (tls.cert === undefined || tls.key === undefined) return;
  try {
    createSecureContext({ cert: tls.cert, key: tls.key, ...(tls.passphrase !== undefined ? { passphrase: tls.passphrase } : {}) });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_OSSL_BAD_DECRYPT') {
      const given = settings['ssl.key.password'] !== undefined;
      issues.push({
        path: path('ssl.key.password'),
        rule: given ? `does not decrypt ${path('ssl.key.location')}` : `is required: ${path('ssl.key.location')} is encrypted`,
        value: shown('ssl.key.password', settings['ssl.key.password']),
      });
    } else if (code === 'ERR_OSSL_X509_KEY_VALUES_MISMATCH') {
      issues.push({ path: path('ssl.key.location'), rule: `must hold the private key of ${path('ssl.certificate.location')} (they do not match)`, value: settings['ssl.key.location'] });
    } else {
      issues.push({
        path: path('ssl.certificate.location'),
        rule: `and ${path('ssl.key.location')} must be a PEM certificate and its key (${code ?? (error as Error).message})`,
        value: settings['ssl.certificate.location'],
      });
    }
  }
}

function saslOptions(settings: SecuritySettings): SASLOptions | undefined {
  const username = settings['sasl.username'] ?? '';
  const password = settings['sasl.password'] ?? ''; // both required by the rules above
  switch (settings['sasl.mechanisms']) {
    case 'PLAIN':
      return { mechanism: 'plain', username, password };
    case 'SCRAM-SHA-256':
      return { mechanism: 'scram-sha-256', username, password };
    case 'SCRAM-SHA-512':
      return { mechanism: 'scram-sha-512', username, password };
    default:
      return undefined;
  }
}
