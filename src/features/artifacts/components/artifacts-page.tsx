import { useId, useState, type FormEvent } from 'react'
import { useNavigate } from 'react-router'
import { DigestParam } from '../../../contract/artifacts'
import { paths } from '../../../lib/paths'

/** The artifacts section: there is no list of every artifact, so it opens one by its digest. */
export function ArtifactsPage() {
  const id = useId()
  const navigate = useNavigate()
  const [value, setValue] = useState('')
  const [error, setError] = useState<string | null>(null)

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const digest = DigestParam.safeParse(value)
    if (!digest.success) {
      setError('A digest is `sha256:<hex>` or hex, at least 12 characters.')
      return
    }
    void navigate(paths.artifact(digest.data))
  }

  return (
    <section className="page" aria-labelledby="artifacts-heading">
      <title>Artifacts · Provenance</title>
      <header className="page-header">
        <h1 id="artifacts-heading">Artifacts</h1>
        <p className="page-lede">Open an artifact by its digest: the build that produced it, every attestation and signature, its SBOM and its rebuilds.</p>
      </header>
      <form className="card lookup-form" onSubmit={submit} aria-label="Open an artifact">
        <div className="field">
          <label htmlFor={`${id}-digest`}>Artifact digest</label>
          <input
            id={`${id}-digest`}
            className="mono"
            value={value}
            spellCheck={false}
            autoComplete="off"
            placeholder="sha256:…"
            onChange={(event) => {
              setValue(event.target.value)
              setError(null)
            }}
            aria-invalid={error !== null}
            aria-describedby={`${id}-hint${error ? ` ${id}-error` : ''}`}
          />
          <span id={`${id}-hint`} className="muted">
            Full or a prefix of at least 12 hex characters. To find one by name, use Search at the top.
          </span>
          {error ? (
            <span id={`${id}-error`} className="field-error" role="alert">
              {error}
            </span>
          ) : null}
        </div>
        <button type="submit" className="button button-primary">
          Open artifact
        </button>
      </form>
    </section>
  )
}
