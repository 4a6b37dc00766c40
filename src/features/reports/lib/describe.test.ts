import { describe, expect, it } from 'vitest'
import { emptyForm, formFromSearch, madeByWords, requestFromForm, scopeWords } from './describe'

const digest = `sha256:${'ab'.repeat(32)}`

describe('report words', () => {
  it('name a scope and who made a report', () => {
    expect(scopeWords({ kind: 'environment', environment: 'production' })).toBe('Environment production')
    expect(scopeWords({ kind: 'release', digests: [digest] })).toBe('Release of 1 artifact')
    expect(scopeWords({ kind: 'artifact', digest })).toBe('Artifact sha256:abababababab…')
    expect(madeByWords({ token: null, scopes: [] })).toBe('someone without a token (reads need none)')
    expect(madeByWords({ token: 'auditor', scopes: ['ingest', 'read'] })).toBe('token auditor (ingest, read)')
  })
})

describe('the report form', () => {
  it('reads an environment and a UTC time as a request', () => {
    expect(requestFromForm({ ...emptyForm, kind: 'environment', environment: ' production ', asOf: '2026-11-20T12:30' })).toEqual({
      ok: true,
      request: { scope: { kind: 'environment', environment: 'production' }, asOf: '2026-11-20T12:30:00.000Z' },
    })
    expect(requestFromForm({ ...emptyForm, kind: 'environment', environment: 'staging' })).toEqual({ ok: true, request: { scope: { kind: 'environment', environment: 'staging' } } })
  })

  it('reads a release one digest a line, and names the digest that is wrong', () => {
    expect(requestFromForm({ ...emptyForm, kind: 'release', digests: `${digest}\n\n${digest.toUpperCase().replace('SHA256', 'sha256')}, ` })).toEqual({
      ok: true,
      request: { scope: { kind: 'release', digests: [digest, digest] } },
    })
    expect(requestFromForm({ ...emptyForm, kind: 'release', digests: `${digest}\nsha256:beef` })).toEqual({
      ok: false,
      field: 'digests',
      message: 'Digest 2 (sha256:beef) is not sha256: followed by 64 hex characters.',
    })
    expect(requestFromForm({ ...emptyForm, kind: 'release', digests: '  ' })).toMatchObject({ ok: false, field: 'digests' })
  })

  it('says which field is missing or malformed', () => {
    expect(requestFromForm({ ...emptyForm, kind: 'environment' })).toEqual({ ok: false, field: 'environment', message: 'Choose an environment.' })
    expect(requestFromForm({ ...emptyForm, kind: 'artifact', digest: 'latest' })).toMatchObject({ ok: false, field: 'digest' })
    expect(requestFromForm({ ...emptyForm, kind: 'environment', environment: 'prod', asOf: 'yesterday' })).toMatchObject({ ok: false, field: 'asOf' })
  })

  it('is pre-filled from the address, ignoring a kind it does not know', () => {
    expect(formFromSearch(new URLSearchParams(`kind=artifact&digest=${digest}`))).toEqual({ ...emptyForm, kind: 'artifact', digest })
    expect(formFromSearch(new URLSearchParams('kind=everything')).kind).toBe('environment')
    // A link gives instants; the inputs show them as UTC date and time.
    expect(formFromSearch(new URLSearchParams('kind=project&project=acme/web&from=2026-11-01T00:00:00.000Z&to=2026-11-20T12:30:00Z'))).toEqual({
      ...emptyForm,
      kind: 'project',
      project: 'acme/web',
      from: '2026-11-01T00:00:00',
      to: '2026-11-20T12:30:00',
    })
  })

  it('reads a project over a range, and says which field is wrong', () => {
    const form = { ...emptyForm, kind: 'project' as const, project: 'acme/web', from: '2026-11-01T00:00', to: '2026-11-20T12:30' }
    expect(requestFromForm(form)).toEqual({ ok: true, request: { scope: { kind: 'project', project: 'acme/web', from: '2026-11-01T00:00:00.000Z', to: '2026-11-20T12:30:00.000Z' } } })
    expect(requestFromForm({ ...form, project: ' ' })).toEqual({ ok: false, field: 'project', message: 'Choose a project.' })
    expect(requestFromForm({ ...form, from: '' })).toMatchObject({ ok: false, field: 'from' })
    expect(requestFromForm({ ...form, to: '2026-10-01T00:00' })).toEqual({ ok: false, field: 'to', message: 'The range ends after it starts: give an end later than the start.' })
    expect(scopeWords({ kind: 'project', project: 'acme/web', from: '2026-11-01T00:00:00.000Z', to: '2026-11-20T12:30:00.000Z' })).toBe('Project acme/web, 2026-11-01 00:00 to 2026-11-20 12:30 UTC')
  })
})
