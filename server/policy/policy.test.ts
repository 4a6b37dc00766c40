import { describe, expect, it } from 'vitest'
import { Policy } from '../../src/contract/policy'
import { buildConfig, ConfigError, ingestContext } from '../config'
import { signEnvelope } from '../demo/seed'
import { prepareDocument } from '../ingest/ingest'
import { globToRegExp, policyFor } from './policy'
import { newKey, slsaV1Statement } from '../testing/documents'

const release = newKey('release', 'ed25519')
const other = newKey('other-team', 'ed25519')
const keys = [release, other].map((key) => ({ id: key.id, publicKeyPem: key.publicKeyPem }))
const policy = {
  name: 'acme',
  repositories: ['https://github.com/acme/*'],
  signers: [{ keyId: 'release' }],
  builders: ['https://github.com/actions/runner/*'],
  requiredChecks: ['envelope-signature'],
  toolchain: { node: '20.19.0' },
  allowedHosts: ['registry.npmjs.org'],
}
const config = buildConfig({ trust: { keys }, policies: [policy] }, 'test')
const read = (envelope: unknown) => prepareDocument(Buffer.from(JSON.stringify(envelope)), ingestContext(config)).item

describe('per-project policy', () => {
  it('matches repositories with * inside a segment and ** across segments', () => {
    expect(globToRegExp('https://github.com/acme/*').test('https://github.com/acme/web')).toBe(true)
    expect(globToRegExp('https://github.com/acme/*').test('https://github.com/acme/web/sub')).toBe(false)
    expect(globToRegExp('https://gitlab.com/**').test('https://gitlab.com/group/sub/repo')).toBe(true)
    expect(globToRegExp('*.npmjs.org').test('registry.npmjs.org')).toBe(true)
    expect(globToRegExp('a.b').test('axb')).toBe(false)
    expect(policyFor(config.policies, 'https://github.com/other/web')).toBeNull()
  })

  it('verifies a build signed by the expected key with an allowed builder, listing the policy checks', () => {
    const item = read(signEnvelope(slsaV1Statement({ repo: 'https://github.com/acme/web' }), release))
    expect(item.document.verification.status).toBe('verified')
    expect(item.document.verification.checks.map((check) => [check.name, check.ok])).toEqual([
      ['payload-type', true],
      ['envelope-signature', true],
      ['signer-trusted', true],
      ['signer-identity', true],
      ['builder-id', true],
      ['required:envelope-signature', true],
    ])
  })

  it('fails a build signed by another trusted key, saying who was expected and who signed', () => {
    const item = read(signEnvelope(slsaV1Statement({ repo: 'https://github.com/acme/web' }), other))
    expect(item.document.verification).toMatchObject({ status: 'failed', failedCheck: 'signer-identity' })
    expect(item.document.verification.checks[0]).toEqual({ name: 'signer-identity', ok: false, expected: 'signed by keyId release (policy acme)', actual: 'key other-team' })
    expect(item.build?.status).toBe('failed')
  })

  it('fails a build from a builder the policy does not allow', () => {
    const item = read(signEnvelope(slsaV1Statement({ repo: 'https://github.com/acme/web', builderId: 'https://evil.example/builder' }), release))
    expect(item.document.verification.checks[0]).toMatchObject({ name: 'builder-id', ok: false, actual: 'https://evil.example/builder' })
  })

  it('leaves documents of other projects to the trust rules alone', () => {
    const item = read(signEnvelope(slsaV1Statement({ repo: 'https://github.com/elsewhere/app' }), other))
    expect(item.document.verification.status).toBe('verified')
    expect(item.document.verification.checks.map((check) => check.name)).not.toContain('signer-identity')
  })

  it('keeps an untrusted document untrusted and lists the policy findings beside it', () => {
    const stranger = newKey('stranger', 'ed25519')
    const verification = read(signEnvelope(slsaV1Statement({ repo: 'https://github.com/acme/web' }), stranger)).document.verification
    expect(verification.status).toBe('untrusted')
    // Failures first, then what could not be judged for want of a trusted signature.
    expect(verification.checks.filter((check) => !check.ok).map((check) => [check.name, check.notJudged !== undefined])).toEqual([
      ['signer-trusted', false],
      ['required:envelope-signature', false],
      ['envelope-signature', true],
      ['signer-identity', true],
    ])
    expect(verification.checks.find((check) => check.name === 'envelope-signature')?.actual).toBe(
      'not judged: no key this server has is named stranger or verifies the signature, so it could not be checked',
    )
  })

  it('does not judge the signer of an altered envelope: it names a trusted key, but nothing established who signed', () => {
    const envelope = signEnvelope(slsaV1Statement({ repo: 'https://github.com/acme/web' }), release) as { signatures: { sig: string }[] }
    const sig = Buffer.from(envelope.signatures[0]?.sig ?? '', 'base64')
    sig[8] = (sig[8] ?? 0) ^ 0x40
    envelope.signatures[0] = { ...envelope.signatures[0], sig: sig.toString('base64') }
    const verification = read(envelope).document.verification
    expect(verification).toMatchObject({ status: 'failed', failedCheck: 'envelope-signature' })
    expect(verification.checks.find((check) => check.name === 'signer-identity')).toEqual({
      name: 'signer-identity',
      ok: false,
      expected: 'signed by keyId release (policy acme)',
      actual: 'not judged: the envelope-signature check failed, so who signed is not established',
      notJudged: 'the envelope-signature check failed, so who signed is not established',
    })
    expect(verification.checks.find((check) => check.name === 'required:envelope-signature')).toMatchObject({ ok: false, actual: 'failed' })
  })

  it('rejects a config whose policy names an unknown key or misses its repositories, naming the field', () => {
    expect(() => buildConfig({ trust: { keys }, policies: [{ ...policy, signers: [{ keyId: 'nobody' }] }] }, 'cfg.yaml')).toThrow(
      new ConfigError('cfg.yaml: policies[0].signers[0].keyId: "nobody" is not a key in trust.keys'),
    )
    expect(() => buildConfig({ policies: [{ name: 'x', repositories: [] }] }, 'cfg.yaml')).toThrow(/policies\[0\]\.repositories: name at least one repository pattern/)
    expect(() => buildConfig({ policies: [{ name: 'x', repositories: ['*'], colour: 'red' }] }, 'cfg.yaml')).toThrow(/policies\[0\]: Unrecognized key: "colour"/)
    expect(Policy.parse(policy).buildTypes).toEqual([])
  })
})
