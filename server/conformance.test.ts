import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, expect, it } from 'vitest'
import { IngestResponse, type LineError } from '../src/contract/attestations'
import { ApiErrorBody, type Check } from '../src/contract/common'
import { createApp } from './app'
import { buildConfig, ConfigError } from './config'
import { corpusDir, corpusExpectations, describeWithCorpus, sourcesRows, type CorpusEntry } from './testing/corpus'
import { tempStore } from './testing/documents'

/*
 * Every file of ../shared/corpus, posted to POST /api/v1/attestations, against what the corpus itself says it must
 * give (see corpusExpectations in testing/corpus.ts: SOURCES.md's EXPECT PASS / EXPECT FAIL, and the conformance
 * suite's folder names). What is right is asserted as right:
 *   pass  → every document verified (`unverifiable` where SOURCES.md says the evidence is online only);
 *   fail  → a document failed, or the body or the trust material it needs was refused with a 4xx (or a config
 *           error) naming what was wrong. Which check fails is shown, not derived: upstream reasons are prose
 *           written from how a case was built ("DSSE signature does not match", where the signature is valid and
 *           the log entry records another), and do not map onto our check names word for word;
 *   input → artifacts, keys, READMEs and trusted roots are refused with a 4xx, never stored as documents;
 *   none  → a document no upstream verdict covers: stored without a failure, or refused with a 4xx.
 * What is not right today because its work belongs to a later issue is in knownGaps, the one hand-written list,
 * with today's outcome asserted exactly, so that a change of behaviour fails here until the list is updated.
 */

/** Sigstore's production trusted root, as the corpus has it (two copies, both older than today's). */
const PRODUCTION_ROOTS = ['2-dsse-sigstore-bundles/sigstore-go/trusted-root-public-good.json', '3-npm-github-attestations/github-gh-cli/trusted_root.json']

type Trust = { trustedRoots: string[]; keys: { id: string; path: string }[]; npmRegistryKeys?: string }

/**
 * The trust material of the corpus outside the conformance suite, as SOURCES.md names it: the production roots,
 * the staging root the sigstore-python bundles verify against (sigstore-conformance/rekor2-happy-path's), npm's
 * registry key, and the published signer keys (Cloud Build's, for when its legacy signatures are read).
 */
const corpusTrust: Trust = {
  trustedRoots: [...PRODUCTION_ROOTS, '2-dsse-sigstore-bundles/sigstore-conformance/rekor2-happy-path/trusted_root.json'],
  keys: [
    { id: 'tekton-chains', path: '7-intoto-vsa-witness-tekton/tekton-chains/tekton-chains-signer.pub' },
    { id: 'bcid-vsa', path: '7-intoto-vsa-witness-tekton/vsa/vsa_signing_public_key.pem' },
    { id: 'bob', path: '7-intoto-vsa-witness-tekton/in-toto-demo/bob.pub' },
    { id: 'carl', path: '7-intoto-vsa-witness-tekton/in-toto-demo/carl.pub' },
    { id: 'cloud-build-global', path: '1-slsa-provenance/slsa-verifier/gcb/keys/global.pem' },
  ],
  npmRegistryKeys: '3-npm-github-attestations/npm-registry/npm-sigstore-tuf-keys.json',
}

/** A conformance case is verified as the suite builds it: its own trusted root (else production's) and key.pub. */
function trustFor(entry: CorpusEntry): Trust {
  const conformance = entry.conformanceCase
  if (!conformance || entry.expect === 'input') return corpusTrust
  return {
    trustedRoots: conformance.trustedRoot ? [conformance.trustedRoot] : PRODUCTION_ROOTS,
    keys: conformance.key ? [{ id: 'key.pub', path: conformance.key }] : [],
  }
}

const suite = (name: string) => new RegExp(`/sigstore-conformance-suite/${name}/bundle\\.sigstore\\.json$`)

type KnownGap = { files: RegExp; today: string; why: string; issue: 12 | 17 }

/**
 * Documents whose outcome is not right today, by class, with the issue that does the work. `today` is asserted
 * exactly: when the behaviour changes the test fails, and this list (and README.md's "Known gaps in the corpus")
 * is updated.
 */
const knownGaps: KnownGap[] = [
  {
    files: suite('wrong-material_fail'),
    today: '201 verified',
    why: 'the case fails only against its expected artifact, which POST /api/v1/attestations cannot be given',
    issue: 17,
  },
  {
    files: suite('(bundle-from-wrong-instance|managed-key-no-key|rekor2-timestamp-untrusted-tsa-with(out)?-embedded-cert)_fail'),
    today: '201 unverifiable',
    why: 'signed by an instance, key or timestamp authority the trust material lacks: we say unverifiable, the suite expects a failure',
    issue: 17,
  },
  {
    files: suite('managed-key-happy-path'),
    today: '201 unverifiable',
    why: "its timestamp authority is newer than the corpus' copies of the production trusted root",
    issue: 17,
  },
]

/**
 * Outcomes that are bugs of ours, not later work: an exception reported as a check's finding. Reported; listed
 * so that the suite stays green meanwhile, asserted exactly so that the fix fails here until the entry goes.
 */
const reportedBugs: { files: RegExp; today: string; bug: string }[] = [
]

type Stored = { status: string; failedCheck: string | null; checks: Check[] }
type Outcome =
  | { kind: 'stored'; code: number; documents: Stored[]; errors: LineError[] }
  | { kind: 'refused'; code: number; error: string; message: string }
  | { kind: 'config-refused'; field: string; message: string }
  | { kind: 'server-error'; code: number; body: string }

/** The outcome in a few words, as knownGaps writes it: `201 failed at transparency-log`, `422 unsupported-format`. */
function summary(outcome: Outcome): string {
  switch (outcome.kind) {
    case 'stored': {
      const documents = outcome.documents.map((document) => (document.failedCheck ? `failed at ${document.failedCheck}` : document.status))
      const errors = outcome.errors.map((error) => `line ${error.line ?? '?'} ${error.code}`)
      // 200 is 201 for bytes another case posted first (wrong-material_fail is happy-path's bundle): same verdict.
      return `${outcome.code === 200 ? 201 : outcome.code} ${[...documents, ...errors].join(' + ')}`
    }
    case 'refused':
      return `${outcome.code} ${outcome.error}`
    case 'config-refused':
      return `config refuses ${outcome.field}`
    case 'server-error':
      return `${outcome.code} server error`
  }
}

/** Messages of JavaScript's own errors: a check whose finding is one of these reports a crash, not a verdict. */
const RUNTIME_ERROR = /Cannot read properties of|is not a function|is not iterable|is not defined|Maximum call stack|Invalid array length/

/** Why the outcome is an error of ours rather than a verdict, or null. */
function internalError(outcome: Outcome): string | null {
  if (outcome.kind === 'server-error') return `${outcome.code}: ${outcome.body.slice(0, 200)}`
  if (outcome.kind !== 'stored') return null
  for (const check of outcome.documents.flatMap((document) => document.checks)) {
    const text = [check.expected, check.actual, check.detail, check.notJudged].join(' ')
    // Found by its wording (an old crash reported as a finding) or said plainly (a crash reported as one).
    if (RUNTIME_ERROR.test(text) || /internal error/.test(text)) return `${check.name}: ${text}`
  }
  return null
}

/** Why the outcome is not what the corpus expects, or null when it is. */
function wrong(entry: CorpusEntry, outcome: Outcome): string | null {
  const refused = outcome.kind === 'refused' && outcome.code >= 400 && outcome.code < 500 && outcome.message.length > 10
  const stored = outcome.kind === 'stored' ? outcome : null
  const statuses = stored?.documents.map((document) => document.status) ?? []
  switch (entry.expect) {
    case 'input':
      return refused ? null : 'an input, not a document: it must be refused with a 4xx that says why'
    case 'pass': {
      const want = entry.onlineOnly ? 'unverifiable' : 'verified'
      const right = stored !== null && stored.errors.length === 0 && statuses.length > 0 && statuses.every((status) => status === want)
      return right ? null : `upstream verifies it: every document must be ${want}`
    }
    case 'fail':
      return refused || outcome.kind === 'config-refused' || statuses.includes('failed') ? null : 'upstream refuses it: a document must fail, or the body be refused'
    case 'none':
      return refused || (stored !== null && !statuses.includes('failed')) ? null : 'no upstream verdict: it must be stored without a failure, or refused'
  }
}

const read = (path: string) => readFileSync(join(corpusDir, path), 'utf8')

describeWithCorpus('conformance: every corpus file through POST /api/v1/attestations', () => {
  const { entries, unexplained } = corpusExpectations()
  /** One server per set of trust material (a store each: the same bundle is verified against several roots). */
  const servers = new Map<string, Promise<{ app: ReturnType<typeof createApp> } | { refused: Outcome }>>()
  const disposals: (() => Promise<void>)[] = []
  afterAll(async () => {
    await Promise.all(disposals.map((dispose) => dispose()))
  })

  function serverFor(trust: Trust) {
    const files = [...trust.trustedRoots, ...trust.keys.map((key) => key.path), trust.npmRegistryKeys ?? '']
    const id = createHash('sha256').update(files.map((file) => (file ? read(file) : '')).join('\0')).digest('hex')
    let server = servers.get(id)
    if (!server) {
      server = (async () => {
        let config: ReturnType<typeof buildConfig>
        try {
          config = buildConfig(
            {
              trust: {
                keys: trust.keys.map((key) => ({ id: key.id, publicKeyPem: read(key.path) })),
                trustedRoots: trust.trustedRoots,
                ...(trust.npmRegistryKeys ? { npmRegistryKeys: trust.npmRegistryKeys } : {}),
              },
              tokens: [{ name: 'ci', sha256: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08', scopes: ['ingest'] }],
            },
            'conformance config',
            corpusDir,
          )
        } catch (error) {
          // A trust file the server will not load is the verifier refusing, at start rather than per request.
          if (!(error instanceof ConfigError)) throw error
          return { refused: { kind: 'config-refused', field: /: (trust\.[\w.[\]]+)/.exec(error.message)?.[1] ?? 'trust', message: error.message } }
        }
        const { store, dispose } = await tempStore()
        disposals.push(dispose)
        return { app: createApp({ store, config, version: 't', demo: false }) }
      })()
      servers.set(id, server)
    }
    return server
  }

  async function post(entry: CorpusEntry): Promise<Outcome> {
    const server = await serverFor(trustFor(entry))
    if ('refused' in server) return server.refused
    const response = await server.app.request('/api/v1/attestations', {
      method: 'POST',
      body: readFileSync(join(corpusDir, entry.name)),
      headers: { authorization: 'Bearer test', 'content-type': entry.name.endsWith('.jsonl') ? 'application/x-ndjson' : 'application/json' },
    })
    if (response.status >= 500) return { kind: 'server-error', code: response.status, body: await response.text() }
    if (response.status >= 400) {
      const { error } = ApiErrorBody.parse(await response.json())
      return { kind: 'refused', code: response.status, error: error.code, message: error.message }
    }
    const body = IngestResponse.parse(await response.json())
    return { kind: 'stored', code: response.status, documents: body.documents.map(({ verification }) => verification), errors: body.errors }
  }

  it('has an expectation for every corpus file: a row in SOURCES.md, or a place in the conformance suite', () => {
    expect(unexplained).toEqual([])
    const files = new Set(entries.map((entry) => entry.name))
    expect([...sourcesRows().keys()].filter((name) => !files.has(name)), 'SOURCES.md rows naming no file').toEqual([])
  })

  it("agrees with SOURCES.md's verdicts for the conformance cases it lists", () => {
    const rows = sourcesRows()
    const cases = entries.filter((entry) => entry.conformanceCase && entry.expect !== 'input' && rows.has(entry.name))
    expect(cases.length).toBeGreaterThan(0)
    for (const entry of cases) expect(/EXPECT (PASS|FAIL)/.exec(rows.get(entry.name) ?? '')?.[1], entry.name).toBe(entry.conformanceCase?.mustFail ? 'FAIL' : 'PASS')
  })

  it('names in every known gap and reported bug a class of documents the corpus has', () => {
    const documents = entries.filter((entry) => entry.expect !== 'input')
    for (const { files } of [...knownGaps, ...reportedBugs]) expect(documents.some((entry) => files.test(entry.name)), String(files)).toBe(true)
  })

  const results = new Map<string, 'right' | 'gap' | 'gap, verdict coincides' | 'bug'>()

  for (const entry of entries) {
    it(`${entry.name} (${entry.expect})`, async () => {
      const outcome = await post(entry)
      const said = summary(outcome)
      const bug = reportedBugs.find(({ files }) => files.test(entry.name))
      const error = internalError(outcome)
      if (bug) {
        expect(said, `${entry.name}: the reported bug's outcome changed; update reportedBugs`).toBe(bug.today)
        expect(error, `${entry.name}: the reported bug no longer shows; take it out of reportedBugs`).not.toBeNull()
        results.set(entry.name, 'bug')
        return
      }
      // An exception of ours is never a verdict, whatever the expectation: report it.
      expect(error, `${entry.name}: an error of ours, not a verdict`).toBeNull()
      const problem = wrong(entry, outcome)
      const gap = knownGaps.find(({ files }) => files.test(entry.name))
      if (gap) {
        expect(said, `${entry.name}: known gap (issue ${gap.issue}) changed; update knownGaps and README.md`).toBe(gap.today)
        // A class is listed whole: a refused gcloud file whose upstream verdict is FAIL was still never read.
        results.set(entry.name, problem === null ? 'gap, verdict coincides' : 'gap')
        return
      }
      expect(problem === null ? 'right' : `${said}: ${problem} (${entry.reason.slice(0, 160)})`, entry.name).toBe('right')
      results.set(entry.name, 'right')
    })
  }

  it('lists as a known gap only classes with a document that is not right today', () => {
    for (const gap of knownGaps) {
      const members = entries.filter((entry) => gap.files.test(entry.name)).map((entry) => results.get(entry.name))
      expect(members.includes('gap'), `${String(gap.files)} is right now: take it out of knownGaps`).toBe(true)
    }
  })

  it('scores the conformance suite, and README.md gives the same score', () => {
    const cases = entries.filter((entry) => entry.name.includes('/sigstore-conformance-suite/') && entry.conformanceCase && entry.expect !== 'input')
    const right = cases.filter((entry) => results.get(entry.name) === 'right')
    const wrongCases = cases.filter((entry) => results.get(entry.name) !== 'right').map((entry) => `${basename(entry.conformanceCase?.dir ?? '')} (${results.get(entry.name) ?? 'not run'})`)
    const score = `${right.length} of ${cases.length} cases right`
    console.log(`sigstore-conformance bundle-verify suite: ${score}; not right: ${wrongCases.join(', ')}`)
    const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8')
    expect(readme.includes(`bundle-verify suite: ${score}`), `README.md's "Known gaps in the corpus" should say: ${score}`).toBe(true)
  })
})
