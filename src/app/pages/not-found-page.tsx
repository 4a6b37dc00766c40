import { useLocation } from 'react-router'
import { Link } from '../../components/ui/app-link'
import { paths } from '../../lib/paths'

export function NotFoundPage() {
  const { pathname } = useLocation()
  return (
    <section className="page" aria-labelledby="not-found-heading">
      <title>Not found · Provenance</title>
      <header className="page-header">
        <h1 id="not-found-heading">Page not found</h1>
      </header>
      <div className="card">
        <p>
          Nothing lives at <code className="mono">{pathname}</code>. The link may be mistyped or out of date.
        </p>
        <p>
          <Link to={paths.builds()}>Go to Builds</Link>
        </p>
      </div>
    </section>
  )
}
