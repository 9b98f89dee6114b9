import { parse, write } from 'sdp-transform';

/** A media direction attribute of SDP (RFC 3264 §5.1, §6.1): who sends media to whom. */
export type Direction = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';
const DIRECTIONS: readonly string[] = ['sendrecv', 'sendonly', 'recvonly', 'inactive'];

/**
 * The media direction of an SDP (RFC 3264 §5.1): the first media section's attribute, or the
 * session-level one, sendrecv by default. `undefined` for something that is not SDP.
 *
 * @param sdp - a session description
 * @returns the direction, or `undefined` when `sdp` is not SDP
 * @example
 * ```ts
 * import { sdpDirection } from 'rxsip';
 *
 * const offer = 'v=0\r\no=- 1 2 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\na=sendonly\r\n';
 * sdpDirection(offer); // 'sendonly'
 * ```
 */
export function sdpDirection(sdp: string): Direction | undefined {
  if (!sdp.trim().startsWith('v=')) return undefined;
  try {
    const session = parse(sdp);
    const media = session.media[0] as { direction?: string } | undefined;
    const direction = media?.direction ?? (session as { direction?: string }).direction ?? 'sendrecv';
    return DIRECTIONS.includes(direction) ? (direction as Direction) : 'sendrecv';
  } catch {
    return undefined;
  }
}

/**
 * Sets every media section's direction (and clears a session-level one): how an application
 * writes a hold offer (sendonly) or the answer to one (recvonly), RFC 3264 §8.4.
 *
 * @param sdp - a session description
 * @param direction - the direction every media section gets
 * @returns the SDP rewritten, with the same line ends
 * @example
 * ```ts
 * import { type Dialog, withDirection } from 'rxsip';
 *
 * declare const dialog: Dialog;
 * // Put the peer on hold: offer our current SDP as sendonly.
 * dialog.sendReinvite(withDirection(dialog.local.sdp, 'sendonly'));
 * ```
 */
export function withDirection(sdp: string, direction: Direction): string {
  const session = parse(sdp) as ReturnType<typeof parse> & { direction?: string };
  delete session.direction;
  for (const media of session.media) (media as { direction?: string }).direction = direction;
  const out = write(session);
  return sdp.includes('\r\n') ? out : out.replace(/\r\n/g, '\n');
}

/** The o= line's session id and version: a re-offer with both unchanged is a session refresh (RFC 4028, RFC 3264 §8). */
export function sdpOrigin(sdp: string): string | undefined {
  const line = /^o=(.*)$/m.exec(sdp)?.[1]?.trim().split(/\s+/);
  return line && line.length >= 3 ? `${line[1]} ${line[2]}` : undefined;
}

/**
 * Whether an offer puts us on hold: it stops sending to us (sendonly or inactive), RFC 3264 §8.4.
 *
 * @param sdp - the offer received
 * @returns `true` for a sendonly or inactive offer
 * @example
 * ```ts
 * import { isHoldOffer, type SipRequest } from 'rxsip';
 *
 * declare const reinvite: SipRequest;
 * if (isHoldOffer(reinvite.body)) console.log('the caller put us on hold');
 * ```
 */
export function isHoldOffer(sdp: string): boolean {
  const direction = sdpDirection(sdp);
  return direction === 'sendonly' || direction === 'inactive';
}

/**
 * The answer direction for an offer (RFC 3264 §6.1): sendonly is answered recvonly, recvonly
 * sendonly, and sendrecv and inactive as they are.
 *
 * @param offer - the offer's direction
 * @returns the direction the answer carries
 * @example
 * ```ts
 * import { answerDirection, sdpDirection, withDirection } from 'rxsip';
 *
 * declare const offer: string;
 * declare const ourSdp: string;
 * const answer = withDirection(ourSdp, answerDirection(sdpDirection(offer) ?? 'sendrecv'));
 * ```
 */
export function answerDirection(offer: Direction): Direction {
  if (offer === 'sendonly') return 'recvonly';
  if (offer === 'recvonly') return 'sendonly';
  return offer;
}

/**
 * The same SDP with the o= version incremented: a changed offer or answer within a session
 * must carry a higher version (RFC 3264 §8), or the peer takes it for a refresh.
 */
export function nextVersion(sdp: string): string {
  return sdp.replace(
    /^(o=\S+ \S+ )(\d+)/m,
    (_all, head: string, version: string) => `${head}${BigInt(version) + 1n}`,
  );
}
