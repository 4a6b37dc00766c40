import { useEffect, useId, useRef, useState, type FormEvent } from 'react'
import { useLocation, useNavigate } from 'react-router'
import { paths } from '../../../lib/paths'

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName)
}

/**
 * The header's search box. `/` focuses it unless the reader is typing somewhere. Submitting opens the search
 * route, whose loader goes straight to the page of a single match. Kept tiny: it ships with the app shell.
 */
export function SearchBox() {
  const id = useId()
  const inputRef = useRef<HTMLInputElement>(null)
  const navigate = useNavigate()
  const location = useLocation()
  const current = location.pathname === '/search' ? (new URLSearchParams(location.search).get('q') ?? '') : ''
  const [value, setValue] = useState(current)
  const [shown, setShown] = useState(current)
  // Follow the URL when it changes under the box (Back, a shared link), not while the reader types.
  if (current !== shown) {
    setShown(current)
    setValue(current)
  }

  useEffect(() => {
    function onKey(event: KeyboardEvent) {
      if (event.key !== '/' || event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return
      event.preventDefault()
      inputRef.current?.focus()
      inputRef.current?.select()
    }
    document.addEventListener('keydown', onKey)
    return () => document.removeEventListener('keydown', onKey)
  }, [])

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const q = value.trim()
    if (q === '') return
    void navigate(paths.search(q))
  }

  return (
    <form className="search-box" role="search" aria-label="Search everything" onSubmit={submit}>
      <label htmlFor={`${id}-q`} className="visually-hidden">
        Search digests, commits, builds, names, packages and signers
      </label>
      <input
        ref={inputRef}
        id={`${id}-q`}
        type="search"
        value={value}
        onChange={(event) => setValue(event.target.value)}
        placeholder="Search digest, commit, name…"
        spellCheck={false}
        autoComplete="off"
        aria-keyshortcuts="/"
        maxLength={512}
      />
      <kbd className="search-key" aria-hidden="true">
        /
      </kbd>
    </form>
  )
}
