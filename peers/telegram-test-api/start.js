// Starts the telegram-test-api emulator on 127.0.0.1 for the Telegram connector's tests.
// Usage: node start.js PORT [--exit-with-stdin]. Prints "ready <url>" once listening so
// the test knows when to begin. With --exit-with-stdin it also stops when its standard
// input closes, so a test process that dies without cleaning up leaves no server behind.
'use strict';

const TelegramServer = require('telegram-test-api');

async function main() {
  const port = Number(process.argv[2] || process.env.PORT || 0);
  if (!Number.isInteger(port) || port <= 0) {
    throw new Error('usage: node start.js PORT [--exit-with-stdin]');
  }
  const server = new TelegramServer({ port, host: '127.0.0.1', storeTimeout: 600 });
  await server.start();
  process.stdout.write(`ready ${server.config.apiURL}\n`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await server.stop();
    process.exit(0);
  };
  if (process.argv.includes('--exit-with-stdin')) {
    process.stdin.on('end', stop);
    process.stdin.on('close', stop);
    process.stdin.resume();
  }
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error) => {
  process.stderr.write(`telegram-test-api failed to start: ${error.message}\n`);
  process.exit(1);
});
