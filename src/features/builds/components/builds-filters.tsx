import { useQuery } from '@tanstack/react-query'
import { useId } from 'react'
import { projectQueries } from '../../../api/project-queries'
import { ProjectSelect } from '../../../components/ui/project-select'
import { StatusSelect } from '../../../components/ui/status-select'
import { hasFilters, type BuildsSearch } from '../lib/builds-search'

export type BuildsFiltersProps = {
  search: BuildsSearch
  onChange: (next: BuildsSearch) => void
}

export function BuildsFilters({ search, onChange }: BuildsFiltersProps) {
  const id = useId()
  const projects = useQuery(projectQueries.names())

  function set<K extends keyof BuildsSearch>(key: K, value: BuildsSearch[K] | '') {
    onChange({ ...search, [key]: value === '' ? undefined : value })
  }

  return (
    <form className="filters" role="search" aria-label="Filter builds" onSubmit={(event) => event.preventDefault()}>
      <ProjectSelect id={`${id}-project`} value={search.project} onChange={(project) => set('project', project ?? '')} projects={projects} />

      <div className="field">
        <label htmlFor={`${id}-status`}>Status</label>
        <StatusSelect id={`${id}-status`} value={search.status} onChange={(status) => set('status', status ?? '')} />
      </div>

      <div className="field">
        <label htmlFor={`${id}-from`}>From (UTC)</label>
        <input
          id={`${id}-from`}
          type="date"
          value={search.from ?? ''}
          max={search.to}
          onChange={(event) => set('from', event.target.value)}
        />
      </div>

      <div className="field">
        <label htmlFor={`${id}-to`}>To (UTC, inclusive)</label>
        <input
          id={`${id}-to`}
          type="date"
          value={search.to ?? ''}
          min={search.from}
          onChange={(event) => set('to', event.target.value)}
        />
      </div>

      {hasFilters(search) ? (
        <button
          type="button"
          className="button button-quiet"
          onClick={() => onChange({ project: undefined, status: undefined, from: undefined, to: undefined })}
        >
          Clear filters
        </button>
      ) : null}
    </form>
  )
}
