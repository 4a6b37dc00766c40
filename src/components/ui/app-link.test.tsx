import { fireEvent, render, screen } from '@testing-library/react'
import { userEvent } from '@testing-library/user-event'
import { useState } from 'react'
import { MemoryRouter, useLocation, useNavigationType } from 'react-router'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Link, NavLink } from './app-link'

function Where() {
  const location = useLocation()
  return <output aria-label="Location">{`${location.pathname}${location.search} ${JSON.stringify(location.state)}`}</output>
}

// jsdom cannot follow a link itself: a click the app leaves to the browser is recorded here, then cancelled.
let leftToBrowser: boolean[] = []
function record(event: MouseEvent) {
  leftToBrowser.push(!event.defaultPrevented)
  event.preventDefault()
}
beforeEach(() => {
  leftToBrowser = []
  document.addEventListener('click', record)
})
afterEach(() => document.removeEventListener('click', record))

describe('Link', () => {
  it('is a real link to the address, followed in the app on a plain click, with its state', async () => {
    const user = userEvent.setup()
    render(
      <MemoryRouter initialEntries={['/']}>
        <Link to="/builds?status=failed" state={{ from: 'test' }} className="x">
          Failed builds
        </Link>
        <Where />
      </MemoryRouter>,
    )
    const link = screen.getByRole('link', { name: 'Failed builds' })
    expect(link.getAttribute('href')).toBe('/builds?status=failed')
    expect(link.className).toBe('x')
    await user.click(link)
    expect(screen.getByRole('status', { name: 'Location' }).textContent).toBe('/builds?status=failed {"from":"test"}')
    expect(leftToBrowser).toEqual([false])
  })

  it('leaves modified clicks, middle clicks and other targets to the browser (a new tab)', () => {
    render(
      <MemoryRouter initialEntries={['/']}>
        <Link to="/builds">Builds</Link>
        <Link to="/alerts" target="_blank">
          Alerts
        </Link>
        <Where />
      </MemoryRouter>,
    )
    const builds = screen.getByRole('link', { name: 'Builds' })
    fireEvent.click(builds, { ctrlKey: true })
    fireEvent.click(builds, { metaKey: true })
    fireEvent.click(builds, { shiftKey: true })
    fireEvent.click(builds, { button: 1 })
    fireEvent.click(screen.getByRole('link', { name: 'Alerts' }))
    expect(leftToBrowser).toEqual([true, true, true, true, true])
    expect(screen.getByRole('status', { name: 'Location' }).textContent).toBe('/ null')
  })

  it("runs the caller's onClick first, which may keep the link from being followed", async () => {
    function Guarded() {
      const [clicks, setClicks] = useState(0)
      return (
        <Link
          to="/builds"
          onClick={(event) => {
            setClicks(clicks + 1)
            event.preventDefault()
          }}
        >
          {`Clicked ${clicks}`}
        </Link>
      )
    }
    const user = userEvent.setup()
    render(
      <MemoryRouter initialEntries={['/']}>
        <Guarded />
        <Where />
      </MemoryRouter>,
    )
    await user.click(screen.getByRole('link', { name: 'Clicked 0' }))
    expect(screen.getByRole('link', { name: 'Clicked 1' })).toBeTruthy()
    expect(screen.getByRole('status', { name: 'Location' }).textContent).toBe('/ null')
  })

  it('replaces the history entry when it links to the address already shown, and adds one otherwise', async () => {
    function How() {
      return <output aria-label="How">{useNavigationType()}</output>
    }
    const user = userEvent.setup()
    render(
      <MemoryRouter initialEntries={['/builds?status=failed']}>
        <Link to="/builds?status=failed">Same</Link>
        <Link to="/builds">Other</Link>
        <How />
      </MemoryRouter>,
    )
    await user.click(screen.getByRole('link', { name: 'Same' }))
    expect(screen.getByRole('status', { name: 'How' }).textContent).toBe('REPLACE')
    await user.click(screen.getByRole('link', { name: 'Other' }))
    expect(screen.getByRole('status', { name: 'How' }).textContent).toBe('PUSH')
    await user.click(screen.getByRole('link', { name: 'Same' }))
    expect(screen.getByRole('status', { name: 'How' }).textContent).toBe('PUSH')
  })

  it('leaves a relative address to React Router, resolved against the current one', async () => {
    const user = userEvent.setup()
    render(
      <MemoryRouter initialEntries={['/builds/abc']}>
        <Link to="?tab=checks">Checks</Link>
        <Where />
      </MemoryRouter>,
    )
    const link = screen.getByRole('link', { name: 'Checks' })
    expect(link.getAttribute('href')).toBe('/builds/abc?tab=checks')
    await user.click(link)
    expect(screen.getByRole('status', { name: 'Location' }).textContent).toBe('/builds/abc?tab=checks null')
  })

  it('forwards a ref to the anchor', () => {
    let anchor: HTMLAnchorElement | null = null
    render(
      <MemoryRouter>
        <Link to="/log" ref={(element) => void (anchor = element)}>
          Log
        </Link>
      </MemoryRouter>,
    )
    expect(anchor).toBe(screen.getByRole('link', { name: 'Log' }))
  })
})

describe('NavLink', () => {
  function currentAt(pathname: string) {
    const { unmount } = render(
      <MemoryRouter initialEntries={[pathname]}>
        <NavLink to="/">Overview</NavLink>
        <NavLink to="/builds">Builds</NavLink>
        <NavLink to="/builds" end>
          Builds only
        </NavLink>
        <NavLink to="/alerts">Alerts</NavLink>
      </MemoryRouter>,
    )
    const current = screen.queryAllByRole('link').flatMap((link) => (link.getAttribute('aria-current') === 'page' ? [link.textContent] : []))
    unmount()
    return current
  }

  it('marks the link of the current section as the current page', () => {
    expect(currentAt('/')).toEqual(['Overview'])
    expect(currentAt('/builds')).toEqual(['Builds', 'Builds only'])
    expect(currentAt('/builds/compare')).toEqual(['Builds'])
    expect(currentAt('/Builds/abc')).toEqual(['Builds'])
    expect(currentAt('/buildsx')).toEqual([])
    expect(currentAt('/alerts/42')).toEqual(['Alerts'])
  })
})
