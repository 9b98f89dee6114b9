import { filter, type MonoTypeOperatorFunction } from 'rxjs';

/** Marks the operator so request streams can route by method instead of filtering. */
export const FILTER_METHODS = Symbol('rxsip.filterMethods');

export interface HasMethod {
  readonly method: string;
}

export type MethodFilter<T> = MonoTypeOperatorFunction<T> & {
  readonly [FILTER_METHODS]: ReadonlySet<string>;
};

function methodOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  if ('method' in value && typeof value.method === 'string') return value.method;
  if ('req' in value && typeof value.req === 'object' && value.req !== null && 'method' in value.req) {
    return typeof value.req.method === 'string' ? value.req.method : undefined;
  }
  return undefined;
}

/**
 * Lets through requests (or `{req, res}` events) of the given methods. Applied directly to
 * `srf.requests$` it routes by method instead: requests of other methods are then still
 * answered by the stack's defaults rather than left unanswered.
 *
 * @example
 * srf.requests$.pipe(filterMethod('INVITE')).subscribe(({ req, res }) => res.send(486));
 */
export function filterMethod<T>(...methods: string[]): MethodFilter<T> {
  const wanted = new Set(methods.map((m) => m.toUpperCase()));
  const op = filter<T>((value) => {
    const method = methodOf(value);
    return method !== undefined && wanted.has(method);
  });
  return Object.assign(op, { [FILTER_METHODS]: wanted as ReadonlySet<string> });
}
