// Decides what a failed metadata or Produce request means for its records: retry within
// message.timeout.ms, or fail them now. KafkaJS wraps the broker's or the socket's error one or
// more levels deep (KafkaJSNumberOfRetriesExceeded around a KafkaJSConnectionError around Node's
// TLS error), so every decision reads the innermost cause.
// A connection refused because of this producer's own settings (a wrong password, a certificate
// it does not trust, an ACL that forbids it) is not retried: waiting out message.timeout.ms
// (300 s by default) would only delay the same error, so those records fail at once, with the
// settings to check in the message. KafkaJS's send() rejects at once in these cases too.

const RETRIABLE_NAMES = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
  'KafkaJSMetadataNotLoaded',
  'KafkaJSLockTimeout',
  'KafkaJSTopicMetadataNotLoaded',
]);

/** Node's codes for a peer certificate that failed verification (tls.TLSSocket's `authorizationError`). */
const CERTIFICATE_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_SIGNATURE_FAILURE',
]);

/**
 * OpenSSL's handshake failures that settings cause: a TLS client on a plaintext listener (wrong
 * version number, or a record too long), a protocol or cipher the two sides do not share, a
 * client certificate the broker wants or refuses. Not every ERR_SSL_* code: a connection cut
 * mid-handshake (unexpected EOF) or a corrupted record is transient.
 */
const HANDSHAKE_CODES = new Set([
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'ERR_SSL_PACKET_LENGTH_TOO_LONG',
  'ERR_SSL_UNSUPPORTED_PROTOCOL',
  'ERR_SSL_NO_PROTOCOLS_AVAILABLE',
  'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE',
  'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION',
  'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
  'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA',
  'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN',
  'ERR_SSL_TLSV1_ALERT_ACCESS_DENIED',
]);

/**
 * What a KafkaJSSASLAuthenticationError says after KafkaJS's "SASL <mechanism> ... failed: "
 * prefix when the broker (or KafkaJS, before asking it) refused the exchange. KafkaJS uses the
 * same class for a connection lost or a request timed out mid-exchange, which a retry may fix.
 */
const SASL_REFUSALS = /Authentication failed|invalid credentials|Invalid username or password|not supported by the server|Missing \w|Invalid OAuth|server nonce|iterations|SASL_AUTHENTICATION_FAILED|UNSUPPORTED_SASL_MECHANISM/;

const AUTHORIZATION_TYPES = new Set([
  'TOPIC_AUTHORIZATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED',
  'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
]);

/** The innermost cause of a (KafkaJS-wrapped) error. */
export function rootCause(error: unknown): unknown {
  let current = error;
  for (let depth = 0; depth < 10; depth += 1) {
    const next = (current as { cause?: unknown; originalError?: unknown } | null)?.cause ??
      (current as { originalError?: unknown } | null)?.originalError;
    if (next === undefined || next === null || next === current) return current;
    current = next;
  }
  return current;
}

/**
 * When `error` says the broker refused this producer's credentials, certificate trust or
 * permissions: what failed and which settings to check. Null for every other error.
 */
export function misconfigurationHint(error: unknown): string | null {
  const root = rootCause(error) as { name?: string; code?: string; type?: string } | null;
  if (root === null || typeof root !== 'object') return null;
  if (root.name === 'KafkaJSSASLAuthenticationError') {
    const detail = String((root as { message?: unknown }).message ?? '').replace(/^SASL [^:]*? failed: /, '');
    if (!SASL_REFUSALS.test(detail)) return null;
    return 'the broker refused the credentials: check sasl.username, sasl.password and sasl.mechanisms (or the KafkaJS sasl option)';
  }
  if (root.code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return "the broker's TLS certificate does not name the host connected to: check bootstrap.servers and the broker's advertised listeners";
  }
  if (root.code !== undefined && CERTIFICATE_CODES.has(root.code)) {
    return "the broker's TLS certificate is not trusted: check ssl.ca.location and enable.ssl.certificate.verification (or the KafkaJS ssl option)";
  }
  if (root.code !== undefined && HANDSHAKE_CODES.has(root.code)) {
    return `the TLS handshake failed (${root.code}): check that security.protocol matches the broker's listener, and the ssl.* settings`;
  }
  if (root.type !== undefined && AUTHORIZATION_TYPES.has(root.type)) {
    return `the broker's ACLs do not allow this producer (${root.type}): check the principal's permissions`;
  }
  return null;
}

/** Whether a retry may succeed: a transient broker or connection error, and not a misconfiguration. */
export function isRetriable(error: unknown): boolean {
  if (misconfigurationHint(error) !== null) return false;
  const root = rootCause(error) as { name?: string; retriable?: boolean } | null;
  if (root === null || typeof root !== 'object') return false;
  // KafkaJS marks every SASL error non-retriable; one that is not a refusal (above) was a
  // connection lost or a timeout during the exchange
  if (root.name === 'KafkaJSSASLAuthenticationError') return true;
  return root.retriable === true || (root.name !== undefined && RETRIABLE_NAMES.has(root.name));
}

/**
 * KafkaJS errors raised before any Produce request of a sendBatch was built (its metadata does
 * not know the topic or the leader): nothing of the call was sent.
 */
const NOTHING_SENT_NAMES = new Set(['KafkaJSMetadataNotLoaded', 'KafkaJSTopicMetadataNotLoaded', 'KafkaJSBrokerNotFound']);
/** KafkaJSConnectionError messages of a connection that never opened (kafkajs/src/network/connection.js). */
const NOT_CONNECTED = /^(Connection timeout|Failed to connect|Not connected)/;
/** Socket codes of a connection that never opened. */
const CONNECT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
/**
 * Broker error codes answered for a partition whose records the leader did append: acks=all
 * timed out waiting for the replicas (REQUEST_TIMED_OUT), or they fell out of sync after the
 * append. Every other error code the broker answers means the batch was not appended.
 */
const APPENDED_TYPES = new Set(['REQUEST_TIMED_OUT', 'NOT_ENOUGH_REPLICAS_AFTER_APPEND', 'UNKNOWN_SERVER_ERROR', 'UNKNOWN']);

/**
 * Whether the broker may have written a batch whose sendBatch failed with `error` (librdkafka's
 * "possibly persisted"): true unless the error proves it was not. `alone`: the batch was the
 * only one of the call. KafkaJS sends one request per leader in parallel and rejects the call
 * with the first error, and a response's first partition error stands for all of them, so with
 * several batches only an error raised before anything was sent proves it for each. Alone, a
 * connection that never opened, a refused handshake or an error code meaning "not appended"
 * prove it too. When KafkaJS retried inside the call (an idempotent producer's one retry), an
 * earlier attempt may have been written whatever the last one says.
 */
export function mayHaveBeenWritten(error: unknown, alone: boolean): boolean {
  let current = error as { name?: string; retryCount?: number; cause?: unknown; originalError?: unknown } | null;
  for (let depth = 0; depth < 10 && current !== null && typeof current === 'object'; depth += 1) {
    if (current.name === 'KafkaJSNumberOfRetriesExceeded' && (current.retryCount ?? 0) > 0) return true;
    const next = (current.cause ?? current.originalError) as typeof current | undefined;
    if (next === undefined || next === null || next === current) break;
    current = next;
  }
  const root = rootCause(error) as { name?: string; code?: string; type?: string; message?: string } | null;
  if (root === null || typeof root !== 'object') return true;
  if (root.name !== undefined && NOTHING_SENT_NAMES.has(root.name)) return false;
  if (!alone) return true;
  if (misconfigurationHint(error) !== null) return false;
  if (root.name === 'KafkaJSLockTimeout') return false;
  if (root.name === 'KafkaJSConnectionError') {
    if (root.code !== undefined && CONNECT_CODES.has(root.code)) return false;
    return !NOT_CONNECTED.test(String(root.message ?? ''));
  }
  if (root.name === 'KafkaJSProtocolError' && root.type !== undefined) return APPENDED_TYPES.has(root.type);
  return true;
}
