import { useState, type ReactNode } from 'react'
import { formatCount } from '../../lib/format'

/** Lists up to this long show whole; a longer one shows its first FIRST rows until asked for the rest. */
const WHOLE = 60
const FIRST = 25

/**
 * The first rows of a long list and a button for the rest. The dashboard's own build names 431 files, 615 tools and
 * 627 dependencies, and its page, drawn whole, was 92,000 px tall, the sections after them far out of reach.
 */
export function useFirstRows<T>(rows: readonly T[], noun: string, of: string): { shown: readonly T[]; more: ReactNode } {
  // Whose rows were shown whole (a build's id): another build's page starts with its first rows again.
  const [whole, setWhole] = useState<string | null>(null)
  if (whole === of || rows.length <= WHOLE) return { shown: rows, more: null }
  return {
    shown: rows.slice(0, FIRST),
    more: (
      <p className="first-rows">
        The first {FIRST} of {formatCount(rows.length)} {noun}.{' '}
        <button type="button" className="button button-small" onClick={() => setWhole(of)}>
          Show all {formatCount(rows.length)}
        </button>
      </p>
    ),
  }
}
