import { useRef, useState } from 'react'

type CopyState = 'idle' | 'copied' | 'failed'

/**
 * Copies `text` to the clipboard and says whether it worked. Lists draw two in every row, so it is kept light: no
 * effect (a timer that fires after the button is gone sets the state of nothing, which React ignores) and its icon
 * drawn by CSS (`.copy-icon`) rather than an SVG of three elements.
 */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const [state, setState] = useState<CopyState>('idle')
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null)

  async function copy() {
    try {
      if (!navigator.clipboard) throw new Error('no clipboard')
      await navigator.clipboard.writeText(text)
      setState('copied')
    } catch {
      // Clipboard access needs a secure context and permission; say so rather than pretend.
      setState('failed')
    }
    if (timer.current !== null) clearTimeout(timer.current)
    timer.current = setTimeout(() => setState('idle'), 1600)
  }

  return (
    <button type="button" className={`copy-button copy-${state}`} aria-label={label} title={label} onClick={() => void copy()}>
      {state === 'copied' ? <span aria-hidden="true">✓</span> : state === 'failed' ? <span aria-hidden="true">!</span> : <span className="copy-icon" aria-hidden="true" />}
      {/* The live region is there from the start, so what it says is announced; it is clipped only while it says
          something, since a clip in every row split the list's painting (see .copy-status). */}
      <span className={state === 'idle' ? 'copy-status' : 'copy-status visually-hidden'} aria-live="polite">
        {state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy failed' : ''}
      </span>
    </button>
  )
}
