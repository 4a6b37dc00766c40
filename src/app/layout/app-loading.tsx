import { Spinner } from '../../components/ui/spinner'

/** Shown while the first page's code loads. */
export function AppLoading() {
  return (
    <div className="app-loading">
      <Spinner label="Loading Provenance…" />
    </div>
  )
}
