import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OwnBroker } from './own-broker';

/** A broker's SASL_SSL listener: where it is, the certificate to trust, and its user. */
export interface SecureListener {
  /** `127.0.0.1:<port>`, for `bootstrap.servers` / KafkaJS `brokers`. */
  readonly address: string;
  /** The listener's self-signed certificate (PEM), for TLS `ca`. */
  readonly ca: string;
  /** The file it is in (for `ssl.ca.location`). */
  readonly caPath: string;
  /** SASL/PLAIN credentials the listener accepts. */
  readonly username: string;
  readonly password: string;
}

/**
 * Every broker scripts/kafka starts also listens with SASL_SSL (SASL/PLAIN, a self-signed
 * certificate for 127.0.0.1) on its client port + 2. The tests of the clients' SASL and TLS
 * settings use one of their own (`ownBroker`), so they do not depend on how the shared broker was
 * started (it may be a user's Docker one). Call after `broker.start()`.
 */
export function secureListener(broker: OwnBroker): SecureListener {
  const port = Number(broker.address.split(':')[1]);
  const caPath = join(broker.runDir, 'tls', 'ca.pem');
  if (!existsSync(caPath)) throw new Error(`No SASL_SSL certificate at ${caPath}: start the broker (scripts/kafka) first`);
  // The throw-away user scripts/kafka configures.
  return { address: `127.0.0.1:${port + 2}`, ca: readFileSync(caPath, 'utf8'), caPath, username: 'decanter', password: 'decanter-secret' };
}
