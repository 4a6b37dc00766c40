/*
 * The hosts of the demo world, in one table: what the CI steps of a demo build contact (demo/traces.ts) and what
 * every demo project's policy allows (server/demo/seed.ts). The allow-list is built from the same entries, so
 * the only hosts the dashboard flags on a demo build are the unexpected ones, by design.
 */

/** Hosts the build step fetches dependencies from, by the project's primary tool. */
export const demoDependencyHosts: Readonly<Record<string, readonly string[]>> = {
  node: ['registry.npmjs.org'],
  go: ['proxy.golang.org'],
  rustc: ['static.crates.io'],
  java: ['repo.maven.apache.org'],
  python: ['pypi.org', 'files.pythonhosted.org'],
  buildah: ['deb.debian.org'],
}

/** The checkout step's host. */
export const demoSourceHost = 'github.com'
/** The toolchain step downloads from here. */
export const demoToolchainHost = 'objects.githubusercontent.com'
/** The attest step asks this OIDC issuer for its token. */
export const demoTokenHost = 'token.actions.githubusercontent.com'

/** Hosts no demo policy allows: a few builds contact one, which the dashboard should flag. */
export const demoUnexpectedHosts: readonly string[] = ['pkg-cache.unvetted-mirror.example', 'paste.snippets-host.example', 'collect.unknown-telemetry.example']

/** Every demo policy's allow-list: the source host, GitHub's content hosts (toolchain, token) and every dependency host. */
export const demoAllowedHosts: readonly string[] = [demoSourceHost, '*.githubusercontent.com', ...Object.values(demoDependencyHosts).flat()]
