import type { SipResponse } from '../sip/message.js';

// RFC 3261 §16.7 step 6: among 4xx these say the most to the caller.
const PREFERRED_4XX = [401, 407, 415, 420, 484];

/**
 * The response a forking proxy sends upstream when no branch succeeded (RFC 3261 §16.7): a 6xx
 * if any, else the lowest class, preferring the informative 4xx; undefined when there is none.
 */
export function bestResponse(responses: readonly SipResponse[]): SipResponse | undefined {
  const six = responses.find((r) => r.status >= 600);
  if (six) return six;
  let best: SipResponse | undefined;
  for (const r of responses) {
    if (r.status < 300) continue;
    if (!best) best = r;
    else {
      const a = Math.floor(r.status / 100);
      const b = Math.floor(best.status / 100);
      if (
        a < b ||
        (a === b && a === 4 && PREFERRED_4XX.includes(r.status) && !PREFERRED_4XX.includes(best.status))
      )
        best = r;
    }
  }
  return best;
}
