import { readFileSync, writeFileSync } from 'node:fs'
import { openApiDocument } from '../src/contract/openapi'

// docs/openapi.json is the committed copy of GET /api/openapi.json; a test fails when it is stale.
const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
writeFileSync(new URL('../docs/openapi.json', import.meta.url), `${JSON.stringify(openApiDocument(version), null, 2)}\n`)
console.log('wrote docs/openapi.json')
