import { useId, useState, type FormEvent } from 'react'
import { describeError } from '../../../api/api-error'
import type { useTriage } from './use-triage'

/** Asks for a token with scope triage, as the app asks for a read token; kept in this tab only. */
export function TriageTokenForm({ problem, onSave, onCancel }: { problem: string | null; onSave: (token: string) => void; onCancel: () => void }) {
  const id = useId()
  const [value, setValue] = useState('')
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    if (value.trim() !== '') onSave(value)
  }
  return (
    <form className="token-form" onSubmit={submit} aria-labelledby={`${id}-title`}>
      <p id={`${id}-title`} className="token-form-title">
        {problem ? `The server refused the triage token: ${problem}` : 'Changing an alert needs a token with the triage scope.'}
      </p>
      <p className="token-form-hint">It is kept in this browser tab only, apart from the read token, and sent only with triage changes.</p>
      <div className="token-form-row">
        <label htmlFor={`${id}-token`}>Triage token</label>
        <input id={`${id}-token`} type="password" autoComplete="off" value={value} onChange={(event) => setValue(event.target.value)} />
        <button type="submit" className="button button-primary" disabled={value.trim() === ''}>
          Use token
        </button>
        <button type="button" className="button button-quiet" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  )
}

/** Where a triage change stands when it did not go through: the token form while a token is asked for, else why it failed. */
export function TriageStatus({ triage }: { triage: ReturnType<typeof useTriage> }) {
  if (triage.waiting) return <TriageTokenForm problem={triage.tokenProblem} onSave={triage.provideToken} onCancel={triage.cancel} />
  if (!triage.mutation.isError) return null
  return (
    <p className="field-error" role="alert">
      {describeError(triage.mutation.error).message}
    </p>
  )
}
