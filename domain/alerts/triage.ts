import type { AlertHistoryEntry, AlertPatch, AlertState } from '../../src/contract/alerts'

/*
 * The triage lifecycle, written once for the server and the mocks: open → acknowledged → resolved, or waived
 * with a reason and an expiry. What evaluation does by itself (a resolved cause recurring, a waiver running out)
 * reopens the alert and says so in its history.
 */

/** Who may go where by hand. Reopening is always possible; nothing moves to the state it is in. */
export const allowedTransitions: Record<AlertState, readonly AlertState[]> = {
  open: ['acknowledged', 'resolved', 'waived'],
  acknowledged: ['open', 'resolved', 'waived'],
  resolved: ['open'],
  waived: ['open', 'resolved'],
}

export type TriageState = { state: AlertState; waiver: { reason: string; expiresAt: string; by: string } | null }

export type TriageResult =
  | { ok: true; next: TriageState; entry: AlertHistoryEntry }
  | { ok: false; status: 400 | 409; code: string; message: string; path: string }

/** The longest a waiver may run: a waiver nobody revisits for more than a year is a silenced rule. */
export const MAX_WAIVER_MS = 366 * 86_400_000

/** A person's change of state, checked against the lifecycle; `now` in milliseconds. */
export function applyTriage(current: TriageState, patch: AlertPatch, actor: string, now: number): TriageResult {
  const reason = patch.reason?.trim() ? patch.reason.trim() : null
  if (patch.state === current.state) {
    return { ok: false, status: 409, code: 'no-change', message: `the alert is already ${current.state}`, path: 'body.state' }
  }
  if (!allowedTransitions[current.state].includes(patch.state)) {
    const allowed = allowedTransitions[current.state].join(', ')
    return { ok: false, status: 409, code: 'transition-not-allowed', message: `an alert that is ${current.state} cannot become ${patch.state}; it can become ${allowed}`, path: 'body.state' }
  }
  if (patch.state !== 'waived' && patch.expiresAt !== undefined) {
    return { ok: false, status: 400, code: 'invalid-body', message: 'expiresAt is only for waivers (state "waived")', path: 'body.expiresAt' }
  }
  let waiver: TriageState['waiver'] = null
  if (patch.state === 'waived') {
    if (reason === null) return { ok: false, status: 400, code: 'waiver-needs-reason', message: 'a waiver needs a reason: say why this alert may be ignored', path: 'body.reason' }
    if (patch.expiresAt === undefined) return { ok: false, status: 400, code: 'waiver-needs-expiry', message: 'a waiver needs expiresAt: when it ends and the alert reopens (ISO-8601 instant)', path: 'body.expiresAt' }
    const expires = Date.parse(patch.expiresAt)
    if (!(expires > now)) return { ok: false, status: 400, code: 'waiver-expired', message: `expiresAt ${patch.expiresAt} is not in the future`, path: 'body.expiresAt' }
    if (expires - now > MAX_WAIVER_MS) return { ok: false, status: 400, code: 'waiver-too-long', message: 'a waiver may run for at most a year; set an earlier expiresAt and renew it if still needed', path: 'body.expiresAt' }
    waiver = { reason, expiresAt: new Date(expires).toISOString(), by: actor }
  }
  return {
    ok: true,
    next: { state: patch.state, waiver },
    entry: { at: new Date(now).toISOString(), actor, kind: 'transition', from: current.state, to: patch.state, reason },
  }
}

/** An expired waiver reopens its alert; null when the waiver (if any) still holds. */
export function expireWaiver(current: TriageState, now: number): { next: TriageState; entry: AlertHistoryEntry } | null {
  if (current.state !== 'waived' || current.waiver === null || Date.parse(current.waiver.expiresAt) > now) return null
  return {
    next: { state: 'open', waiver: null },
    entry: {
      at: new Date(now).toISOString(),
      actor: 'rules',
      kind: 'waiver-expired',
      from: 'waived',
      to: 'open',
      reason: `the waiver by ${current.waiver.by} ("${current.waiver.reason}") ended ${current.waiver.expiresAt}`,
    },
  }
}

/** The cause showed again (in `where`: `build <id>`, `deployment <id>`): a resolved alert reopens; otherwise only its count and last seen move. */
export function recur(current: TriageState, where: string, at: number): { next: TriageState; entry: AlertHistoryEntry | null } {
  if (current.state !== 'resolved') return { next: current, entry: null }
  return {
    next: { state: 'open', waiver: null },
    entry: { at: new Date(at).toISOString(), actor: 'rules', kind: 'reopened', from: 'resolved', to: 'open', reason: `the cause recurred in ${where}` },
  }
}
