import { Observable, Subject, type Subscription } from 'rxjs';
import type { Engine, InboundRequest } from '../engine/engine.js';
import type { RequestContext } from '../requests/request-context.js';
import { createResponse } from '../sip/build.js';
import type { HeaderInit, SipRequest, SipResponse } from '../sip/message.js';
import { isSipUri, parseUri } from '../sip/uri.js';
import { hostPort } from '../transport/types.js';
import { bestResponse } from './best-response.js';
import { parseDuration } from './duration.js';
import { isOwnRoute } from './own-route.js';

/** How `proxy$` and `proxy` forward a request: drachtio-srf's `proxyRequest` options. */
export interface ProxyOptions {
  /** Add Record-Route, so in-dialog requests come through rxsip (drachtio-srf's aliases too). */
  recordRoute?: boolean;
  /** drachtio-srf's alias of `recordRoute`. */
  remainInDialog?: boolean;
  /** drachtio-srf's alias of `recordRoute`: rxsip adds Record-Route, not an RFC 3327 Path header. */
  path?: boolean;
  /** Several destinations: one after the other (default) or all at once. */
  forking?: 'sequential' | 'simultaneous';
  /** Try the Contacts of a 3xx as more destinations. */
  followRedirects?: boolean;
  /** A branch with no provisional response by then is given up (`'2s'`, `'1500ms'`, ms). */
  provisionalTimeout?: string | number;
  /** A branch with no final response by then is given up (RFC 3261 Timer C's role). */
  finalTimeout?: string | number;
  /** Headers added to the proxied request. */
  headers?: HeaderInit;
}

/** One response a branch of the proxy received, as drachtio-srf records it. */
export interface ProxyResponseRecord {
  /** When it arrived, by the Srf's scheduler. */
  time: Date;
  /** Its status code. */
  status: number;
  /** The response as received. */
  msg: SipResponse;
}

/** What proxying a request came to, in drachtio-srf's shape. */
export interface ProxyResult {
  /** Whether a branch answered 2xx: the call (or request) went through. */
  connected: boolean;
  /** The status relayed upstream: the 2xx, or the best final of every branch (RFC 3261 §16.7 step 6). */
  finalStatus: number;
  /** That final response, when one arrived or was made (a 483 for Max-Forwards 0, a 408). */
  finalResponse?: ProxyResponseRecord;
  /** Every branch tried, by the address and port it was sent to, with the responses it received. */
  responses: Array<{ address: string; port: number; msgs: ProxyResponseRecord[] }>;
}

/**
 * A destination and the connection to reach it over: a registered user's contact whose REGISTER
 * came over a TCP, TLS or WebSocket connection this node holds (RFC 5626 §5.3). The URI is the
 * Request-URI; while the flow is open the request goes over it, otherwise the URI is resolved.
 */
export interface ProxyTarget {
  /** The Request-URI of the branch (`host[:port]` keeps the request's user, as a string destination). */
  uri: string;
  /** The engine's flow id of the connection to send over (`req.source.flowId` of the REGISTER). */
  flowId?: string;
}

/** What the proxy needs from below: the engine, the scheduler, the logger. */
export type ProxyContext = RequestContext;

/** `host[:port]` → the request's URI with that host and port; a URI is taken as is. */
export function destinationUri(request: SipRequest, destination: string): string {
  if (/^(sips?|tel):/i.test(destination)) return destination;
  try {
    const uri = parseUri(request.uri);
    if (isSipUri(uri) && uri.user !== undefined)
      return `${uri.scheme}:${request.uri.slice(uri.scheme.length + 1).split('@')[0]}@${destination}`;
  } catch {
    // a Request-URI we cannot read: the destination alone
  }
  return `sip:${destination}`;
}

function recordRouteFor(engine: Engine, inbound: InboundRequest): string {
  const protocol = inbound.source.local.protocol;
  const point =
    engine.listeningPoints.find((p) => p.protocol === protocol && p.port === inbound.source.local.port) ??
    engine.listeningPoints[0];
  const host = point ? hostPort(point.advertised.host, point.advertised.port) : '127.0.0.1';
  return `<sip:${host}${protocol === 'udp' ? '' : `;transport=${protocol}`};lr>`;
}

// RFC 3261 §16.7 step 3: the response goes up without our Via.
function withoutTopVia(response: SipResponse): SipResponse {
  const out = response.clone();
  out.removeFirstValue('via');
  return out;
}

function forwardUpstream(inbound: InboundRequest, response: SipResponse): boolean {
  return inbound.respond(withoutTopVia(response), { relayed: true });
}

// RFC 3261 §16.7 step 4, RFC 6026 §7.2: a branch's later 2xx (retransmissions, forks beyond it)
// still go up. A closure over the server transaction's responder alone: it is what the engine
// keeps for Timer M's 32 s, in place of the proxied request and its message.
function relayLater2xx(inbound: InboundRequest): (response: SipResponse) => void {
  const respond = inbound.responder();
  return (response) => {
    respond(withoutTopVia(response), { relayed: true });
  };
}

interface Branch {
  uri: string;
  address: string;
  port: number;
  subscription: Subscription | undefined;
  // INVITE: a stopped branch is CANCELled through this and still heard, for a 2xx that beats it.
  cancel: Subject<HeaderInit> | undefined;
  timer: Subscription | undefined;
  done: boolean;
  msgs: ProxyResponseRecord[];
}

/**
 * A stateful proxy (RFC 3261 §16) for one request (cold): Max-Forwards checked (483 at 0) and
 * decremented, our own Route removed, Record-Route added when asked, the request forwarded to
 * each destination one after the other or all at once, provisional responses relayed, the first
 * 2xx (and every later one) relayed with the other branches cancelled, 3xx followed when asked,
 * and otherwise the best final response (§16.7) relayed. A CANCEL from upstream cancels every
 * branch. Emits the result once the request is settled, then completes.
 */
export function forwardStatefully(
  context: ProxyContext,
  inbound: InboundRequest,
  destinations: readonly (string | ProxyTarget)[],
  options: ProxyOptions = {},
): Observable<ProxyResult> {
  return new Observable<ProxyResult>((subscriber) => {
    const request = inbound.message;
    const { engine, scheduler } = context;
    const result: ProxyResult = { connected: false, finalStatus: 0, responses: [] };
    const finish = (final: SipResponse | undefined, status: number) => {
      if (subscriber.closed) return;
      result.finalStatus = status;
      if (final) result.finalResponse = { time: new Date(scheduler.now()), status: final.status, msg: final };
      result.connected = status >= 200 && status < 300;
      // A copy: what follows lets go of this scope's references, never of what the caller holds.
      subscriber.next({ ...result });
      subscriber.complete();
      // A cancelled branch may still answer 2xx (below); from now on this only forwards it, so
      // what the result and the branches hold is let go. Later 2xx of a branch go up through
      // `later2xx`, which keeps none of this scope.
      result.responses = [];
      delete result.finalResponse;
      for (const branch of branches) branch.msgs = [];
      finals.length = 0;
      queue.length = 0;
    };
    const maxForwards = request.tryParsedHeader('max-forwards') ?? 70;
    // RFC 3261 §16.3 step 3.
    if (maxForwards <= 0) {
      const tooMany = createResponse(request, 483);
      inbound.respond(tooMany);
      finish(tooMany, 483);
      return undefined;
    }
    // RFC 3261 §16.2: a stateful proxy answers an INVITE with 100 Trying; at once, as Kamailio
    // does, so a caller stops retransmitting while the branches are tried.
    if (request.method === 'INVITE' && !inbound.finalSent) inbound.respond(createResponse(request, 100));
    const provisionalTimeout = parseDuration(options.provisionalTimeout, 'provisionalTimeout');
    const finalTimeout = parseDuration(options.finalTimeout, 'finalTimeout');
    const parallel = options.forking === 'simultaneous';
    // A target's flow, by the branch URI it becomes (RFC 5626 §5.3: back over its connection).
    const flows = new Map<string, string>();
    const queue = (destinations.length > 0 ? destinations : [request.uri]).map((d) => {
      if (typeof d === 'string') return destinationUri(request, d);
      const uri = destinationUri(request, d.uri);
      if (d.flowId !== undefined) flows.set(uri, d.flowId);
      return uri;
    });
    const branches: Branch[] = [];
    const finals: SipResponse[] = [];
    let answered = false;
    let settled = false;
    const template = request.clone();
    // RFC 3261 §16.4: a Route naming us has brought the request here; it goes no further.
    if (isOwnRoute(engine, template)) template.removeFirstValue('route');
    template.set('Max-Forwards', maxForwards - 1);
    if (options.headers) template.set(options.headers);
    if (options.recordRoute || options.remainInDialog || options.path) {
      template.append('Record-Route', recordRouteFor(engine, inbound), { first: true });
    }
    const isInvite = request.method === 'INVITE';
    const later2xx = isInvite ? relayLater2xx(inbound) : undefined;

    // RFC 3261 §16.10: an INVITE branch is CANCELled, and still heard: a 2xx that beats the
    // CANCEL must go up all the same (§16.7 step 5). Other requests have no CANCEL to send.
    const stopBranch = (branch: Branch) => {
      branch.timer?.unsubscribe();
      branch.done = true;
      if (branch.cancel) branch.cancel.next({});
      else branch.subscription?.unsubscribe();
    };
    const settle = () => {
      if (settled) return;
      if (branches.some((b) => !b.done)) return;
      if (!answered && queue.length > 0 && !finals.some((f) => f.status >= 600)) {
        startNext();
        return;
      }
      settled = true;
      if (answered) {
        finish(
          finals.find((f) => f.status < 300),
          200,
        );
        return;
      }
      const best = bestResponse(finals);
      if (best) {
        // RFC 3261 §16.7 step 6: a 503 is not passed on as is.
        if (best.status === 503) {
          const error = createResponse(request, 500);
          inbound.respond(error);
          finish(error, 500);
        } else {
          forwardUpstream(inbound, best);
          finish(best, best.status);
        }
        return;
      }
      const timeout = createResponse(request, 408);
      inbound.respond(timeout);
      finish(timeout, 408);
    };
    const onResponse = (branch: Branch, response: SipResponse, failure: boolean) => {
      if (response.status === 100) return;
      // A stopped branch's provisional or final response (487, mostly) tells nothing more.
      if (branch.done && (response.status < 200 || response.status >= 300)) return;
      if (settled) {
        // RFC 3261 §16.7 step 4: a retransmitted 2xx still goes up.
        if (response.status >= 200 && response.status < 300) forwardUpstream(inbound, response);
        return;
      }
      branch.msgs.push({ time: new Date(scheduler.now()), status: response.status, msg: response });
      if (response.status < 200) {
        branch.timer?.unsubscribe();
        if (finalTimeout !== undefined) branch.timer = scheduler.schedule(() => giveUp(branch), finalTimeout);
        if (!answered && !failure) forwardUpstream(inbound, response);
        return;
      }
      if (response.status < 300) {
        // RFC 3261 §16.7 step 4 and §16.10: every 2xx goes up; the other branches are cancelled.
        forwardUpstream(inbound, response);
        if (!answered) {
          answered = true;
          finals.push(response);
          for (const other of branches) if (other !== branch && !other.done) stopBranch(other);
        }
        branch.timer?.unsubscribe();
        branch.done = true;
        settle();
        return;
      }
      branch.timer?.unsubscribe();
      branch.done = true;
      finals.push(response);
      if (response.status < 400 && options.followRedirects) {
        // A 3xx without readable Contacts is just a final response.
        const contacts = response.tryParsedHeader('contact');
        if (Array.isArray(contacts)) for (const c of contacts) queue.push(c.uri);
      }
      if (response.status >= 600) for (const other of branches) if (!other.done) stopBranch(other);
      settle();
    };
    const giveUp = (branch: Branch) => {
      if (branch.done) return;
      context.log.debug({ uri: branch.uri }, 'proxy branch timed out');
      stopBranch(branch);
      settle();
    };
    const start = (uri: string) => {
      const branch: Branch = {
        uri,
        address: '',
        port: 0,
        subscription: undefined,
        cancel: isInvite ? new Subject<HeaderInit>() : undefined,
        timer: undefined,
        done: false,
        msgs: [],
      };
      branches.push(branch);
      const outgoing = template.clone();
      outgoing.uri = uri;
      if (provisionalTimeout !== undefined && isInvite)
        branch.timer = scheduler.schedule(() => giveUp(branch), provisionalTimeout);
      else if (finalTimeout !== undefined)
        branch.timer = scheduler.schedule(() => giveUp(branch), finalTimeout);
      const flowId = flows.get(uri);
      branch.subscription = engine.send(outgoing, { flowId, later2xx, cancel$: branch.cancel }).subscribe({
        next: (e) => {
          if (e.kind === 'sent') {
            branch.address = e.target.address;
            branch.port = e.target.port;
            if (!result.responses.some((r) => r.msgs === branch.msgs))
              result.responses.push({ address: e.target.address, port: e.target.port, msgs: branch.msgs });
          } else onResponse(branch, e.response, e.failure !== undefined);
        },
        complete: () => {
          if (!branch.done) {
            branch.done = true;
            settle();
          }
        },
      });
    };
    const startNext = () => {
      if (parallel) while (queue.length > 0) start(queue.shift() as string);
      else start(queue.shift() as string);
    };
    const cancels = inbound.cancel$.subscribe(() => {
      for (const branch of branches) if (!branch.done) stopBranch(branch);
      queue.length = 0;
      finish(undefined, 487);
    });
    startNext();
    return () => {
      cancels.unsubscribe();
      for (const branch of branches) {
        branch.timer?.unsubscribe();
        // Unsubscribed before the request settled: the branches are cancelled too, and those
        // already stopped no longer heard (a 2xx they send goes nowhere).
        if (!settled) branch.subscription?.unsubscribe();
      }
    };
  });
}
