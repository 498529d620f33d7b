// A loopback SMTP server for Fanloop's email notification test, built on nodemailer's
// smtp-server. Usage: node server.js PORT [--exit-with-stdin].
//
// It accepts any user name and password (the test checks that a login happened, not
// which), offers no TLS (the test uses plain SMTP, which Fanloop allows only to
// loopback), and prints one JSON line per event on standard output:
//   {"ready": "127.0.0.1:PORT"}                       once listening
//   {"auth": {method, username}}                      for each login
//   {"mail": {from, to, user, data}}                  for each message, data is the raw message
// With --exit-with-stdin it stops when its standard input closes, so a test process that
// dies without cleaning up leaves no server behind.
'use strict';

const { SMTPServer } = require('smtp-server');

function emit(event) {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

function main() {
  const port = Number(process.argv[2]);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new Error('usage: node server.js PORT [--exit-with-stdin]');
  }
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    // Plain-text login is what the client under test does on loopback; allow it.
    allowInsecureAuth: true,
    authOptional: false,
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    onAuth(auth, _session, callback) {
      emit({ auth: { method: auth.method, username: auth.username } });
      callback(null, { user: auth.username });
    },
    onData(stream, session, callback) {
      const chunks = [];
      stream.on('data', (chunk) => chunks.push(chunk));
      stream.on('end', () => {
        emit({
          mail: {
            from: session.envelope.mailFrom && session.envelope.mailFrom.address,
            to: session.envelope.rcptTo.map((r) => r.address),
            user: session.user || null,
            data: Buffer.concat(chunks).toString('utf8'),
          },
        });
        callback();
      });
    },
  });
  server.on('error', (error) => {
    process.stderr.write(`smtp-server: ${error.message}\n`);
  });
  server.listen(port, '127.0.0.1', () => emit({ ready: `127.0.0.1:${port}` }));

  const stop = () => server.close(() => process.exit(0));
  if (process.argv.includes('--exit-with-stdin')) {
    process.stdin.on('end', stop);
    process.stdin.on('close', stop);
    process.stdin.resume();
  }
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

try {
  main();
} catch (error) {
  process.stderr.write(`smtp-server failed to start: ${error.message}\n`);
  process.exit(1);
}
