/** drachtio-srf's dialog states (RFC 4235 §4.1), as `Srf.DialogState` names them. */
export const DialogState = {
  Trying: 'trying',
  Proceeding: 'proceeding',
  Early: 'early',
  Confirmed: 'confirmed',
  Terminated: 'terminated',
  Rejected: 'rejected',
  Cancelled: 'cancelled',
} as const;

/** drachtio-srf's dialog directions (RFC 4235 §4.1.1), as `Srf.DialogDirection` names them. */
export const DialogDirection = {
  Initiator: 'initiator',
  Recipient: 'recipient',
} as const;

const TAG = /^[a-zA-Z0-9\-_+@:]+$/;

/**
 * drachtio-srf's constructor tags: at most 20, each at most 32 characters of `[a-zA-Z0-9-_+@:]`.
 *
 * @param tags - the tags given
 * @returns them, checked
 */
export function validateTags(tags: readonly string[]): readonly string[] {
  if (tags.length > 20) throw new TypeError(`new Srf(tags): at most 20 tags, ${tags.length} given`);
  for (const tag of tags)
    if (typeof tag !== 'string' || tag.length > 32 || !TAG.test(tag))
      throw new TypeError(`new Srf(tags): "${String(tag)}" is not a tag (up to 32 of a-z A-Z 0-9 - _ + @ :)`);
  return tags;
}

/**
 * A CDR time as drachtio-server gives it: the UTC time of day, `HH:MM:SS.uuuuuu`.
 *
 * @param time - when
 * @returns the text
 */
export function cdrTime(time: Date): string {
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(time.getUTCHours())}:${pad(time.getUTCMinutes())}:${pad(time.getUTCSeconds())}.${pad(time.getUTCMilliseconds(), 3)}000`;
}
