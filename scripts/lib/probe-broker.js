#!/usr/bin/env node
// Answers "is there a Kafka broker here?" with one Metadata (v0) request over a raw socket, so the
// broker script needs nothing installed but Node. Exit 0 and print the brokers it names, or exit 1.
'use strict';
const net = require('node:net');

const [hostPort = '127.0.0.1:9092', timeoutArg = '2000'] = process.argv.slice(2);
const [host, portText] = hostPort.split(':');
const timeoutMs = Number(timeoutArg);

const clientId = Buffer.from('decanter-probe');
const body = Buffer.alloc(2 + 2 + 4 + 2 + clientId.length + 4);
let at = 0;
at = body.writeInt16BE(3, at); // api key: Metadata
at = body.writeInt16BE(0, at); // api version 0 (Kafka 4.x still accepts Metadata v0)
at = body.writeInt32BE(1, at); // correlation id
at = body.writeInt16BE(clientId.length, at);
at += clientId.copy(body, at);
body.writeInt32BE(0, at); // no topics
const frame = Buffer.alloc(4);
frame.writeInt32BE(body.length, 0);

const socket = net.connect({ host, port: Number(portText) });
const timer = setTimeout(() => fail(`no answer within ${timeoutMs} ms`), timeoutMs);
let received = Buffer.alloc(0);

function fail(reason) {
  clearTimeout(timer);
  socket.destroy();
  process.stderr.write(`probe ${hostPort}: ${reason}\n`);
  process.exit(1);
}

socket.on('connect', () => socket.write(Buffer.concat([frame, body])));
socket.on('error', (error) => fail(error.message));
socket.on('data', (chunk) => {
  received = Buffer.concat([received, chunk]);
  if (received.length < 4 || received.length < 4 + received.readInt32BE(0)) return;
  clearTimeout(timer);
  socket.end();
  // size, correlation id, then the brokers array: [node_id int32, host string, port int32]
  let pos = 8;
  const count = received.readInt32BE(pos);
  pos += 4;
  const brokers = [];
  for (let i = 0; i < count; i += 1) {
    const nodeId = received.readInt32BE(pos);
    const hostLength = received.readInt16BE(pos + 4);
    const brokerHost = received.toString('utf8', pos + 6, pos + 6 + hostLength);
    const brokerPort = received.readInt32BE(pos + 6 + hostLength);
    pos += 10 + hostLength;
    brokers.push(`${nodeId}@${brokerHost}:${brokerPort}`);
  }
  if (brokers.length === 0) fail('the broker answered but names no brokers yet');
  process.stdout.write(`${brokers.join(',')}\n`);
  process.exit(0);
});
