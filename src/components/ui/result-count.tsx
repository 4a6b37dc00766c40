import type { ReactNode } from 'react'

/**
 * How many results a filtered list shows, announced politely as it changes, with "Clear filters" beside it while
 * any filter is set. The button sits on this line rather than in the filter form: appearing there, with the first
 * filter chosen, it wrapped the form onto a second row and pushed the whole list down, so the browser laid out and
 * painted the page again before it could show the choice (and the rows jumped under the pointer).
 */
export function ResultCount({ children, onClearFilters }: { children: ReactNode; onClearFilters?: (() => void) | undefined }) {
  return (
    <div className="result-bar">
      <p className="result-count" aria-live="polite">
        {children}
      </p>
      {onClearFilters ? (
        <button type="button" className="button-inline" onClick={onClearFilters}>
          Clear filters
        </button>
      ) : null}
    </div>
  )
}
