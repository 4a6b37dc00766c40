import { useId, useState, type FormEvent } from 'react'
import type { TokenPrompt } from '../../api/token-store'

/** Asks for the read token when the server requires one. The token stays in this tab (sessionStorage) only. */
export function TokenForm({ prompt, onSave }: { prompt: Exclude<TokenPrompt, null>; onSave: (token: string) => void }) {
  const id = useId()
  const [value, setValue] = useState('')

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    if (value.trim() !== '') onSave(value)
  }

  return (
    <form className="token-form" onSubmit={submit} aria-labelledby={`${id}-title`}>
      <p id={`${id}-title`} className="token-form-title">
        {prompt === 'rejected' ? 'The server refused that token.' : 'This server needs a token to read data.'}
      </p>
      <p className="token-form-hint" id={`${id}-hint`}>
        Paste a token with the <code>read</code> scope. It is kept in this browser tab only and sent as a bearer token.
      </p>
      <div className="token-form-row">
        <label htmlFor={`${id}-token`}>Read token</label>
        <input
          id={`${id}-token`}
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={value}
          onChange={(event) => setValue(event.target.value)}
          aria-describedby={`${id}-hint`}
          required
        />
        <button type="submit" className="button button-primary">
          Use token
        </button>
      </div>
    </form>
  )
}
