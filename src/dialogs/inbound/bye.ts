import type { RequestEvent } from '../../requests/srf-request.js';
import type { DialogCore } from '../dialog-core.js';

/** RFC 3261 §15.1.2: a BYE is answered 200 and ends the dialog (an early one: the INVITE gets 487). */
export function receiveBye(core: DialogCore, { req, res }: RequestEvent): void {
  res.send(200);
  const early = core.state === 'early';
  core.earlyInvite?.endedByBye();
  core.terminate(early ? 'call-canceled' : 'normal-release', 'remote', req);
}
