import type { SrfRequest } from '../../requests/srf-request.js';
import type { SrfResponse } from '../../requests/srf-response.js';
import type { SipResponse } from '../../sip/message.js';
import type { DialogCore } from '../dialog-core.js';

/** A 200 with our Contact and session description (an offer or answer nobody else gives). */
export function answerWithLocalSdp(core: DialogCore, res: SrfResponse): SipResponse | undefined {
  const sdp = core.local.sdp;
  return res.send(200, {
    headers: { Contact: core.local.contact, ...(sdp ? { 'Content-Type': 'application/sdp' } : {}) },
    body: sdp || undefined,
  });
}

/** RFC 3311 §5.2, RFC 3261 §14.2: 500 with a Retry-After of 0-10 s. */
export function retryLater(core: DialogCore, res: SrfResponse): void {
  res.send(500, { headers: { 'Retry-After': Math.floor(core.ua.random() * 10) } });
}

/** drachtio-srf's answer to an in-dialog request nobody listens for: 200, with our SDP to an UPDATE offer. */
export function defaultAnswer(core: DialogCore, req: SrfRequest, res: SrfResponse): void {
  if (req.method === 'UPDATE' && req.payload.length > 0) answerWithLocalSdp(core, res);
  else res.send(200);
}

/** Runs `hook` with the final response to `res`, whoever sends it, while the dialog lives. */
export function onFinal(core: DialogCore, res: SrfResponse, hook: (final: SipResponse) => void): void {
  res.final$.subscribe((final) => {
    if (core.state !== 'terminated') hook(final);
  });
}
