/**
 * The methods rxsip's user agent core implements inside and outside dialogs: the Allow header
 * of its 2xx to INVITE and of its answer to OPTIONS (RFC 3261 §11, §20.5).
 */
export const ALLOW =
  'INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, PRACK, REFER, NOTIFY, MESSAGE, SUBSCRIBE';

/** The extensions rxsip implements: reliable provisionals (RFC 3262) and session timers (RFC 4028). */
export const SUPPORTED = '100rel, timer';

/** The methods of RFC 3261 and its extensions that the router knows (RFC 3261 §21.5.2: others get 501). */
export const KNOWN_METHODS: readonly string[] = [
  'INVITE',
  'ACK',
  'CANCEL',
  'OPTIONS',
  'BYE',
  'REGISTER',
  'SUBSCRIBE',
  'NOTIFY',
  'REFER',
  'INFO',
  'MESSAGE',
  'UPDATE',
  'PRACK',
  'PUBLISH',
];
