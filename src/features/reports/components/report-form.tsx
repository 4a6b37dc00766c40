import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useId, useState, type FormEvent } from 'react'
import { describeError } from '../../../api/api-error'
import { environmentQueries } from '../../../api/environment-queries'
import { requestFromForm, type FormField, type ReportForm as Form, type ScopeKind } from '../lib/describe'
import { reportQueries, startReport } from '../reports-queries'

const kinds: { kind: ScopeKind; label: string }[] = [
  { kind: 'environment', label: 'What ran in an environment' },
  { kind: 'release', label: 'A release (a list of digests)' },
  { kind: 'project', label: 'A project over a time range' },
  { kind: 'artifact', label: 'One artifact' },
]

/** Chooses a report's scope and the time it speaks for, and starts it; `onStarted` opens it. */
export function ReportForm({ initial, onStarted }: { initial: Form; onStarted: (id: string) => void }) {
  const id = useId()
  const queryClient = useQueryClient()
  const [form, setForm] = useState<Form>(initial)
  const [problem, setProblem] = useState<{ field: FormField; message: string } | null>(null)
  const environments = useQuery({ ...environmentQueries.list(), enabled: form.kind === 'environment' })
  const projects = useQuery({ ...reportQueries.projects(), enabled: form.kind === 'project' })
  const start = useMutation({
    mutationFn: startReport,
    onSuccess: (job) => {
      void queryClient.invalidateQueries({ queryKey: reportQueries.list().queryKey })
      queryClient.setQueryData(reportQueries.detail(job.id).queryKey, { ...job, preview: null })
      onStarted(job.id)
    },
  })
  const change = (patch: Partial<Form>) => {
    setForm((current) => ({ ...current, ...patch }))
    setProblem(null)
  }
  const submit = (event: FormEvent) => {
    event.preventDefault()
    const read = requestFromForm(form)
    if (!read.ok) {
      setProblem({ field: read.field, message: read.message })
      return
    }
    start.mutate(read.request)
  }
  const errorOf = (field: FormField) =>
    problem?.field === field ? (
      <span id={`${id}-${field}-error`} className="field-error" role="alert">
        {problem.message}
      </span>
    ) : null
  const described = (field: FormField) => (problem?.field === field ? { 'aria-invalid': true, 'aria-describedby': `${id}-${field}-error` } : {})
  const serverError = start.isError ? describeError(start.error) : null

  return (
    <form className="card report-form" aria-labelledby={`${id}-heading`} onSubmit={submit} noValidate>
      <h2 id={`${id}-heading`}>Make a report</h2>
      <fieldset className="report-scope">
        <legend>Report on</legend>
        {kinds.map(({ kind, label }) => (
          <label key={kind} className="report-scope-choice">
            <input type="radio" name={`${id}-kind`} value={kind} checked={form.kind === kind} onChange={() => change({ kind })} />
            {label}
          </label>
        ))}
      </fieldset>
      <div className="filters report-fields">
        {form.kind === 'environment' ? (
          <div className="field">
            <label htmlFor={`${id}-environment`}>Environment</label>
            <select id={`${id}-environment`} value={form.environment} onChange={(event) => change({ environment: event.target.value })} {...described('environment')}>
              <option value="">{environments.isPending ? 'Loading…' : 'Choose one'}</option>
              {(environments.data?.items ?? []).map((environment) => (
                <option key={environment.name} value={environment.name}>
                  {environment.name}
                </option>
              ))}
              {form.environment !== '' && environments.data !== undefined && !environments.data.items.some((environment) => environment.name === form.environment) ? (
                <option value={form.environment}>{form.environment}</option>
              ) : null}
            </select>
            {environments.isError ? <span className="field-error">The environments could not be loaded: {describeError(environments.error).message}</span> : null}
            {errorOf('environment')}
          </div>
        ) : form.kind === 'project' ? (
          <>
            <div className="field">
              <label htmlFor={`${id}-project`}>Project</label>
              <select id={`${id}-project`} value={form.project} onChange={(event) => change({ project: event.target.value })} {...described('project')}>
                <option value="">{projects.isPending ? 'Loading…' : 'Choose one'}</option>
                {(projects.data?.items ?? []).map((project) => (
                  <option key={project.name} value={project.name}>
                    {project.name} ({project.builds} builds)
                  </option>
                ))}
                {form.project !== '' && projects.data !== undefined && !projects.data.items.some((project) => project.name === form.project) ? <option value={form.project}>{form.project}</option> : null}
              </select>
              {projects.isError ? <span className="field-error">The projects could not be loaded: {describeError(projects.error).message}</span> : null}
              {errorOf('project')}
            </div>
            <div className="field">
              <label htmlFor={`${id}-from`}>Builds from (UTC)</label>
              <input id={`${id}-from`} type="datetime-local" step={1} value={form.from} onChange={(event) => change({ from: event.target.value })} {...described('from')} />
              {errorOf('from')}
            </div>
            <div className="field">
              <label htmlFor={`${id}-to`}>Until (UTC, not included)</label>
              <input id={`${id}-to`} type="datetime-local" step={1} value={form.to} onChange={(event) => change({ to: event.target.value })} {...described('to')} />
              {errorOf('to')}
            </div>
          </>
        ) : form.kind === 'release' ? (
          <div className="field report-digests">
            <label htmlFor={`${id}-digests`}>Digests, one a line</label>
            <textarea id={`${id}-digests`} rows={4} spellCheck={false} className="mono" value={form.digests} placeholder="sha256:…" onChange={(event) => change({ digests: event.target.value })} {...described('digests')} />
            {errorOf('digests')}
          </div>
        ) : (
          <div className="field report-digest">
            <label htmlFor={`${id}-digest`}>Artifact digest</label>
            <input id={`${id}-digest`} className="mono" spellCheck={false} value={form.digest} placeholder="sha256:…" onChange={(event) => change({ digest: event.target.value })} {...described('digest')} />
            {errorOf('digest')}
          </div>
        )}
        <div className="field">
          <label htmlFor={`${id}-as-of`}>As of (UTC)</label>
          <input id={`${id}-as-of`} type="datetime-local" step={1} value={form.asOf} onChange={(event) => change({ asOf: event.target.value })} aria-invalid={problem?.field === 'asOf' ? true : undefined} aria-describedby={problem?.field === 'asOf' ? `${id}-as-of-hint ${id}-asOf-error` : `${id}-as-of-hint`} />
          <span id={`${id}-as-of-hint`} className="muted">
            Empty: now. Nothing stored after it is included.
          </span>
          {errorOf('asOf')}
        </div>
        <button type="submit" className="button button-primary" disabled={start.isPending}>
          {start.isPending ? 'Starting…' : 'Make the report'}
        </button>
      </div>
      {serverError === null ? null : (
        <p className="field-error" role="alert">
          The report could not be started: {serverError.message} {serverError.hint ?? ''}
        </p>
      )}
    </form>
  )
}
