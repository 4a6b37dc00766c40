import { buildIfStale } from '../scripts/build-if-stale.mjs'

// The real server serves the built SPA, so the end-to-end tests run against exactly what `npm start` ships.
export default function globalSetup() {
  buildIfStale()
}
