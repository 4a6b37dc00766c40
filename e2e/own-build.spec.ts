import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, test } from './fixtures'

/*
 * The program as `npm start` runs it, compiled (dist/server/main.js, which global-setup built), shown its own build:
 * `npm run provenance` signs the provenance and SBOM of dist/ and posts them, and the dashboard shows them as a
 * verified build of the commit, every served file an attested artifact.
 */

const root = fileURLToPath(new URL('..', import.meta.url))

/** The URL the server prints once it listens. */
function listening(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = ''
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const match = /dashboard and API on (http:\/\/\S+?)\/? /.exec(output)
      if (match?.[1]) resolve(match[1])
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
    child.once('exit', (code) => reject(new Error(`dist/server/main.js exited with ${code}:\n${output}`)))
  })
}

test('npm run provenance posts the build of dist/ to the compiled server, which shows it verified, from its commit to the files it serves', async ({ page }) => {
  test.setTimeout(120_000)
  const dataDir = mkdtempSync(join(tmpdir(), 'own-build-e2e-'))
  // The built-in demo config (which trusts the build key when run from dist/), without the 1,600 demo builds.
  const env = { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, DATABASE_URL: '', PROVENANCE_CONFIG: '', PROVENANCE_SEED: '0' }
  const child = spawn(process.execPath, [join(root, 'dist', 'server', 'main.js')], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] })
  try {
    const url = await listening(child)
    const envelopePath = join(dataDir, 'provenance.dsse.json')
    const posted = execFileSync(
      process.execPath,
      ['--import', 'tsx', 'scripts/provenance.ts', '--demo-key', '--out', envelopePath, '--sbom-out', join(dataDir, 'sbom.dsse.json'), '--url', url, '--token', 'demo-ingest-token'],
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
    child.kill('SIGTERM')
    rmSync(dataDir, { recursive: true, force: true })
  }
})
