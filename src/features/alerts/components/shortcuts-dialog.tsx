import { useEffect, useRef } from 'react'

export const shortcuts: readonly [key: string, what: string][] = [
  ['j', 'Next alert'],
  ['k', 'Previous alert'],
  ['x', 'Select or unselect the current alert'],
  ['a', 'Acknowledge the selected alerts, or the current one'],
  ['r', 'Resolve the selected alerts, or the current one'],
  ['w', 'Waive the selected alerts, or the current one (asks for a reason and an end date)'],
  ['?', 'Show these shortcuts'],
]

/** The queue's keyboard shortcuts, in a modal dialog (Escape or Close returns to the queue). */
export function ShortcutsDialog({ onClose }: { onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null)
  useEffect(() => {
    const element = dialog.current
    if (element && !element.open) element.showModal()
    return () => element?.close()
  }, [])
  return (
    <dialog ref={dialog} className="shortcuts-dialog" aria-labelledby="shortcuts-title" onClose={onClose}>
      <h2 id="shortcuts-title">Keyboard shortcuts</h2>
      <dl>
        {shortcuts.map(([key, what]) => (
          <div key={key}>
            <dt>
              <kbd>{key}</kbd>
            </dt>
            <dd>{what}</dd>
          </div>
        ))}
      </dl>
      <form method="dialog">
        <button type="submit" className="button">
          Close
        </button>
      </form>
    </dialog>
  )
}
