// Claim: failures are classified by their innermost cause; transient broker and connection errors
// are retriable, and a refusal caused by the producer's own settings (credentials, certificate
// trust, ACLs) is not, with a hint naming the settings to check.
import { isRetriable, mayHaveBeenWritten, misconfigurationHint, rootCause } from '../../../src/delivery/failure-classification';

const wrapped = (cause: Error): Error => Object.assign(new Error('outer'), { name: 'KafkaJSNumberOfRetriesExceeded', retriable: false, cause });

it('reads the innermost cause, through cause and originalError', () => {
  const root = new Error('root');
  expect(rootCause(wrapped(Object.assign(new Error('mid'), { originalError: root })))).toBe(root);
  expect(rootCause(root)).toBe(root);
});

it('retries transient connection and broker errors, not bugs or non-retriable protocol errors', () => {
  expect(isRetriable(wrapped(Object.assign(new Error('x'), { name: 'KafkaJSConnectionClosedError' })))).toBe(true);
  expect(isRetriable(wrapped(Object.assign(new Error('x'), { name: 'KafkaJSProtocolError', retriable: true, type: 'NOT_LEADER_OR_FOLLOWER' })))).toBe(true);
  expect(isRetriable(Object.assign(new Error('outer'), { cause: Object.assign(new Error('y'), { retriable: false }) }))).toBe(false);
  expect(isRetriable(new TypeError('bug'))).toBe(false);
});

it('does not retry a refused password, an untrusted certificate or a missing ACL, and says what to check', () => {
  const sasl = Object.assign(new Error('SASL PLAIN authentication failed: Authentication failed: Invalid username or password'), { name: 'KafkaJSSASLAuthenticationError', retriable: false });
  const tls = Object.assign(new Error('Connection error: self-signed certificate'), { name: 'KafkaJSConnectionError', code: 'DEPTH_ZERO_SELF_SIGNED_CERT', retriable: true });
  const acl = Object.assign(new Error('Not authorized to access topics'), { name: 'KafkaJSProtocolError', type: 'TOPIC_AUTHORIZATION_FAILED', retriable: false });
  expect(misconfigurationHint(sasl)).toMatch(/check sasl\.username, sasl\.password and sasl\.mechanisms \(/);
  expect(misconfigurationHint(wrapped(tls))).toMatch(/ssl\.ca\.location and enable\.ssl\.certificate\.verification/);
  expect(misconfigurationHint(acl)).toMatch(/TOPIC_AUTHORIZATION_FAILED/);
  for (const error of [sasl, wrapped(tls), acl]) expect(isRetriable(error)).toBe(false);
});

it('gives no hint for other errors (a refused connection is retried: the broker may be restarting)', () => {
  const refused = Object.assign(new Error('Connection error: connect ECONNREFUSED'), { name: 'KafkaJSConnectionError', code: 'ECONNREFUSED', retriable: true });
  expect(misconfigurationHint(wrapped(refused))).toBeNull();
  expect(isRetriable(wrapped(refused))).toBe(true);
  expect(misconfigurationHint(null)).toBeNull();
});

it('tells a refused SASL exchange from one the connection broke (KafkaJS wraps both in the same class)', () => {
  const sasl = (message: string): Error => Object.assign(new Error(message), { name: 'KafkaJSSASLAuthenticationError', retriable: false });
  for (const refused of [
    'SASL SCRAM-SHA-256 authentication failed: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256',
    'SASL PLAIN mechanism is not supported by the server',
    'SASL Plain: Invalid username or password',
  ]) {
    expect(misconfigurationHint(sasl(refused))).not.toBeNull();
  }
  for (const broken of ['SASL PLAIN authentication failed: Connection closed by the server', 'SASL PLAIN authentication failed: Request SaslAuthenticate(key: 36, version: 1) timed out']) {
    expect(misconfigurationHint(sasl(broken))).toBeNull();
    expect(isRetriable(sasl(broken))).toBe(true); // although KafkaJS marks it retriable: false
  }
  expect(isRetriable(sasl('SASL PLAIN mechanism is not supported by the server'))).toBe(false);
});

it('names the address for a certificate issued to another host, and the listener for a failed handshake', () => {
  const tls = (code: string): Error => Object.assign(new Error(`Connection error: ${code}`), { name: 'KafkaJSConnectionError', code, retriable: true });
  expect(misconfigurationHint(tls('ERR_TLS_CERT_ALTNAME_INVALID'))).toMatch(/does not name the host.*bootstrap\.servers/);
  expect(misconfigurationHint(tls('ERR_SSL_WRONG_VERSION_NUMBER'))).toMatch(/ERR_SSL_WRONG_VERSION_NUMBER.*security\.protocol matches the broker's listener/);
  expect(isRetriable(tls('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED'))).toBe(false);
  // a handshake cut short by a restarting broker is not a setting's fault
  expect(misconfigurationHint(tls('ERR_SSL_UNEXPECTED_EOF_WHILE_READING'))).toBeNull();
  expect(isRetriable(tls('ERR_SSL_UNEXPECTED_EOF_WHILE_READING'))).toBe(true);
});

it('says a failed batch may have been written unless the error proves it was not (possiblyPersisted)', () => {
  const kafkaJs = (name: string, extra: Record<string, unknown> = {}): Error => Object.assign(new Error(String(extra['message'] ?? name)), { name, ...extra });
  const once = (cause: Error): Error => Object.assign(new Error('outer'), { name: 'KafkaJSNumberOfRetriesExceeded', retryCount: 0, cause });
  // sent, and no answer said it was not written
  expect(mayHaveBeenWritten(once(kafkaJs('KafkaJSRequestTimeoutError')), true)).toBe(true);
  expect(mayHaveBeenWritten(kafkaJs('KafkaJSConnectionClosedError'), true)).toBe(true);
  expect(mayHaveBeenWritten(kafkaJs('KafkaJSConnectionError', { code: 'ECONNRESET', message: 'Connection error: read ECONNRESET' }), true)).toBe(true);
  expect(mayHaveBeenWritten(kafkaJs('KafkaJSProtocolError', { type: 'REQUEST_TIMED_OUT' }), true)).toBe(true);
  expect(mayHaveBeenWritten(kafkaJs('KafkaJSProtocolError', { type: 'NOT_ENOUGH_REPLICAS_AFTER_APPEND' }), true)).toBe(true);
  expect(mayHaveBeenWritten(new TypeError('unknown'), true)).toBe(true);
  // never sent, or refused by the broker
  expect(mayHaveBeenWritten(once(kafkaJs('KafkaJSConnectionError', { code: 'ECONNREFUSED' })), true)).toBe(false);
  expect(mayHaveBeenWritten(kafkaJs('KafkaJSConnectionError', { message: 'Connection timeout' }), true)).toBe(false);
  expect(mayHaveBeenWritten(kafkaJs('KafkaJSProtocolError', { type: 'NOT_LEADER_OR_FOLLOWER' }), true)).toBe(false);
  expect(mayHaveBeenWritten(kafkaJs('KafkaJSMetadataNotLoaded'), false)).toBe(false);
  // one batch among several: KafkaJS's first error does not tell which partition it was for
  expect(mayHaveBeenWritten(kafkaJs('KafkaJSProtocolError', { type: 'NOT_LEADER_OR_FOLLOWER' }), false)).toBe(true);
  // KafkaJS retried inside the call: an earlier attempt may have been written
  const retried = Object.assign(new Error('outer'), { name: 'KafkaJSNumberOfRetriesExceeded', retryCount: 1, cause: kafkaJs('KafkaJSConnectionError', { code: 'ECONNREFUSED' }) });
  expect(mayHaveBeenWritten(retried, true)).toBe(true);
});
