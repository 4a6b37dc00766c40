import { useEffect } from 'react'
import { useLocation } from 'react-router'

/**
 * Scrolls to the section a link's `#id` names once the page shows it (`#subjects`, `#verification` on a build page).
 * The browser does that by itself only for a page it loads whole; a link followed in the app renders the page after
 * the address changed. `#check-…` addresses are the checks table's own (it scrolls to and focuses the row).
 */
export function useSectionFromHash(): void {
  const { hash, key } = useLocation()
  useEffect(() => {
    if (hash.length < 2 || hash.startsWith('#check-')) return
    let id: string
    try {
      id = decodeURIComponent(hash.slice(1))
    } catch {
      return
    }
    document.getElementById(id)?.scrollIntoView?.({ block: 'start' })
  }, [hash, key])
}
