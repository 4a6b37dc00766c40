import type { ComponentType } from 'react'
import { Link } from 'react-router'
import { paths } from '../../lib/paths'

export type PlannedSection = 'lineage' | 'alerts' | 'reports'

const sections: Record<PlannedSection, { title: string; purpose: string }> = {
  lineage: {
    title: 'Lineage',
    purpose: 'Follow an artifact from commit to build, signature, promotion and deployment as a graph.',
  },
  alerts: {
    title: 'Alerts',
    purpose: 'Flag anomalies such as a new builder, an untrusted key or a changed toolchain.',
  },
  reports: {
    title: 'Reports',
    purpose: 'Export the verification record of a release for auditors.',
  },
}

/** A section that is on the plan but not built: it says so, and shows no data rather than invented data. */
export function plannedPage(section: PlannedSection): ComponentType {
  const { title, purpose } = sections[section]
  function PlannedPage() {
    return (
      <section className="page" aria-labelledby="planned-heading">
        <title>{`${title} · Provenance`}</title>
        <header className="page-header">
          <h1 id="planned-heading">{title}</h1>
        </header>
        <div className="card planned">
          <p>
            <strong>Not built yet.</strong> {title} arrives in a later release; no data is shown here until then.
          </p>
          <p className="muted">When it arrives, it will: {purpose.charAt(0).toLowerCase() + purpose.slice(1)}</p>
          <p>
            <Link to={paths.builds()}>Go to Builds</Link>, which is available now.
          </p>
        </div>
      </section>
    )
  }
  PlannedPage.displayName = `PlannedPage(${section})`
  return PlannedPage
}
