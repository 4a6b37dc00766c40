import { useLocation } from 'react-router'

/** The check a `#check-<name>` link points at, or null. Read from the router so client-side links update it. */
export function useHashCheck(): string | null {
  const { hash } = useLocation()
  const match = /^#check-(.+)$/.exec(hash)
  if (!match?.[1]) return null
  try {
    return decodeURIComponent(match[1])
  } catch {
    return null
  }
}
