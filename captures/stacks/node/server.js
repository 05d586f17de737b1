// node server: a Node.js https server that asks for a client certificate. Used by
// captures/make-stacks.sh. Serves one connection, then exits.
//   --mode reject  requestCert: true, rejectUnauthorized: true (Node refuses in TLS)
//   --mode app     requestCert: true, rejectUnauthorized: false; the request handler checks
//                  req.socket.authorized and answers 401 (no certificate) or 403 (not authorized)
// Its output is the log: "error: tlsClientError: <code>: <message>" for a TLS failure, a
// "request:" line per request, "client certificate verified: ..." or "error: 401|403 ...".
'use strict';
const fs = require('fs');
const https = require('https');

const args = {};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
const port = Number(args.port);
const version = args.tls === '1.2' ? 'TLSv1.2' : 'TLSv1.3';
const mode = args.mode || 'reject';

const server = https.createServer({
  key: fs.readFileSync(args.key || 'pki/server.key'),
  cert: fs.readFileSync(args.cert || 'pki/server.chain.pem'),
  ca: fs.readFileSync(args.cafile || 'pki/root.pem'),
  requestCert: true,
  rejectUnauthorized: mode === 'reject',
  minVersion: version,
  maxVersion: version,
}, (req, res) => {
  const s = req.socket;
  const peer = s.getPeerCertificate();
  const has = peer && Object.keys(peer).length > 0;
  console.log(`request: ${req.method} ${req.url} over ${s.getProtocol()} ${s.getCipher().standardName}, ` +
              `authorized=${s.authorized}, authorizationError=${s.authorizationError || null}, ` +
              `peer certificate: ${has ? peer.subject.CN + ' (issuer ' + peer.issuer.CN + ')' : 'none'}`);
  let status = 200, body;
  if (s.authorized) {
    console.log(`client certificate verified: CN=${peer.subject.CN} (issuer ${peer.issuer.CN})`);
    body = `hello ${peer.subject.CN}\n`;
  } else if (!has) {
    status = 401; body = 'client certificate required\n';
    console.log(`error: 401: no client certificate (authorizationError ${s.authorizationError})`);
  } else {
    status = 403; body = `client certificate not accepted: ${s.authorizationError}\n`;
    console.log(`error: 403: client certificate CN=${peer.subject.CN} not authorized: ${s.authorizationError}`);
  }
  res.writeHead(status, { 'Content-Type': 'text/plain', 'Connection': 'close' });
  res.end(body);
});
server.on('tlsClientError', (err, tlsSocket) => {
  // with rejectUnauthorized: true Node itself destroys the socket after a handshake whose
  // certificate check failed (no alert); the reason is then only in tlsSocket.authorizationError
  console.log(`error: tlsClientError: ${err.code}: ${err.message.trim()}` + (err.reason ? ` (reason: ${err.reason})` : '') +
              `; tlsSocket.authorizationError: ${tlsSocket.authorizationError || null}`);
});
if (args.keylog) server.on('keylog', (line) => fs.appendFileSync(args.keylog, line));
server.on('connection', (sock) => {
  sock.on('close', () => { console.log('connection closed'); server.close(); });
});
server.listen(port, '127.0.0.1', () => {
  console.log(`listening on 127.0.0.1:${port} (Node ${process.version}, OpenSSL ${process.versions.openssl}, ` +
              `${version} only, requestCert: true, rejectUnauthorized: ${mode === 'reject'})`);
});
