import { filter, type MonoTypeOperatorFunction } from 'rxjs';

function methodOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  if ('method' in value && typeof value.method === 'string') return value.method;
  if ('req' in value && typeof value.req === 'object' && value.req !== null && 'method' in value.req) {
    return typeof value.req.method === 'string' ? value.req.method : undefined;
  }
  return undefined;
}

/**
 * Lets through requests (or `{req, res}` events) of the given methods, and nothing else: a plain
 * filter, wherever it sits. To take new requests by method from an Srf, subscribe to its
 * per-method streams (`srf.invite$`, `srf.options$`, ...): those leave every other method to the
 * stack's default answers, while whoever subscribes to `srf.requests$` answers every request.
 *
 * @param methods - SIP methods, any case
 * @returns the filter
 * @example
 * ```ts
 * import { filterMethod, type Srf } from 'rxsip';
 *
 * declare const srf: Srf;
 * // Whoever subscribes to requests$ answers every method: OPTIONS here, 405 for the rest.
 * srf.requests$.subscribe(({ req, res }) => {
 *   if (req.method !== 'OPTIONS') res.send(405);
 * });
 * srf.requests$.pipe(filterMethod('options')).subscribe(({ res }) => res.send(200));
 * ```
 */
export function filterMethod<T>(...methods: string[]): MonoTypeOperatorFunction<T> {
  const wanted = new Set(methods.map((m) => m.toUpperCase()));
  return filter<T>((value) => {
    const method = methodOf(value);
    return method !== undefined && wanted.has(method.toUpperCase());
  });
}
