import { fireEvent, render, screen } from '@testing-library/react'
import { userEvent } from '@testing-library/user-event'
import { useState } from 'react'
import { describe, expect, it, vi } from 'vitest'
import { DateRangeFields, type DateRange } from './date-range-fields'

const NOW = Date.UTC(2026, 10, 30, 12, 34, 56)

function Harness({ onChange }: { onChange: (next: DateRange) => void }) {
  const [range, setRange] = useState<DateRange>({ from: undefined, to: undefined })
  return (
    <DateRangeFields
      id="f"
      value={range}
      now={() => NOW}
      onChange={(next) => {
        onChange(next)
        setRange(next)
      }}
    />
  )
}

describe('DateRangeFields', () => {
  it('applies a date only once it is complete: the partial years a date field passes through never reach the filter', () => {
    const onChange = vi.fn()
    render(<Harness onChange={onChange} />)
    const from = screen.getByLabelText<HTMLInputElement>('From (UTC)')
    // What Chromium reports while "2025" is typed into the year of 11/01/____.
    for (const value of ['0002-11-01', '0020-11-01', '0202-11-01']) fireEvent.change(from, { target: { value } })
    expect(onChange).not.toHaveBeenCalled()
    expect(from.value).toBe('0202-11-01')
    expect(from.getAttribute('aria-invalid')).toBe('true')
    fireEvent.change(from, { target: { value: '2025-11-01' } })
    expect(onChange).toHaveBeenCalledTimes(1)
    expect(onChange).toHaveBeenLastCalledWith({ from: '2025-11-01', to: undefined })
    expect(from.value).toBe('2025-11-01')
    fireEvent.change(from, { target: { value: '' } })
    expect(onChange).toHaveBeenLastCalledWith({ from: undefined, to: undefined })
  })

  it('sets a quick range ending now, and the From field shows its first day', async () => {
    const onChange = vi.fn()
    render(<Harness onChange={onChange} />)
    const user = userEvent.setup()
    await user.click(screen.getByRole('button', { name: 'Only the last 24 hours' }))
    expect(onChange).toHaveBeenLastCalledWith({ from: '2026-11-29T12:34Z', to: undefined })
    expect(screen.getByLabelText<HTMLInputElement>('From (UTC)').value).toBe('2026-11-29')
    await user.click(screen.getByRole('button', { name: 'Only the last 90 days' }))
    expect(onChange).toHaveBeenLastCalledWith({ from: '2026-09-01T12:34Z', to: undefined })
    expect(screen.getByLabelText<HTMLInputElement>('From (UTC)').value).toBe('2026-09-01')
  })
})
