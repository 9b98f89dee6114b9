/**
 * The default of a `switch` over a transaction's states: the compiler proves it unreachable
 * (every state has its case), and a state the code does not know fails loudly at run time.
 *
 * @param state - the state no case matched
 * @returns never
 */
export function unreachable(state: never): never {
  throw new Error(`transaction in an unknown state: ${String(state)}`);
}
