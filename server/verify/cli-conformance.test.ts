import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'
import { main } from './cli'
import { corpusDir, describeWithCorpus } from '../testing/corpus'

/*
 * Sigstore's client conformance suite, bundle-verify cases, through `provenance-dashboard verify-bundle` as the
 * suite's harness drives a client (its README: a case is a folder; `_fail` must fail; `artifact`, `identity`,
 * `issuer`, `key.pub` and `trusted_root.json` when present, else a.txt, the beacon identity and the production
 * trusted root). The CLI's main runs in-process (one case is milliseconds, a process is seconds here), and the real
 * bin is spawned for a passing and a failing case to prove the exit status. The one departure: this offline client
 * ships no production trusted root, so cases without their own are given the corpus' copies with --trusted-root.
 */

const SUITE = '2-dsse-sigstore-bundles/sigstore-conformance-suite'
const suiteDir = join(corpusDir, SUITE)
/** Sigstore's production trusted root, as the corpus has it (the copies server/conformance.test.ts uses). */
const PRODUCTION_ROOTS = ['2-dsse-sigstore-bundles/sigstore-go/trusted-root-public-good.json', '3-npm-github-attestations/github-gh-cli/trusted_root.json'].map((path) =>
  join(corpusDir, path),
)
const DEFAULT_IDENTITY = 'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main'
const DEFAULT_ISSUER = 'https://token.actions.githubusercontent.com'

/**
 * Cases this client does not get right today, each with the exit status and the first words of its stderr as
 * they are now (asserted exactly, so a change fails here until this list and README.md are updated) and why.
 */
const knownFailures: Record<string, { today: string; why: string }> = {
  'managed-key-happy-path': {
    today: 'exit 1: not verified (unverifiable): check timestamp failed',
    // Sigstore's production TSA joined the production trusted root in 2025; the corpus' copies predate it. With the
    // current root from TUF the case passes; refusing a timestamp by an unknown authority is what @sigstore/verify does.
    why: "its timestamp authority is newer than the corpus' copies of the production trusted root, and this offline client has no newer one",
  },
}

function argsFor(dir: string): string[] {
  const own = (file: string) => join(suiteDir, dir, file)
  const text = (file: string, fallback: string) => (existsSync(own(file)) ? readFileSync(own(file), 'utf8').trim() : fallback)
  const who = existsSync(own('key.pub'))
    ? ['--key', own('key.pub')]
    : ['--certificate-identity', text('identity', DEFAULT_IDENTITY), '--certificate-oidc-issuer', text('issuer', DEFAULT_ISSUER)]
  const roots = existsSync(own('trusted_root.json')) ? [own('trusted_root.json')] : PRODUCTION_ROOTS
  const artifact = existsSync(own('artifact')) ? own('artifact') : join(suiteDir, 'a.txt')
  return ['verify-bundle', '--bundle', own('bundle.sigstore.json'), ...who, ...roots.flatMap((root) => ['--trusted-root', root]), artifact]
}

async function run(dir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = ''
  let stderr = ''
  const code = await main(argsFor(dir), { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: (text: string) => (stderr += text) }, cwd: suiteDir })
  return { code, stdout, stderr }
}

/** `exit 1: not verified (failed): check bundle-signature failed` — the status and the decisive words. */
const summary = (outcome: { code: number; stdout: string; stderr: string }) =>
  `exit ${outcome.code}: ${(outcome.code === 0 ? outcome.stdout : outcome.stderr).split(';')[0]?.trim() ?? ''}`

describeWithCorpus(
  'sigstore conformance suite, bundle-verify cases, through provenance-dashboard verify-bundle',
  () => {
    const cases = readdirSync(suiteDir)
      .filter((name) => statSync(join(suiteDir, name)).isDirectory() && existsSync(join(suiteDir, name, 'bundle.sigstore.json')))
      .sort()
    const results = new Map<string, 'right' | 'known failure'>()

    it('finds the suite with passing and failing cases', () => {
      expect(cases.filter((name) => name.endsWith('_fail')).length).toBeGreaterThan(10)
      expect(cases.filter((name) => !name.endsWith('_fail')).length).toBeGreaterThan(10)
    })

    for (const name of cases) {
      it(name, async () => {
        const outcome = await run(name)
        const said = summary(outcome)
        // 2 is "the command could not be run as given": the harness built the case wrong, never a verdict.
        expect(outcome.code, `${name}: ${said}`).not.toBe(2)
        expect(said, `${name}: an error of ours, not a verdict`).not.toMatch(/internal error/)
        const right = name.endsWith('_fail') ? outcome.code !== 0 : outcome.code === 0
        const known = knownFailures[name]
        if (known) {
          expect(said, `${name}: known failure changed; update knownFailures and README.md`).toBe(known.today)
          expect(right, `${name} is right now: take it out of knownFailures`).toBe(false)
          results.set(name, 'known failure')
          return
        }
        expect(right ? 'right' : said, name).toBe('right')
        if (name.endsWith('_fail')) expect(outcome.stderr, `${name}: a failure names its check or the refused input`).toMatch(/^not verified/)
        results.set(name, 'right')
      })
    }

    it('lists as known failures only cases of the suite', () => {
      expect(Object.keys(knownFailures).filter((name) => !cases.includes(name))).toEqual([])
    })

    it('scores the suite, and README.md gives the same score', () => {
      const right = cases.filter((name) => results.get(name) === 'right').length
      const score = `verify-bundle: ${right} of ${cases.length} conformance cases right`
      console.log(`${score}; known failures: ${Object.keys(knownFailures).join(', ') || 'none'}`)
      expect(results.size, 'every case ran').toBe(cases.length)
      const readme = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8')
      expect(readme.includes(score), `README.md's "Verification from the command line" should say: ${score}`).toBe(true)
    })

    it('refuses a trusted root whose log key lacks validFor.start as malformed, naming the field', async () => {
      const outcome = await run('trust-root-tlog-missing-validity-start_fail')
      expect(outcome.code).toBe(1)
      expect(outcome.stderr).toMatch(/^not verified: the trust material is refused: .*trustedRoots\[0\]\.tlogs\[1\]\.publicKey\.validFor\.start: .*needs validFor\.start/)
    })

    it('verifies managed-key-happy-path once a trusted root lists its timestamp authority (the known failure is the stale root)', async () => {
      // bundle-with-sct-with-extensions carries an export of the production root that lists timestamp.sigstore.dev.
      const withTsa = [...argsFor('managed-key-happy-path')]
      withTsa.splice(withTsa.indexOf('--trusted-root'), 0, '--trusted-root', join(suiteDir, 'bundle-with-sct-with-extensions', 'trusted_root.json'))
      let stdout = ''
      const code = await main(withTsa, { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: () => true }, cwd: suiteDir })
      expect(code).toBe(0)
      expect(stdout).toMatch(/^verified: .*timestamp.*artifact-digest/)
    })

    it('exits 0 for a verified bundle and 1 with the failing check on stderr, as the installed bin', () => {
      const bin = fileURLToPath(new URL('../../scripts/cli.mjs', import.meta.url))
      const spawn = (name: string) => spawnSync(process.execPath, [bin, ...argsFor(name)], { encoding: 'utf8', cwd: suiteDir, timeout: 120_000 })
      const good = spawn('happy-path-v0.3')
      expect(good.status, good.stderr).toBe(0)
      expect(good.stdout).toMatch(/^verified: .*artifact-digest/)
      const bad = spawn('signature-mismatch_fail')
      expect(bad.status).toBe(1)
      expect(bad.stderr).toMatch(/^not verified \(failed\): check bundle-signature failed/)
      const refused = spawnSync(process.execPath, [bin, 'sign-bundle', '--identity-token', 'x'], { encoding: 'utf8', timeout: 120_000 })
      expect(refused.status).toBe(2)
      expect(refused.stderr).toMatch(/sign-bundle is out of scope/)
    }, 240_000)
  },
  { needs: SUITE },
)
