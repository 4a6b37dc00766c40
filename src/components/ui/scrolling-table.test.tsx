import { render, screen, waitFor, within } from '@testing-library/react'
import type { Ref } from 'react'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { ScrollingTable, VIRTUALIZE_AFTER } from './scrolling-table'

type Item = { id: string; name: string }
const items = (count: number): Item[] => Array.from({ length: count }, (_, index) => ({ id: `item-${index}`, name: `Item ${index}` }))

function Table({ rows }: { rows: readonly Item[] }) {
  return (
    <ScrollingTable
      label="Items"
      className="data-table"
      columns={['Name']}
      rows={rows}
      getKey={(row) => row.id}
      renderRow={(row, index, ref?: Ref<HTMLTableRowElement>) => (
        <tr ref={ref} data-index={index} aria-rowindex={index + 2}>
          <td>{row.name}</td>
        </tr>
      )}
    />
  )
}

/** Body rows the table has in the DOM (spacer rows are hidden from the accessibility tree, so not counted). */
const bodyRows = () => within(screen.getByRole('table', { name: 'Items' })).getAllByRole('row').slice(1)

describe('ScrollingTable', () => {
  beforeEach(() => {
    // jsdom lays nothing out: give the scrolling box the height a screen would and each row a height, so the
    // virtualiser has a view to fill and rows to measure.
    vi.spyOn(Element.prototype, 'clientHeight', 'get').mockImplementation(function (this: Element) {
      return this.classList.contains('table-scroll') ? 640 : 0
    })
    vi.spyOn(HTMLElement.prototype, 'offsetHeight', 'get').mockImplementation(function (this: HTMLElement) {
      return this.tagName === 'TR' ? 64 : 0
    })
  })

  it('draws a short list whole', () => {
    render(<Table rows={items(50)} />)
    expect(bodyRows()).toHaveLength(50)
    expect(screen.getByRole('table', { name: 'Items' }).getAttribute('aria-rowcount')).toBe('51')
  })

  it('virtualises a long list: only the rows around the view are in the DOM, in their places in the table', async () => {
    render(<Table rows={items(5_000)} />)
    const table = screen.getByRole('table', { name: 'Items' })
    expect(table.getAttribute('aria-rowcount')).toBe('5001')
    // At once, however the virtualiser is loading: never the whole list.
    expect(bodyRows().length).toBeLessThanOrEqual(VIRTUALIZE_AFTER)
    within(table).getByText('Item 0')
    // Once it has loaded, a window of rows (the view plus overscan), far fewer than the waiting state's.
    await waitFor(() => expect(bodyRows().length).toBeLessThan(50))
    expect(bodyRows().length).toBeGreaterThanOrEqual(10)
    expect(bodyRows()[0]?.getAttribute('aria-rowindex')).toBe('2')
    expect(within(table).queryByText('Item 4999')).toBeNull()
  })

  it('switches to the virtualiser when a list grows past the threshold', async () => {
    const { rerender } = render(<Table rows={items(VIRTUALIZE_AFTER)} />)
    expect(bodyRows()).toHaveLength(VIRTUALIZE_AFTER)
    rerender(<Table rows={items(VIRTUALIZE_AFTER + 50)} />)
    await waitFor(() => expect(bodyRows().length).toBeLessThan(50))
    expect(bodyRows().length).toBeGreaterThanOrEqual(10)
  })
})
