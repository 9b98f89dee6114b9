/**
 * @internal A copy of `text` that holds on to nothing else. Header values are read out of the
 * received datagram's text as slices, and V8 keeps the whole text alive for as long as any slice
 * of it lives (a key joined from slices, likewise). What outlives the message (a transaction's
 * key for its 32 s wait, a dialog's identity and route for the call's life) is copied with this,
 * so a kilobyte of message text is not kept for each twenty bytes of Call-ID.
 *
 * @param text - a string, possibly a slice or a concatenation of slices
 * @returns the same characters in a string of their own
 */
export function ownString(text: string): string {
  // Slicing a fresh concatenation flattens it into a new string that the slice then points at.
  return text.length === 0 ? text : ` ${text}`.slice(1);
}
