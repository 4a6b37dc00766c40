#!/usr/bin/env node
// The package's bin (`npx provenance-dashboard …`): runs server/verify/cli.ts through tsx, so the command line judges
// documents with the server's own TypeScript, not a compiled copy that could lag behind it.
import { register } from 'tsx/esm/api'

register()
const { main } = await import('../server/verify/cli.ts')
process.exitCode = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() })
