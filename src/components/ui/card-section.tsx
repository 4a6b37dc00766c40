import type { ReactNode } from 'react'
import { NotRecorded } from './not-recorded'

/** A titled card; its heading names the region for assistive technology. */
export function Section({ id, title, action, children }: { id: string; title: ReactNode; action?: ReactNode; children: ReactNode }) {
  return (
    <section className="card" aria-labelledby={`${id}-heading`} id={id}>
      <div className="card-header">
        <h2 id={`${id}-heading`}>{title}</h2>
        {action}
      </div>
      {children}
    </section>
  )
}

/** Label and value pairs; a missing value says so rather than showing a blank. */
export function Facts({ items }: { items: [label: string, value: ReactNode][] }) {
  return (
    <dl className="facts">
      {items.map(([label, value]) => (
        <div className="fact" key={label}>
          <dt>{label}</dt>
          <dd>{value === null || value === undefined || value === '' ? <NotRecorded /> : value}</dd>
        </div>
      ))}
    </dl>
  )
}
