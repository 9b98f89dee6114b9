/**
 * What an app's `proxy` message asks:
 * `proxy|<txnId>|<remainInDialog>|<fullResponse>|<followRedirects>|<simultaneous|serial>|<provisionalTimeout>|<finalTimeout>|<destination>...`.
 */
export interface ProxyInstruction {
  /** The incoming request's transaction. */
  txnId: string;
  /** Record-Route, so the dialog's requests come back through the server. */
  remainInDialog: boolean;
  fullResponse: boolean;
  followRedirects: boolean;
  /** Fork to every destination at once instead of one after the other. */
  simultaneous: boolean;
  /** `'2s'`, `'1500ms'`, or empty. */
  provisionalTimeout: string;
  finalTimeout: string;
  /** Where to send the request, in order. */
  destinations: string[];
}

/**
 * The tokens of a `proxy` message.
 *
 * @param p - the instruction
 * @returns the args
 */
export function proxyInstructionArgs(p: ProxyInstruction): string[] {
  return [
    p.txnId,
    p.remainInDialog ? 'remainInDialog' : '',
    p.fullResponse ? 'fullResponse' : '',
    p.followRedirects ? 'followRedirects' : '',
    p.simultaneous ? 'simultaneous' : 'serial',
    p.provisionalTimeout,
    p.finalTimeout,
    ...p.destinations,
  ];
}

/**
 * Reads the tokens of a `proxy` message.
 *
 * @param args - the args after the type
 * @returns the instruction
 */
export function readProxyInstruction(args: readonly string[]): ProxyInstruction {
  const [txnId = '', remain, full, follow, forking, provisional = '', final = '', ...destinations] = args;
  return {
    txnId,
    remainInDialog: remain === 'remainInDialog',
    fullResponse: full === 'fullResponse',
    followRedirects: follow === 'followRedirects',
    simultaneous: forking === 'simultaneous',
    provisionalTimeout: provisional,
    finalTimeout: final,
    destinations: destinations.filter((d) => d !== ''),
  };
}
