// A B2BUA: bridges every INVITE to --target (tried in order: a callee's failure falls back to
// the next), relays in-dialog requests across the legs, and ends one leg when the other ends.
//   npm run example -- b2bua --listen 127.0.0.1:5070 --target sip:127.0.0.1:5090
import { catchError, EMPTY, mergeMap, type Observable, throwError } from 'rxjs';
import {
  b2bua$,
  type Dialog,
  type RequestEvent,
  relayInDialog,
  SipError,
  Srf,
  tieLegs,
} from '../../src/index.js';
import { exampleArgs, runUntilSignal } from '../common.js';

const args = exampleArgs(
  'b2bua',
  'bridges each INVITE to --target, falling back to the next target',
  {},
  { targets: true },
);
const log = args.logger;
if (args.targets.length === 0) {
  console.error('b2bua: at least one --target sip:host[:port] is needed');
  process.exit(1);
}

const srf = new Srf({ logger: log });
await srf.start({ listen: args.listen });

// Each target in turn: a failure errors only while targets remain (passFailure: false), and
// the last one's failure goes to the caller. A call that does not connect emits nothing.
function bridge(call: RequestEvent, [target, ...rest]: string[]): Observable<{ uas: Dialog; uac: Dialog }> {
  if (!target) return EMPTY;
  return b2bua$(call, target, { passFailure: rest.length === 0, proxyRequestHeaders: ['all'] }).pipe(
    catchError((err: unknown) => (err instanceof SipError ? bridge(call, rest) : throwError(() => err))),
  );
}

srf.invite$
  .pipe(
    mergeMap((call) => bridge(call, args.targets)),
    tieLegs(),
    relayInDialog(),
  )
  .subscribe(({ uas, uac }) => {
    const call = log.child({ callId: uas.sip.callId });
    call.debug({ to: uac.remote.uri }, 'call bridged');
    uas.ended$.subscribe((end) => call.debug({ reason: end.reason, by: end.initiator }, 'call ended'));
  });

runUntilSignal(srf, log);
