// The responder example's flow, over any Srf: OPTIONS answered 200, every other new request
// of the methods it takes answered with one status.
import type { Logger } from 'pino';
import { merge, Subscription } from 'rxjs';
import type { Srf } from '../../src/index.js';

/** Answers the Srf's new requests; unsubscribing stops. */
export function responderApp(srf: Srf, options: { status: number; log: Logger }): Subscription {
  const running = new Subscription();
  running.add(srf.options$.subscribe(({ res }) => res.send(200)));
  running.add(
    merge(
      srf.invite$,
      srf.message$,
      srf.register$,
      srf.subscribe$,
      srf.publish$,
      srf.refer$,
      srf.notify$,
    ).subscribe(({ req, res }) => {
      options.log.debug({ method: req.method, callId: req.callId }, 'rejecting');
      res.send(options.status);
    }),
  );
  return running;
}
