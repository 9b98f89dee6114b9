import { stringifyCSeq } from './cseq.js';
import { splitList } from './grammar.js';
import { type HeaderField, type HeaderInit, SipRequest, type SipResponse } from './message.js';
import { type NameAddr, parseNameAddr, stringifyNameAddr, uriOf } from './name-addr.js';
import { ownString } from './own-string.js';
import { emptyParams, type Params } from './params.js';
import { isSipUri } from './uri.js';

/** What RFC 3261 §12 keeps to address requests inside a dialog. */
export interface DialogRoute {
  callId: string;
  localTag: string;
  remoteTag: string;
  /** Our From/To name-addr, without tag. */
  local: string;
  /** The peer's From/To name-addr, without tag. */
  remote: string;
  /** The peer's Contact URI (§12.1.1 / §12.1.2 remote target). */
  remoteTarget: string;
  /** Route header values, in the order requests carry them. */
  routeSet: string[];
}

/**
 * @internal A dialog route whose strings are copies (`ownString`): a dialog keeps its route for
 * the call's life, longer than the messages it was read from.
 *
 * @param route - the route as read from a request or response
 * @returns the same route, holding no message text
 */
export function ownRoute(route: DialogRoute): DialogRoute {
  return {
    callId: ownString(route.callId),
    localTag: ownString(route.localTag),
    remoteTag: ownString(route.remoteTag),
    local: ownString(route.local),
    remote: ownString(route.remote),
    remoteTarget: ownString(route.remoteTarget),
    routeSet: route.routeSet.map(ownString),
  };
}

/** The From or To of a dialog's requests: as the peer wrote it, without the tag. */
function withoutTag(addr: NameAddr, raw: string | undefined): string {
  if (addr.params.tag == null && raw !== undefined) return raw;
  // A copy without the tag, not `delete`: that would turn the object into a slow dictionary.
  // A bag without a prototype, as the parser makes: a `__proto__` parameter is a plain key.
  const params = emptyParams();
  for (const name in addr.params) if (name !== 'tag') params[name] = addr.params[name] as Params[string];
  return stringifyNameAddr({ name: addr.name, uri: addr.uri, params });
}

function recordRoutes(message: { getAll(name: string): string[] }): string[] {
  return message.getAll('record-route').flatMap(splitList);
}

function contactUri(message: SipRequest | SipResponse): string | undefined {
  const contact = message.getParsedHeader('contact');
  return Array.isArray(contact) ? contact[0]?.uri : undefined;
}

/** RFC 3261 §12.1.2: the UAC's view from its request and the 2xx/1xx that made the dialog. */
export function uacDialogRoute(request: SipRequest, response: SipResponse): DialogRoute {
  return {
    callId: request.callId,
    localTag: request.fromTag ?? '',
    remoteTag: response.toTag ?? '',
    local: withoutTag(request.from, request.get('from')),
    remote: withoutTag(response.to, response.get('to')),
    remoteTarget: contactUri(response) ?? request.uri,
    routeSet: recordRoutes(response).reverse(),
  };
}

/** RFC 3261 §12.1.1: the UAS's view from the request that made the dialog and its own tag. */
export function uasDialogRoute(request: SipRequest, localTag: string): DialogRoute {
  return {
    callId: request.callId,
    localTag,
    remoteTag: request.fromTag ?? '',
    local: withoutTag(request.to, request.get('to')),
    remote: withoutTag(request.from, request.get('from')),
    remoteTarget: contactUri(request) ?? '',
    routeSet: recordRoutes(request),
  };
}

// RFC 3261 §16.12.1.1: a loose router marks its URI with `lr`; one that does not is a strict router.
function isLooseRoute(route: string): boolean {
  try {
    const uri = uriOf(parseNameAddr(route));
    return !isSipUri(uri) || 'lr' in uri.params;
  } catch {
    return true;
  }
}

export interface InDialogOptions {
  headers?: HeaderInit;
  body?: string | Buffer;
  contentType?: string;
}

/**
 * A request inside a dialog (RFC 3261 §12.2.1.1): Request-URI the remote target, Route the route
 * set, From/To with the dialog's tags, Call-ID and the given CSeq. With a strict router first
 * in the route set, its URI becomes the Request-URI and the remote target the last Route.
 */
export function inDialogRequest(
  route: DialogRoute,
  method: string,
  cseq: number,
  options: InDialogOptions = {},
): SipRequest {
  let uri = route.remoteTarget;
  let routes = route.routeSet;
  const first = routes[0];
  if (first !== undefined && !isLooseRoute(first)) {
    uri = parseNameAddr(first).uri;
    routes = [...routes.slice(1), `<${route.remoteTarget}>`];
  }
  const fields: HeaderField[] = [{ name: 'Max-Forwards', key: 'max-forwards', value: '70' }];
  for (const r of routes) fields.push({ name: 'Route', key: 'route', value: r });
  fields.push(
    { name: 'To', key: 'to', value: `${route.remote};tag=${route.remoteTag}` },
    { name: 'From', key: 'from', value: `${route.local};tag=${route.localTag}` },
    { name: 'Call-ID', key: 'call-id', value: route.callId },
    { name: 'CSeq', key: 'cseq', value: stringifyCSeq({ seq: cseq, method }) },
  );
  const request = new SipRequest(method, uri, fields);
  // Written from these numbers: read as they are, not parsed back (unless `headers` replaces it).
  request.seedParsed('cseq', { seq: cseq, method });
  if (options.headers) request.set(options.headers);
  if (options.body !== undefined) {
    if (options.contentType && !request.has('content-type')) request.set('Content-Type', options.contentType);
    request.body = options.body;
  }
  return request;
}
