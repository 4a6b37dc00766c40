import { useQuery } from '@tanstack/react-query'
import { useId, useState } from 'react'
import { projectQueries } from '../../../api/project-queries'
import { DateRangeFields } from '../../../components/ui/date-range-fields'
import { ProjectSelect } from '../../../components/ui/project-select'
import { StatusSelect } from '../../../components/ui/status-select'
import type { BuildsSearch } from '../lib/builds-search'

export type BuildsFiltersProps = {
  search: BuildsSearch
  onChange: (next: BuildsSearch) => void
}

const COMMIT = /^[0-9a-fA-F]{7,64}$/

export function BuildsFilters({ search, onChange }: BuildsFiltersProps) {
  const id = useId()
  const projects = useQuery(projectQueries.names())
  const [commit, setCommit] = useState(search.commit ?? '')
  const [commitShown, setCommitShown] = useState(search.commit)
  // A commit from outside (a commit link, Back, Clear filters) replaces what was being typed.
  if (commitShown !== search.commit) {
    setCommitShown(search.commit)
    setCommit(search.commit ?? '')
  }
  const commitInvalid = commit.trim() !== '' && !COMMIT.test(commit.trim())

  function set<K extends keyof BuildsSearch>(key: K, value: BuildsSearch[K] | '') {
    onChange({ ...search, [key]: value === '' ? undefined : value })
  }
  // Applied on Enter or leaving the field, never per keystroke, so Back undoes the whole commit, not one character.
  function applyCommit() {
    const value = commit.trim().toLowerCase()
    if (value === (search.commit ?? '') || (value !== '' && !COMMIT.test(value))) return
    set('commit', value)
  }

  return (
    <form
      className="filters"
      role="search"
      aria-label="Filter builds"
      onSubmit={(event) => {
        event.preventDefault()
        applyCommit()
      }}
    >
      <ProjectSelect id={`${id}-project`} value={search.project} onChange={(project) => set('project', project ?? '')} projects={projects} />

      <div className="field">
        <label htmlFor={`${id}-status`}>Status</label>
        <StatusSelect id={`${id}-status`} value={search.status} onChange={(status) => set('status', status ?? '')} />
      </div>

      <div className="field">
        <label htmlFor={`${id}-commit`}>Commit</label>
        <input
          id={`${id}-commit`}
          value={commit}
          spellCheck={false}
          autoComplete="off"
          placeholder="SHA or first 7+ characters"
          aria-invalid={commitInvalid ? true : undefined}
          aria-describedby={commitInvalid ? `${id}-commit-error` : undefined}
          onChange={(event) => setCommit(event.target.value)}
          // Enter applies it here: with date fields in the form, a browser submits it on Enter only with a submit button.
          onKeyDown={(event) => {
            if (event.key === 'Enter') {
              event.preventDefault()
              applyCommit()
            }
          }}
          onBlur={applyCommit}
        />
        {commitInvalid ? (
          <span id={`${id}-commit-error`} className="field-error">
            A commit is its SHA, or at least its first 7 hexadecimal characters.
          </span>
        ) : null}
      </div>

      <DateRangeFields id={id} value={{ from: search.from, to: search.to }} onChange={(range) => onChange({ ...search, ...range })} />
    </form>
  )
}
