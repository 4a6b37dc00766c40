import { describe, expect, it } from 'vitest'
import { applyTriage, expireWaiver, recur, type TriageState } from './triage'

const now = Date.UTC(2026, 10, 27, 12)
const open: TriageState = { state: 'open', waiver: null }

describe('applyTriage', () => {
  it('acknowledges, then resolves, recording who, when and why', () => {
    const ack = applyTriage(open, { state: 'acknowledged', reason: 'looking at the runner image' }, 'alice', now)
    expect(ack).toEqual({
      ok: true,
      next: { state: 'acknowledged', waiver: null },
      entry: { at: '2026-11-27T12:00:00.000Z', actor: 'alice', kind: 'transition', from: 'open', to: 'acknowledged', reason: 'looking at the runner image' },
    })
    if (!ack.ok) return
    const resolved = applyTriage(ack.next, { state: 'resolved' }, 'bob', now + 1000)
    expect(resolved.ok && resolved.entry).toMatchObject({ actor: 'bob', from: 'acknowledged', to: 'resolved', reason: null })
  })
  it('refuses a transition the lifecycle does not allow, naming the allowed ones', () => {
    expect(applyTriage({ state: 'resolved', waiver: null }, { state: 'acknowledged' }, 'alice', now)).toEqual({
      ok: false,
      status: 409,
      code: 'transition-not-allowed',
      message: 'an alert that is resolved cannot become acknowledged; it can become open',
      path: 'body.state',
    })
    expect(applyTriage(open, { state: 'open' }, 'alice', now)).toMatchObject({ ok: false, status: 409, code: 'no-change' })
  })
  it('needs a reason and a future expiry of at most a year to waive', () => {
    const expiresAt = new Date(now + 86_400_000).toISOString()
    expect(applyTriage(open, { state: 'waived', expiresAt }, 'alice', now)).toMatchObject({ ok: false, status: 400, code: 'waiver-needs-reason', path: 'body.reason' })
    expect(applyTriage(open, { state: 'waived', reason: '   ', expiresAt }, 'alice', now)).toMatchObject({ ok: false, code: 'waiver-needs-reason' })
    expect(applyTriage(open, { state: 'waived', reason: 'known' }, 'alice', now)).toMatchObject({ ok: false, code: 'waiver-needs-expiry', path: 'body.expiresAt' })
    expect(applyTriage(open, { state: 'waived', reason: 'known', expiresAt: new Date(now - 1).toISOString() }, 'alice', now)).toMatchObject({ ok: false, code: 'waiver-expired' })
    expect(applyTriage(open, { state: 'waived', reason: 'known', expiresAt: new Date(now + 400 * 86_400_000).toISOString() }, 'alice', now)).toMatchObject({ ok: false, code: 'waiver-too-long' })
    expect(applyTriage(open, { state: 'acknowledged', expiresAt }, 'alice', now)).toMatchObject({ ok: false, code: 'invalid-body', path: 'body.expiresAt' })
    const waived = applyTriage(open, { state: 'waived', reason: 'vendor mirror, ticket SEC-12', expiresAt }, 'alice', now)
    expect(waived.ok && waived.next).toEqual({ state: 'waived', waiver: { reason: 'vendor mirror, ticket SEC-12', expiresAt: '2026-11-28T12:00:00.000Z', by: 'alice' } })
  })
})

describe('what evaluation does by itself', () => {
  const waived: TriageState = { state: 'waived', waiver: { reason: 'known', expiresAt: '2026-11-28T12:00:00.000Z', by: 'alice' } }
  it('reopens an alert whose waiver ended, and keeps one that still holds', () => {
    expect(expireWaiver(waived, Date.parse('2026-11-28T11:59:59Z'))).toBeNull()
    expect(expireWaiver(waived, Date.parse('2026-11-28T12:00:00Z'))).toEqual({
      next: { state: 'open', waiver: null },
      entry: { at: '2026-11-28T12:00:00.000Z', actor: 'rules', kind: 'waiver-expired', from: 'waived', to: 'open', reason: 'the waiver by alice ("known") ended 2026-11-28T12:00:00.000Z' },
    })
  })
  it('reopens a resolved alert whose cause recurs, and leaves other states as they are', () => {
    expect(recur({ state: 'resolved', waiver: null }, `build ${'b'.repeat(64)}`, now)).toMatchObject({ next: { state: 'open' }, entry: { kind: 'reopened', from: 'resolved', to: 'open' } })
    expect(recur(waived, `build ${'b'.repeat(64)}`, now)).toEqual({ next: waived, entry: null })
  })
})
