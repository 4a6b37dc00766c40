import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { AlertPage, type Alert } from '../../src/contract/alerts'
import { BuildQuery } from '../../src/contract/builds'
import { createApp } from '../app'
import { buildConfig } from '../config'
import { corpusDir, describeWithCorpus } from '../testing/corpus'
import { tempStore } from '../testing/documents'
import type { Store } from '../store/types'

/*
 * The rules over real documents: npm's and GitHub's Sigstore-signed SLSA provenance from ../shared/corpus,
 * ingested over HTTP (so evaluated at ingest, as in production) with the public-good trusted roots. A clean
 * release raises nothing; a tampered signature, an untrusted signer and a host off the allow-list raise what a
 * person would expect, with the document that shows it.
 */

const TOKEN = 'corpus-ingest'
const GH_CLI = '3-npm-github-attestations/github-gh-cli/sigstore-js-2.1.0_with_2_bundles.jsonl'
const NPM_GOOD = '3-npm-github-attestations/npm-registry/provenance-npm-test-cli-v1-prega.tgz.json'
const NPM_TAMPERED = '3-npm-github-attestations/npm-registry/provenance-npm-test-cli-v1-prega-invalidsigprov.tgz.json'
const BCR = '1-slsa-provenance/slsa-verifier/bcr/MODULE.bazel.intoto.jsonl'

type PolicyInput = { name: string; repositories: string[]; allowedHosts?: string[] }

let store: Store
let dispose: () => Promise<void>
beforeEach(async () => {
  ;({ store, dispose } = await tempStore())
})
afterEach(async () => dispose())

function appWith(policies: PolicyInput[], trusted = true) {
  const config = buildConfig(
    {
      trust: trusted
        ? { trustedRoots: ['2-dsse-sigstore-bundles/sigstore-go/trusted-root-public-good.json', '3-npm-github-attestations/github-gh-cli/trusted_root.json'], npmRegistryKeys: '3-npm-github-attestations/npm-registry/npm-sigstore-tuf-keys.json' }
        : {},
      tokens: [{ name: 'corpus', sha256: createHash('sha256').update(TOKEN).digest('hex'), scopes: ['ingest', 'read'] }],
      policies,
    },
    'corpus test config',
    corpusDir,
  )
  return createApp({ store, config, version: 'test', demo: false })
}

async function ingest(app: ReturnType<typeof createApp>, file: string): Promise<void> {
  const response = await app.request('/api/v1/attestations', {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': file.endsWith('.jsonl') ? 'application/x-ndjson' : 'application/json' },
    body: readFileSync(join(corpusDir, file)),
  })
  expect(response.status, await response.clone().text()).toBeLessThan(300)
}

async function alerts(app: ReturnType<typeof createApp>): Promise<Alert[]> {
  return AlertPage.parse(await (await app.request('/api/v1/alerts?limit=500')).json()).items
}

describeWithCorpus('anomaly rules over real provenance', () => {
  it('raises nothing on clean releases whose hosts the policy allows', async () => {
    const app = appWith([
      { name: 'sigstore-js', repositories: ['https://github.com/sigstore/*'], allowedHosts: ['github.com'] },
      { name: 'npm-test', repositories: ['https://github.com/npm/*'], allowedHosts: ['github.com'] },
    ])
    await ingest(app, GH_CLI)
    await ingest(app, NPM_GOOD)
    expect((await store.builds.list(BuildQuery.parse({ limit: 50 }))).items.length).toBeGreaterThanOrEqual(2)
    expect(await alerts(app)).toEqual([])
  })

  it('flags the tampered npm provenance as a failed verification, naming the check and the document', async () => {
    const app = appWith([])
    await ingest(app, NPM_GOOD)
    await ingest(app, NPM_TAMPERED)
    const found = await alerts(app)
    expect(found.map((alert) => [alert.rule, alert.severity, alert.cause])).toEqual([['verification-failed', 'critical', 'check provenance: bundle-signature']])
    const [alert] = found
    const build = await store.builds.get(alert?.subject.buildId ?? '')
    expect(build?.status).toBe('failed')
    expect(alert?.evidence.documents.map((document) => document.id)).toEqual([build?.document.id])
  })

  it('says who signed is not established when the trust material is missing', async () => {
    const app = appWith([], false)
    await ingest(app, BCR)
    const found = await alerts(app)
    expect(found.map((alert) => [alert.rule, alert.project])).toEqual([['signer-identity', 'aspect-build/rules_lint']])
    expect(found[0]?.evidence.found).toBe('https://github.com/bazel-contrib/publish-to-bcr/.github/workflows/publish.yaml@refs/tags/v0.0.1, which no trusted key or certificate authority vouches for')
  })

  it('does not call fetching the build’s own source out of band when the allow-list leaves its host out', async () => {
    // The provenance of sigstore-js names its own repository; an allow-list that only names the npm registry
    // must not flag the build's own source host, and does flag nothing else.
    const app = appWith([{ name: 'sigstore-js', repositories: ['https://github.com/sigstore/*'], allowedHosts: ['registry.npmjs.org'] }])
    await ingest(app, GH_CLI)
    expect((await alerts(app)).filter((alert) => alert.rule === 'out-of-band-download')).toEqual([])
  })
})
