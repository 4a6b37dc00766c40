import { describeError } from '../../api/api-error'

/** The project names as a query gives them; the result of `useQuery(projectQueries.names())` fits as is. */
export type ProjectNames = {
  status: 'pending' | 'error' | 'success'
  data: readonly string[] | undefined
  error: unknown
  isFetching: boolean
  refetch: () => unknown
}

export type ProjectSelectProps = {
  /** The select's id; the field's label and notes are tied to it. */
  id: string
  /** The project in the URL, if any. */
  value: string | undefined
  onChange: (project: string | undefined) => void
  projects: ProjectNames
}

/**
 * The project filter of the list screens: "All projects", then each project. Filtering still works while the list
 * loads or after it failed, since the project in the URL is always one of the options.
 */
export function ProjectSelect({ id, value, onChange, projects }: ProjectSelectProps) {
  const names = projects.data ?? []
  // A project from the URL stays selectable while the list loads, when it failed, or when it no longer has builds.
  const options = value !== undefined && !names.includes(value) ? [value, ...names] : names
  const noteId = `${id}-note`

  return (
    <div className="field">
      <label htmlFor={id}>Project</label>
      <select
        id={id}
        value={value ?? ''}
        onChange={(event) => onChange(event.target.value === '' ? undefined : event.target.value)}
        aria-busy={projects.status === 'pending' ? true : undefined}
        aria-describedby={projects.status === 'success' ? undefined : noteId}
      >
        <option value="">All projects</option>
        {options.map((name) => (
          <option key={name} value={name}>
            {name}
          </option>
        ))}
      </select>
      {projects.status === 'pending' ? (
        <span id={noteId} className="muted">
          Loading projects…
        </span>
      ) : projects.status === 'error' ? (
        <>
          <span id={noteId} className="field-error">
            {`Could not load the project list. ${describeError(projects.error).message}`}
          </span>
          <button type="button" className="button button-quiet" onClick={() => void projects.refetch()} disabled={projects.isFetching}>
            {projects.isFetching ? 'Retrying…' : 'Retry loading projects'}
          </button>
        </>
      ) : null}
    </div>
  )
}
