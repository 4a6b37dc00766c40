import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
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
  } finally {
    await running.stop()
    rmSync(work, { recursive: true, force: true })
  }
})
