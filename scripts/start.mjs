// `npm start`: build the dashboard if needed, then run the compiled server (dist/server/main.js), which also serves it.
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { buildIfStale } from './build-if-stale.mjs'

buildIfStale({ commit: true })
const main = fileURLToPath(new URL('../dist/server/main.js', import.meta.url))
// Stack traces name server/*.ts lines through the bundle's source map.
const server = spawn(process.execPath, ['--enable-source-maps', main], { stdio: 'inherit' })
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill(signal))
server.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
