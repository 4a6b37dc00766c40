import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App, createApp } from './app/app'
import './styles.css'

/**
 * In dev, the API is MSW's service worker unless `VITE_MOCKS=false` (then point the dev server at a real API).
 * `import.meta.env.DEV` is a constant, so a production build drops this branch and never bundles MSW.
 */
async function startMocks(): Promise<void> {
  if (!import.meta.env.DEV || import.meta.env.VITE_MOCKS === 'false') return
  const { startMockWorker } = await import('../mocks/browser')
  await startMockWorker(new URLSearchParams(window.location.search).get('scenario'))
}

const container = document.getElementById('root')
if (!container) throw new Error('index.html has no #root element')

void startMocks()
  .catch((error: unknown) => {
    // Render anyway: the pages will show that the API cannot be reached, which is the truth.
    console.error('[mocks] could not start the mock service worker', error)
  })
  .then(() => {
    createRoot(container).render(
      <StrictMode>
        <App app={createApp()} />
      </StrictMode>,
    )
  })
