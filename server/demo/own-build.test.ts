import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ArtifactDetail } from '../../src/contract/artifacts'
import { BuildPage } from '../../src/contract/builds'
import { attestationFiles } from '../../domain/build-outputs'
import { jsonFile, sbomOfBuild } from '../../scripts/sbom'
import { demoBuildSigningKey, provenanceOfBuild, sbomStatement, signStatement } from '../../scripts/provenance'
import { createApp } from '../app'
import { tempStore } from '../testing/documents'
import { OwnBuild } from '../../src/contract/meta'
import { appRoot, compareOwnBuild, describeOwnBuild, ingestOwnBuild, readOutputs, runningFromBuild, withOwnBuildKey, type OwnBuildOutcome } from './own-build'
import { demoConfig } from './seed'

/** A checkout with one commit and a small dist/, attested as `npm run build` attests it. */
function makeBuiltCheckout(): { root: string; commit: string } {
  const root = mkdtempSync(join(tmpdir(), 'own-build-'))
  const write = (path: string, text: string) => {
    mkdirSync(join(root, path, '..'), { recursive: true })
    writeFileSync(join(root, path), text)
  }
  write('package.json', JSON.stringify({ name: 'provenance-dashboard', version: '1.2.3', dependencies: { hono: '^4.0.0' } }))
  write(
    'package-lock.json',
    JSON.stringify({
      name: 'provenance-dashboard',
      version: '1.2.3',
      lockfileVersion: 3,
      packages: {
        '': { name: 'provenance-dashboard', version: '1.2.3', dependencies: { hono: '^4.0.0' } },
        'node_modules/hono': { version: '4.6.0', integrity: `sha512-${Buffer.alloc(64, 7).toString('base64')}`, license: 'MIT' },
      },
    }),
  )
  const env = { ...process.env, GIT_AUTHOR_DATE: '2026-01-02T03:04:05Z', GIT_COMMITTER_DATE: '2026-01-02T03:04:05Z' }
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', ...args], { cwd: root, env, encoding: 'utf8' }).trim()
  git('init', '--quiet')
  git('add', 'package.json', 'package-lock.json')
  git('commit', '--quiet', '-m', 'the source')
  write('dist/index.html', '<!doctype html><script type="module" src="/assets/index-abc.js"></script>')
  write('dist/assets/index-abc.js', 'console.log("dashboard")\n')
  write('dist/server/main.js', 'export {}\n')
  const unset = { ...process.env, SOURCE_DATE_EPOCH: '', PROVENANCE_SOURCE_URI: '', PROVENANCE_BUILDER_ID: '' }
  const outputs = readOutputs(root)
  write(attestationFiles.sbom, jsonFile(sbomOfBuild(root)))
  write(attestationFiles.provenance, jsonFile(signStatement(provenanceOfBuild(root, unset), demoBuildSigningKey())))
  write(attestationFiles.sbomEnvelope, jsonFile(signStatement(sbomStatement(sbomOfBuild(root), outputs), demoBuildSigningKey())))
  return { root, commit: git('rev-parse', 'HEAD') }
}

function ingested(outcome: OwnBuildOutcome) {
  if (!outcome.ingested) throw new Error(`expected the own build to be ingested: ${outcome.reason}`)
  return outcome
}

describe("the running program's own build in the demo", () => {
  let checkout: { root: string; commit: string }
  let context: Awaited<ReturnType<typeof tempStore>>
  beforeEach(async () => {
    checkout = makeBuiltCheckout()
    context = await tempStore()
  })
  afterEach(async () => {
    await context.dispose()
    rmSync(checkout.root, { recursive: true, force: true })
  })

  it('verifies with the build key trusted, as the build of its commit, every file an artifact with its SBOM', async () => {
    const config = withOwnBuildKey(demoConfig())
    const outcome = ingested(await ingestOwnBuild(context.store, config, { root: checkout.root, fromBuild: true }))
    expect(outcome.documents.map((document) => document.status)).toEqual(['verified', 'verified'])
    expect(outcome.comparison).toEqual({ matched: ['dist/assets/index-abc.js', 'dist/index.html', 'dist/server/main.js'], changed: [], missing: [], unlisted: [], undigested: [] })

    const app = createApp({ store: context.store, config, version: '1.2.3', demo: true })
    const page = BuildPage.parse(await (await app.request('/api/v1/builds?project=provenance-dashboard')).json())
    expect(page.items).toHaveLength(1)
    const build = page.items[0]!
    expect(build).toMatchObject({ project: 'provenance-dashboard', sourceCommit: checkout.commit, status: 'verified', buildType: 'urn:provenance-dashboard:build-type:npm-run-build:v1' })
    expect(build.subjects.map((subject) => subject.name)).toEqual(['dist/assets/index-abc.js', 'dist/index.html', 'dist/server/main.js'])

    const server = build.subjects.find((subject) => subject.name === 'dist/server/main.js')!
    const artifact = await app.request(`/api/v1/artifacts/sha256:${server.digest.sha256}`)
    expect(artifact.status).toBe(200)
    const detail = ArtifactDetail.parse(await artifact.json())
    expect(detail.builds.map((item) => item.id)).toEqual([build.id])
    expect(detail.sbom).not.toBeNull()
  })

  it('is untrusted when the config does not trust the build key: the key is what makes it verified', async () => {
    const outcome = ingested(await ingestOwnBuild(context.store, demoConfig(), { root: checkout.root, fromBuild: true }))
    expect(outcome.documents.map((document) => document.status)).toEqual(['untrusted', 'untrusted'])
  })

  it('names the file that changed after the build, with both digests', async () => {
    writeFileSync(join(checkout.root, 'dist/assets/index-abc.js'), 'console.log("something else")\n')
    writeFileSync(join(checkout.root, 'dist/assets/extra.js'), 'export {}\n')
    const outcome = ingested(await ingestOwnBuild(context.store, withOwnBuildKey(demoConfig()), { root: checkout.root, fromBuild: true }))
    expect(outcome.comparison.changed.map((file) => file.name)).toEqual(['dist/assets/index-abc.js'])
    expect(outcome.comparison.unlisted).toEqual(['dist/assets/extra.js'])
    expect(outcome.comparison.matched).toEqual(['dist/index.html', 'dist/server/main.js'])
    const lines = describeOwnBuild(outcome)
    expect(lines).toContain('dist/ differs from its provenance:')
    expect(lines.find((line) => line.includes('dist/assets/index-abc.js'))).toMatch(/SHA-256 [0-9a-f]{64} on disk, [0-9a-f]{64} attested/)
  })

  it('answers GET /api/v1/own-build with the file changed after the build, by the digest attested and the digest served', async () => {
    const config = withOwnBuildKey(demoConfig())
    ingested(await ingestOwnBuild(context.store, config, { root: checkout.root, fromBuild: true }))
    const attested = readOutputs(checkout.root).find((file) => file.name === 'dist/assets/index-abc.js')!.sha256
    writeFileSync(join(checkout.root, 'dist/assets/index-abc.js'), 'console.log("changed after the build")\n')
    const served = readOutputs(checkout.root).find((file) => file.name === 'dist/assets/index-abc.js')!.sha256
    const app = createApp({ store: context.store, config, version: '1.2.3', demo: true, ownBuild: compareOwnBuild({ root: checkout.root, fromBuild: true }) })
    const response = await app.request('/api/v1/own-build')
    expect(response.status).toBe(200)
    expect(OwnBuild.parse(await response.json())).toEqual({
      compared: true,
      provenance: 'dist/attestations/provenance.dsse.json',
      matched: 2,
      changed: [{ name: 'dist/assets/index-abc.js', attested: `sha256:${attested}`, served: `sha256:${served}` }],
      missing: [],
      unlisted: [],
    })
    // The artifact the provenance attests is still stored under the attested digest; the page looks it up there.
    expect((await app.request(`/api/v1/artifacts/sha256:${attested}`)).status).toBe(200)
  })

  it('compares nothing from source, and says so over HTTP', async () => {
    expect(compareOwnBuild({ root: checkout.root, fromBuild: false })).toEqual({ compared: false, reason: 'the server runs from source, not from dist/server/main.js, so it has no build of its own to show' })
    const app = createApp({ store: context.store, config: demoConfig(), version: '1.2.3', demo: true })
    expect(OwnBuild.parse(await (await app.request('/api/v1/own-build')).json())).toMatchObject({ compared: false })
  })

  it('is skipped, saying why, from source or without a build', async () => {
    const fromSource = await ingestOwnBuild(context.store, demoConfig(), { root: checkout.root, fromBuild: false })
    expect(describeOwnBuild(fromSource)).toEqual(['own build not shown: the server runs from source, not from dist/server/main.js, so it has no build of its own to show'])
    rmSync(join(checkout.root, attestationFiles.provenance))
    const unbuilt = await ingestOwnBuild(context.store, demoConfig(), { root: checkout.root, fromBuild: true })
    expect(unbuilt).toEqual({ ingested: false, reason: 'no build-time attestations (dist/attestations/provenance.dsse.json); npm run build writes them' })
    expect(await context.store.documents.count()).toBe(0)
  })

  it('finds the checkout from source and from the build, and tells them apart', () => {
    const root = checkout.root
    expect(appRoot(pathToFileURL(join(root, 'dist/server/main.js')).href)).toBe(root)
    expect(appRoot(pathToFileURL(join(root, 'dist/index.html')).href)).toBe(root)
    expect(runningFromBuild(pathToFileURL(join(root, 'dist/server/main.js')).href, root)).toBe(true)
    expect(runningFromBuild(pathToFileURL(join(root, 'server/main.ts')).href, root)).toBe(false)
    expect(runningFromBuild(pathToFileURL(join(root, 'dist-old/server/main.js')).href, root)).toBe(false)
  })
})
