import { useState } from 'react'
import { isPlausibleDate, quickRangeFrom, quickRanges } from '../../lib/url-filters'

export type DateRange = { from: string | undefined; to: string | undefined }

export type DateRangeFieldsProps = {
  /** The fields' id prefix; labels are tied to it. */
  id: string
  value: DateRange
  onChange: (next: DateRange) => void
  /** Milliseconds; the quick ranges end here. */
  now?: () => number
}

/**
 * From and To (UTC days) and the quick ranges. A date field reports every keystroke, and while a year is typed it
 * holds dates such as 0002-11-01: each field keeps what is typed and applies it only once it is a complete,
 * plausible date (or empty), so the URL, the history and the request see whole dates only.
 */
export function DateRangeFields({ id, value, onChange, now = Date.now }: DateRangeFieldsProps) {
  const fromDay = value.from?.slice(0, 10)
  const toDay = value.to?.slice(0, 10)
  return (
    <>
      <DateField id={`${id}-from`} label="From (UTC)" value={fromDay} max={toDay} onApply={(from) => onChange({ ...value, from })} />
      <DateField id={`${id}-to`} label="To (UTC, inclusive)" value={toDay} min={fromDay} onApply={(to) => onChange({ ...value, to })} />
      <div className="field">
        <span id={`${id}-quick`}>Quick range</span>
        <div role="group" aria-labelledby={`${id}-quick`} className="button-row">
          {quickRanges.map((range) => (
            <button
              key={range.label}
              type="button"
              className="button button-quiet"
              aria-label={`Only ${range.name}`}
              onClick={() => onChange({ from: quickRangeFrom(range.hours, now()), to: undefined })}
            >
              {range.label}
            </button>
          ))}
        </div>
      </div>
    </>
  )
}

type DateFieldProps = { id: string; label: string; value: string | undefined; min?: string | undefined; max?: string | undefined; onApply: (day: string | undefined) => void }

function DateField({ id, label, value, min, max, onApply }: DateFieldProps) {
  const [draft, setDraft] = useState(value ?? '')
  const [applied, setApplied] = useState(value)
  // A new value from outside (a quick range, Clear filters, Back) replaces whatever was being typed.
  if (applied !== value) {
    setApplied(value)
    setDraft(value ?? '')
  }
  const incomplete = draft !== '' && !isPlausibleDate(draft)
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="date"
        value={draft}
        min={min}
        max={max}
        aria-invalid={incomplete ? true : undefined}
        onChange={(event) => {
          const next = event.target.value
          setDraft(next)
          if (next === '') {
            if (value !== undefined) onApply(undefined)
          } else if (isPlausibleDate(next) && next !== value) onApply(next)
        }}
      />
    </div>
  )
}
