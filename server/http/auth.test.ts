import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { buildConfig } from '../config'
import { tokenFor } from './auth'

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')
const configWith = (...tokens: { name: string; token: string }[]) =>
  buildConfig({ tokens: tokens.map(({ name, token }) => ({ name, sha256: sha256(token), scopes: ['ingest'] })) }, 'auth-test')

describe('bearer tokens', () => {
  it('finds the configured token whose SHA-256 the presented one has, whichever its place', () => {
    const config = configWith({ name: 'ci', token: 'first-secret' }, { name: 'deploy', token: 'second-secret' })
    expect(tokenFor(config, 'Bearer second-secret')?.name).toBe('deploy')
    expect(tokenFor(config, 'bearer first-secret ')?.name).toBe('ci')
    // Asked again: the digests decoded for this configuration are the ones compared.
    expect(tokenFor(config, 'Bearer second-secret')?.name).toBe('deploy')
  })

  it('knows no token that is not configured, nor a header that is not a bearer token', () => {
    const config = configWith({ name: 'ci', token: 'first-secret' })
    expect(tokenFor(config, 'Bearer first-secret-but-longer')).toBeUndefined()
    expect(tokenFor(config, 'Basic first-secret')).toBeUndefined()
    expect(tokenFor(config, undefined)).toBeUndefined()
    // Another configuration's tokens are its own.
    expect(tokenFor(configWith({ name: 'other', token: 'other-secret' }), 'Bearer first-secret')).toBeUndefined()
  })
})
