import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { appendFileSync, copyFileSync, cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startServer } from '../server/testing/run-server'
import { expect, test } from './fixtures'

/*
 * The program as `npm start` runs it, compiled (dist/server/main.js, which global-setup built), shown its own build:
 * `npm run provenance` signs the provenance and SBOM of dist/ and posts them, and the dashboard shows them as a
 * verified build of the commit, every served file an attested artifact.
 */

const root = fileURLToPath(new URL('..', import.meta.url))

test('npm run provenance posts the build of dist/ to the compiled server, which shows it verified, from its commit to the files it serves', async ({ page }) => {
  test.setTimeout(120_000)
  // The built-in demo config (which trusts the build key when run from dist/), without the 1,600 demo builds.
  const running = await startServer({ demo: true, fromBuild: true, seed: false })
  const url = running.url
  const work = mkdtempSync(join(tmpdir(), 'own-build-e2e-'))
  try {
    const envelopePath = join(work, 'provenance.dsse.json')
    const posted = execFileSync(
      process.execPath,
      ['--import', 'tsx', 'scripts/provenance.ts', '--demo-key', '--out', envelopePath, '--sbom-out', join(work, 'sbom.dsse.json'), '--url', url, '--token', running.ingestToken],
      { cwd: root, encoding: 'utf8' },
    )
    expect(posted).toMatch(/provenance posted to .*\(verified\)/)
    expect(posted).toMatch(/SBOM posted to .*\(verified\)/)

    const envelope = JSON.parse(readFileSync(envelopePath, 'utf8')) as { payload: string }
    const statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8')) as {
      subject: { name: string; digest: { sha256: string } }[]
      predicate: { buildDefinition: { resolvedDependencies: { digest?: { gitCommit?: string } }[] } }
    }
    // A build's id is the SHA-256 of its document as stored: the envelope as posted.
    const buildId = createHash('sha256').update(readFileSync(envelopePath)).digest('hex')
    const commit = statement.predicate.buildDefinition.resolvedDependencies[0]?.digest?.gitCommit ?? ''
    expect(commit).toMatch(/^[0-9a-f]{40}$/)

    await page.goto(`${url}/builds?project=provenance-dashboard`)
    const build = page.getByRole('link', { name: `provenance-dashboard build at ${commit.slice(0, 7)}, Verified` })
    await build.click()
    await expect(page.getByRole('heading', { level: 1 })).toContainText('provenance-dashboard')
    const signature = page.getByRole('table', { name: /Checks/ }).getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'envelope-signature' }) })
    await expect(signature).toContainText('verifies with ed25519 key provenance-dashboard-demo-build')

    // The server bundle that is running is an artifact of that build, its digest the file's.
    const server = readFileSync(join(root, 'dist', 'server', 'main.js'))
    const digest = createHash('sha256').update(server).digest('hex')
    expect(statement.subject).toContainEqual({ name: 'dist/server/main.js', digest: { sha256: digest } })
    await page.goto(`${url}/artifacts/sha256:${digest}`)
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('dist/server/main.js')
    const attestations = page.getByRole('region', { name: /Attestations and signatures/ })
    await expect(attestations.getByRole('article')).toHaveCount(2)
    await expect(attestations.getByRole('article', { name: 'DSSE envelope · https://slsa.dev/provenance/v1' })).toContainText('Verified')
    await expect(attestations.getByRole('article', { name: 'CycloneDX SBOM in a DSSE envelope' })).toContainText('Verified')
    await expect(page.getByRole('region', { name: 'Software bill of materials' })).toContainText('CycloneDX 1.6')

    // Hundreds of files do not fill the artifacts list: its first five, then how many more, linking to all of them.
    await page.goto(`${url}/artifacts`)
    const table = page.getByRole('table', { name: 'Artifacts' })
    const more = table.getByRole('link', { name: `${statement.subject.length - 5} more artifacts of build ${buildId.slice(0, 12)}…` })
    await expect(table.getByRole('row')).toHaveCount(1 + 5 + 1)
    await more.click()
    await expect(page).toHaveURL(`${url}/builds/${buildId}#subjects`)
    await expect(page.getByRole('heading', { name: `Artifacts (${statement.subject.length})` })).toBeInViewport()
  } finally {
    await running.stop()
    rmSync(work, { recursive: true, force: true })
  }
})

test('a file of dist/ changed after the build is named on its artifact page, the digest served beside the digest attested', async ({ page, request }) => {
  test.setTimeout(120_000)
  // A copy of the build with the server bundle itself changed: the program answering is not the one attested.
  const copy = mkdtempSync(join(tmpdir(), 'own-build-changed-'))
  const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex')
  try {
    cpSync(join(root, 'dist'), join(copy, 'dist'), { recursive: true })
    copyFileSync(join(root, 'package.json'), join(copy, 'package.json'))
    symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'))
    const bundle = join(copy, 'dist', 'server', 'main.js')
    const attested = sha256(bundle)
    appendFileSync(bundle, '\n// changed after the build\n')
    const served = sha256(bundle)

    const running = await startServer({ demo: true, fromBuild: true, seed: false, root: copy })
    try {
      // The provenance the build wrote, as it was: it attests the bundle before the change.
      const posted = await request.post(`${running.url}/api/v1/attestations`, {
        data: readFileSync(join(copy, 'dist', 'attestations', 'provenance.dsse.json')),
        headers: { authorization: `Bearer ${running.ingestToken}`, 'content-type': 'application/json' },
      })
      expect(posted.status()).toBe(201)

      await page.goto(`${running.url}/artifacts/sha256:${attested}`)
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('dist/server/main.js')
      const summary = page.getByRole('region', { name: 'Every verdict about this artifact' })
      await expect(summary).toContainText('Not every verdict about this artifact is good: see the copy this server serves')
      await expect(summary).toContainText(`This server serves dist/server/main.js (SHA-256 ${served.slice(0, 12)}…) with other bytes than its provenance attests for this artifact`)
      const row = page.getByRole('region', { name: 'The copy this server serves differs' }).getByRole('row', { name: /dist\/server\/main\.js/ })
      await expect(row.getByRole('cell')).toHaveText([`sha256:${attested}`, `sha256:${served}`])

      // Every other file of the build is still what was attested: its page says nothing of the kind.
      const index = sha256(join(copy, 'dist', 'index.html'))
      await page.goto(`${running.url}/artifacts/sha256:${index}`)
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('dist/index.html')
      await expect(page.getByRole('region', { name: 'Every verdict about this artifact' })).toContainText('Attestations')
      await expect(page.getByRole('region', { name: 'The copy this server serves differs' })).toHaveCount(0)
    } finally {
      await running.stop()
    }
  } finally {
    rmSync(copy, { recursive: true, force: true })
  }
})
