import { useId, useState, type FormEvent } from 'react'
import type { AlertPatch, AlertState } from '../../../contract/alerts'
import { allowedTransitions } from '../../../../domain/alerts/triage'
import { stateLabels } from './severity-badge'

const verbs: Record<AlertState, string> = { open: 'Reopen', acknowledged: 'Acknowledge', resolved: 'Resolve', waived: 'Waive' }

/** Whether an instant is still to come; read when the form is sent, never while rendering. */
const inFuture = (ms: number) => ms > Date.now()

/** A day-precision default for a waiver: two weeks from today, as a date input's value. */
const inTwoWeeks = () => new Date(Date.now() + 14 * 86_400_000).toISOString().slice(0, 10)

/**
 * The changes the lifecycle allows from the alerts' states, each with an optional reason; a waiver needs a reason
 * and the day it ends. `states` holds the state of every alert the change is for (one, or a selection).
 */
export function TriageForm({ states, busy, onSubmit, initial }: { states: readonly AlertState[]; busy: boolean; onSubmit: (patch: AlertPatch) => void; initial?: AlertState }) {
  const id = useId()
  const [reason, setReason] = useState('')
  const [waiving, setWaiving] = useState(initial === 'waived')
  const [until, setUntil] = useState(inTwoWeeks)
  const [problem, setProblem] = useState<string | null>(null)
  // Offer what every selected alert may become.
  const targets = (['acknowledged', 'resolved', 'waived', 'open'] as const).filter((target) => states.length > 0 && states.every((state) => allowedTransitions[state].includes(target)))

  const submit = (target: AlertState) => {
    if (target === 'waived') {
      if (reason.trim() === '') return setProblem('A waiver needs a reason: say why this alert may be ignored.')
      const expires = Date.parse(`${until}T23:59:59Z`)
      if (Number.isNaN(expires) || !inFuture(expires)) return setProblem('A waiver needs an end date in the future.')
      setProblem(null)
      return onSubmit({ state: 'waived', reason: reason.trim(), expiresAt: new Date(expires).toISOString() })
    }
    setProblem(null)
    onSubmit({ state: target, ...(reason.trim() ? { reason: reason.trim() } : {}) })
  }
  const onForm = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    if (waiving) submit('waived')
  }

  if (targets.length === 0) return <p className="muted">No change is possible from {states.map((state) => stateLabels[state].toLowerCase()).join(', ')}.</p>
  return (
    <form className="triage-form" onSubmit={onForm} aria-label="Triage">
      <label htmlFor={`${id}-reason`}>Reason{waiving ? ' (required for a waiver)' : ' (optional)'}</label>
      <textarea id={`${id}-reason`} value={reason} onChange={(event) => setReason(event.target.value)} maxLength={2000} />
      {waiving ? (
        <>
          <label htmlFor={`${id}-until`}>Waived until (end of the day, UTC)</label>
          <input id={`${id}-until`} type="date" value={until} onChange={(event) => setUntil(event.target.value)} />
        </>
      ) : null}
      {problem ? (
        <p className="field-error" role="alert">
          {problem}
        </p>
      ) : null}
      <div className="triage-actions">
        {targets.map((target) =>
          target === 'waived' && !waiving ? (
            <button key={target} type="button" className="button" disabled={busy} onClick={() => setWaiving(true)}>
              Waive…
            </button>
          ) : (
            <button key={target} type="button" className={target === 'acknowledged' ? 'button button-primary' : 'button'} disabled={busy} onClick={() => submit(target)}>
              {verbs[target]}
            </button>
          ),
        )}
        {waiving ? (
          <button type="button" className="button button-quiet" onClick={() => setWaiving(false)}>
            Not a waiver
          </button>
        ) : null}
      </div>
    </form>
  )
}
