import { render, screen, within } from '@testing-library/react'
import { MemoryRouter } from 'react-router'
import { describe, expect, it } from 'vitest'
import { SubjectList } from './subject-list'

const subjects = Array.from({ length: 428 }, (_, index) => ({ name: `dist/assets/file-${index}.js`, digest: { sha256: index.toString(16).padStart(64, '0') } }))

function list(props: Parameters<typeof SubjectList>[0]) {
  render(
    <MemoryRouter>
      <SubjectList {...props} />
    </MemoryRouter>,
  )
  return screen.getByRole('list')
}

describe('SubjectList', () => {
  it('shows the first three artifacts of a build of hundreds, then how many more, linking to where all are', () => {
    const items = within(list({ subjects, more: { href: '/builds/b1#subjects', label: 'All 428 artifacts of build b1' } })).getAllByRole('listitem')
    expect(items.map((item) => item.textContent?.split('sha256')[0])).toEqual(['dist/assets/file-0.js ', 'dist/assets/file-1.js ', 'dist/assets/file-2.js ', 'and 425 more'])
    expect(screen.getByRole('link', { name: 'All 428 artifacts of build b1' }).getAttribute('href')).toBe('/builds/b1#subjects')
  })

  it('says how many more without a link when there is no page listing them all', () => {
    expect(within(list({ subjects })).getAllByRole('listitem').at(-1)?.textContent).toBe('and 425 more')
    expect(screen.queryByRole('link', { name: /more/ })).toBeNull()
  })

  it('lists three or fewer whole', () => {
    expect(within(list({ subjects: subjects.slice(0, 3) })).getAllByRole('listitem')).toHaveLength(3)
  })
})
