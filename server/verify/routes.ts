import { bodyLimit } from 'hono/body-limit'
import type { SignerIdentity } from '../../src/contract/policy'
import { VerifyResponse, verifyRoutes } from '../../src/contract/verify'
import { ingestContext } from '../config'
import type { RouteDeps } from '../http/deps'
import { apiError } from '../http/errors'
import { resourceApp } from '../http/mount'
import { IngestError } from '../ingest/errors'
import type { TrustedKey } from '../ingest/keys'
import { splitBody } from '../ingest/ingest'
import { inlineKey, withInlineKey } from './inline-key'
import { judgeDocument, type Expectations } from './judge'

/** Stateless verification: one document judged as ingest would judge it, against the asker's expectations. */
export function verifyApp({ config, auth, now }: RouteDeps) {
  const { app, mount } = resourceApp(auth)

  mount(
    verifyRoutes.verifyDocument,
    async (c, { query }) => {
      const contentType = c.req.header('content-type') ?? 'application/json'
      if (!/json/i.test(contentType)) {
        return apiError(c, 415, 'unsupported-media-type', `send the document as application/json, not ${contentType}`, 'header.content-type')
      }
      if ((query.identity === undefined) !== (query.issuer === undefined)) {
        const missing = query.identity === undefined ? 'identity' : 'issuer'
        return apiError(c, 400, 'invalid-query', `query.${missing}: a certificate identity is judged by its SAN and its OIDC issuer together; give both`, `query.${missing}`)
      }
      if (query.keyId !== undefined && !config.keys.some((key) => key.id === query.keyId)) {
        const known = config.keys.map((key) => key.id).join(', ') || '(none configured)'
        return apiError(c, 422, 'unknown-key', `query.keyId: no trusted key "${query.keyId}" is configured; known: ${known}`, 'query.keyId')
      }
      const policy = query.policy === undefined ? undefined : config.policies.find((candidate) => candidate.name === query.policy)
      if (query.policy !== undefined && policy === undefined) {
        const known = config.policies.map((candidate) => candidate.name).join(', ') || '(none configured)'
        return apiError(c, 422, 'unknown-policy', `query.policy: no policy named "${query.policy}" is configured; known: ${known}`, 'query.policy')
      }
      let key: TrustedKey | undefined
      if (query.key !== undefined) {
        try {
          key = inlineKey(query.key)
        } catch (error) {
          return apiError(c, 400, 'invalid-key', `query.key: not a usable public key: ${error instanceof Error ? error.message : String(error)}`, 'query.key')
        }
      }
      const body = Buffer.from(await c.req.arrayBuffer())
      const documents = splitBody(body, contentType)
      if (documents.length === 0) return apiError(c, 400, 'empty-body', 'the request body is empty: send one document')
      if (documents.length > 1) {
        return apiError(c, 400, 'one-document', `the body holds ${documents.length} documents; this route verifies one (POST /api/v1/attestations takes several)`)
      }
      const signers: SignerIdentity[] = []
      if (query.identity !== undefined && query.issuer !== undefined) signers.push({ subjectAlternativeName: query.identity, issuer: query.issuer })
      if (query.keyId !== undefined) signers.push({ keyId: query.keyId })
      if (key !== undefined) signers.push({ keyId: key.id })
      const expectations: Expectations = {
        ...(query.digest === undefined ? {} : { digest: query.digest }),
        ...(signers.length > 0 ? { signers } : {}),
        ...(policy === undefined ? {} : { policy }),
      }
      try {
        const context = ingestContext(config, now)
        const judgement = judgeDocument(body, key === undefined ? context : withInlineKey(context, key), expectations)
        return c.json(VerifyResponse.parse({ ...judgement, stored: false }), 200)
      } catch (error) {
        if (!(error instanceof IngestError)) throw error
        return apiError(c, error.code === 'invalid-json' ? 400 : 422, error.code, error.message, error.path)
      }
    },
    bodyLimit({
      maxSize: config.maxBodyBytes,
      onError: (c) => apiError(c, 413, 'body-too-large', `the body is larger than the limit of ${config.maxBodyBytes} bytes (limits.maxBodyBytes)`),
    }),
  )

  return app
}
