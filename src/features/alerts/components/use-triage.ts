import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { isApiError } from '../../../api/api-error'
import type { AlertPatch } from '../../../contract/alerts'
import { alertQueries, triageAlert } from '../alerts-queries'
import { triageToken } from '../lib/triage-token'

/**
 * Triage of one or more alerts with the triage token. Without one, or when the server refuses it (401/403), the
 * change waits while the token is asked for, then runs again with it; nothing is changed on the server until then.
 */
export function useTriage() {
  const queryClient = useQueryClient()
  const [pending, setPending] = useState<{ ids: string[]; patch: AlertPatch } | null>(null)
  const [tokenProblem, setTokenProblem] = useState<string | null>(null)
  const mutation = useMutation({
    mutationFn: async ({ ids, patch }: { ids: string[]; patch: AlertPatch }) => {
      // One at a time, so a refusal stops before changing the rest and says which alert it was.
      const results = []
      for (const id of ids) results.push(await triageAlert(id, patch, triageToken.get()))
      return results
    },
    onSuccess: async () => {
      setPending(null)
      await queryClient.invalidateQueries({ queryKey: alertQueries.all() })
    },
    onError: (error, variables) => {
      if (isApiError(error) && (error.status === 401 || error.status === 403)) {
        triageToken.set(null)
        setPending(variables)
        setTokenProblem(error.message)
      }
      void queryClient.invalidateQueries({ queryKey: alertQueries.all() })
    },
  })
  return {
    mutation,
    /** The change waiting for a triage token, if any. */
    waiting: pending,
    tokenProblem,
    run: (ids: string[], patch: AlertPatch) => {
      if (ids.length === 0) return
      if (triageToken.get() === null) {
        setPending({ ids, patch })
        setTokenProblem(null)
        return
      }
      mutation.mutate({ ids, patch })
    },
    provideToken: (token: string) => {
      triageToken.set(token)
      const waiting = pending
      setPending(null)
      if (waiting) mutation.mutate(waiting)
    },
    cancel: () => setPending(null),
  }
}
