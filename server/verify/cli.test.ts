import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { main } from './cli'

/* The command line's own answers: what it says and its exit status for arguments it cannot run with. */

const dir = mkdtempSync(join(tmpdir(), 'provenance-cli-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
writeFileSync(join(dir, 'bundle.json'), '{"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json"}')
writeFileSync(join(dir, 'root.json'), '{}')

async function run(...argv: string[]) {
  let stdout = ''
  let stderr = ''
  const code = await main(argv, { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: (text: string) => (stderr += text) }, cwd: dir })
  return { code, stdout, stderr }
}

const who = ['--certificate-identity', 'https://example.com/ci', '--certificate-oidc-issuer', 'https://issuer.example']

describe('provenance-dashboard', () => {
  it('exits 2 naming what is wrong with the arguments', async () => {
    expect(await run('verify-bundle', '--bundle', 'bundle.json', ...who, '--trusted-root', 'root.json', 'sha256:abc')).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('sha256:abc: expected sha256: followed by 64 hex digits') as unknown,
    })
    expect(await run('verify-bundle', '--bundle', 'bundle.json', '--trusted-root', 'root.json', `sha256:${'a'.repeat(64)}`)).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('who must have signed is required') as unknown,
    })
    expect(await run('verify-bundle', '--bundle', 'bundle.json', ...who, `sha256:${'a'.repeat(64)}`)).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("carries no copy of Sigstore's production trusted root; pass --trusted-root FILE") as unknown,
    })
    expect(await run('verify-bundle', '--bundle', 'missing.json', ...who, '--trusted-root', 'root.json', `sha256:${'a'.repeat(64)}`)).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('cannot read bundle missing.json') as unknown,
    })
    expect(await run('verify-bundle', '--bundle', 'bundle.json', '--colour', 'red')).toMatchObject({ code: 2, stderr: expect.stringContaining("Unknown option '--colour'") as unknown })
    expect(await run('frobnicate')).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown command "frobnicate"') as unknown })
  })

  it('exits 1 when the trust material is refused, naming the field and why', async () => {
    const refusedRoot = await run('verify-bundle', '--bundle', 'bundle.json', ...who, '--trusted-root', 'root.json', `sha256:${'a'.repeat(64)}`)
    expect(refusedRoot.code).toBe(1)
    expect(refusedRoot.stderr).toMatch(/^not verified: the trust material is refused: trust\.trustedRoots/)
    const refusedKey = await run('verify-bundle', '--bundle', 'bundle.json', '--key', 'root.json', '--trusted-root', 'root.json', `sha256:${'a'.repeat(64)}`)
    expect(refusedKey.code).toBe(1)
    expect(refusedKey.stderr).toBe('not verified: the trust material is refused: trust.keys[0].publicKeyPem: expected a PEM public key (-----BEGIN PUBLIC KEY-----)\n')
  })

  it('says sign-bundle is out of scope, with exit 2', async () => {
    expect(await run('sign-bundle', '--identity-token', 't', '--bundle', 'out.json', 'a.txt')).toMatchObject({ code: 2, stderr: expect.stringMatching(/^sign-bundle is out of scope: .*no signing service is reachable/) as unknown })
  })
})
