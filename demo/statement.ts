import type { DemoBuild } from './model'

/*
 * The in-toto Statement of each demo build, shared: the server's demo seed signs exactly this, and the mocks
 * answer with the facts the server reads from it, so `npm run dev` and `npm start` show the same builds.
 */

const iso = (ms: number) => new Date(ms).toISOString()

/** The in-toto Statement a real builder of this kind would have written for the build. */
export function demoStatement(build: DemoBuild): Record<string, unknown> {
  const subject = build.artifacts.map((artifact) => ({ name: artifact.name, digest: { sha256: artifact.sha256 } }))
  const source = { uri: `git+${build.sourceRepo}@${build.ref}`, digest: build.slsaVersion === 'v1' ? { gitCommit: build.commit } : { sha1: build.commit } }
  const tools = build.tools.map((tool) => ({ uri: `pkg:generic/${tool.name}@${tool.version}`, name: tool.name, digest: {} }))
  if (build.slsaVersion === 'v1') {
    return {
      _type: 'https://in-toto.io/Statement/v1',
      subject,
      predicateType: 'https://slsa.dev/provenance/v1',
      predicate: {
        buildDefinition: {
          buildType: build.buildType,
          externalParameters: { workflow: { ref: build.ref, repository: build.sourceRepo, path: build.workflow } },
          internalParameters: { toolchain: Object.fromEntries(build.tools.map((tool) => [tool.name, tool.version])) },
          resolvedDependencies: [source, ...tools],
        },
        runDetails: {
          builder: { id: build.builderId },
          metadata: { invocationId: build.invocationId, startedOn: iso(build.startedAt), finishedOn: iso(build.finishedAt) },
        },
      },
    }
  }
  return {
    _type: 'https://in-toto.io/Statement/v0.1',
    subject,
    predicateType: 'https://slsa.dev/provenance/v0.2',
    predicate: {
      builder: { id: build.builderId },
      buildType: build.buildType,
      invocation: {
        configSource: { ...source, entryPoint: build.workflow },
        parameters: { ref: build.ref },
        environment: { toolchain: Object.fromEntries(build.tools.map((tool) => [tool.name, tool.version])) },
      },
      metadata: {
        buildInvocationId: build.invocationId,
        buildStartedOn: iso(build.startedAt),
        buildFinishedOn: iso(build.finishedAt),
        completeness: { parameters: true, environment: false, materials: false },
        reproducible: false,
      },
      materials: [source, ...tools],
    },
  }
}

type Dependency = { uri: string | null; name: string | null; digest: Record<string, string> }

/** What the server reads from the demo Statement (server/ingest/slsa.ts), for the mocks' build details. */
export function demoStatementFacts(build: DemoBuild) {
  const statement = demoStatement(build)
  const tools = Object.fromEntries(build.tools.map((tool) => [tool.name, tool.version]))
  const digest: Record<string, string> = build.slsaVersion === 'v1' ? { gitCommit: build.commit } : { sha1: build.commit }
  const source = { uri: `git+${build.sourceRepo}@${build.ref}`, name: null, digest }
  const dependencies: Dependency[] = [source, ...build.tools.map((tool) => ({ uri: `pkg:generic/${tool.name}@${tool.version}`, name: tool.name, digest: {} }))]
  if (build.slsaVersion === 'v1') {
    return {
      statement,
      externalParameters: { workflow: { ref: build.ref, repository: build.sourceRepo, path: build.workflow } },
      internalParameters: { toolchain: tools },
      resolvedDependencies: dependencies,
    }
  }
  return {
    statement,
    externalParameters: { configSource: { uri: source.uri, digest: source.digest, entryPoint: build.workflow }, parameters: { ref: build.ref } },
    internalParameters: { toolchain: tools },
    resolvedDependencies: dependencies,
  }
}
