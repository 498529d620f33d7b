// A real Bluesky PDS for Fanloop's connector tests: an in-memory PLC directory plus the
// reference PDS (`@atproto/pds`), both on 127.0.0.1, with a throw-away data directory.
//
// Install (Node 20; the rebuild compiles better-sqlite3, a few minutes):
//   npm ci --prefix peers/bluesky-pds && npm rebuild --prefix peers/bluesky-pds better-sqlite3
// Usage: node pds.mjs [--port N]   (or FANLOOP_PDS_PORT=N; default: a free port)
//
// Protocol with the test that spawns it:
// - stdout carries exactly one line, `{"pds":"http://127.0.0.1:PORT","plc":"…"}`, once
//   both servers answer; everything else (logs, errors) goes to stderr, so an unread
//   stdout pipe can never fill up and stall the server.
// - The servers stop and the data directory is removed when stdin closes. The test
//   holds stdin open for as long as it needs the PDS, so the PDS goes away with the test
//   process however that ends (even when it is killed and cannot clean up itself).

import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const HOST = '127.0.0.1'

// The PDS's logger is configured from the environment when its module loads: keep any
// logging a developer switches on (LOG_ENABLED=true) off stdout.
process.env.LOG_DESTINATION ??= '/dev/stderr'
const { PDS, envToCfg, envToSecrets } = (await import('@atproto/pds')).default
const { PlcServer, Database: PlcDatabase } = (await import('@did-plc/server')).default

/** The port asked for on the command line or in the environment, else a free one. */
async function choosePort() {
  const flag = process.argv.indexOf('--port')
  const asked = flag >= 0 ? process.argv[flag + 1] : process.env.FANLOOP_PDS_PORT
  if (asked) return Number(asked)
  // The PDS must know its port before it starts (it is part of its public URL), so
  // borrow one from the OS and hand it back.
  const probe = net.createServer().listen(0, HOST)
  await once(probe, 'listening')
  const { port } = probe.address()
  probe.close()
  await once(probe, 'close')
  return port
}

/** Express apps listen on every interface by default; these servers must stay local. */
function loopbackOnly(app) {
  app.listen = (port) => http.createServer(app).listen(port, HOST)
}

/** A fresh secp256k1 private key as 64 hex digits, the PLC rotation key. */
function k256PrivateKeyHex() {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'secp256k1' })
  return Buffer.from(privateKey.export({ format: 'jwk' }).d, 'base64url').toString('hex')
}

const dataDir = mkdtempSync(join(tmpdir(), 'fanloop-pds-'))
let plc
let pds
let stopping = false

async function stop(code) {
  if (stopping) return
  stopping = true
  // Shutting down is best effort: the data directory goes either way.
  const timeout = new Promise((resolve) => setTimeout(resolve, 3000).unref())
  await Promise.race([
    Promise.allSettled([pds?.destroy(), plc?.destroy()]),
    timeout,
  ])
  rmSync(dataDir, { recursive: true, force: true })
  process.exit(code)
}

process.stdin.on('end', () => stop(0))
process.stdin.on('error', () => stop(0))
process.stdin.resume()
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => stop(0))

try {
  plc = PlcServer.create({ db: PlcDatabase.mock(), port: 0 })
  loopbackOnly(plc.app)
  const plcServer = await plc.start()
  const plcUrl = `http://${HOST}:${plcServer.address().port}`

  const port = await choosePort()
  const env = {
    hostname: 'localhost',
    port,
    devMode: true,
    inviteRequired: false,
    jwtSecret: randomBytes(16).toString('hex'),
    adminPassword: randomBytes(16).toString('hex'),
    plcRotationKeyK256PrivateKeyHex: k256PrivateKeyHex(),
    dataDirectory: dataDir,
    blobstoreDiskLocation: join(dataDir, 'blobs'),
    didPlcUrl: plcUrl,
    // Accounts are named `*.test`, which only a dev-mode PDS serves.
    serviceHandleDomains: ['.test'],
    crawlers: [],
  }
  pds = await PDS.create(envToCfg(env), envToSecrets(env))
  loopbackOnly(pds.app)
  await pds.start()

  process.stdout.write(JSON.stringify({ pds: `http://${HOST}:${port}`, plc: plcUrl }) + '\n')
  // Keep the promise that stdout carries one line: anything printed later goes to stderr.
  process.stdout.write = process.stderr.write.bind(process.stderr)
} catch (err) {
  console.error('fanloop: the PDS did not start:', err)
  await stop(1)
}
