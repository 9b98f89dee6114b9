import { Observable, type OperatorFunction } from 'rxjs';
import { FILTER_METHODS } from '../operators/filter-method.js';
import type { RequestEvent, RequestRouter } from './request-router.js';

function methodsOf(op: unknown): ReadonlySet<string> | undefined {
  return typeof op === 'function' && FILTER_METHODS in op
    ? (op as { [FILTER_METHODS]: ReadonlySet<string> })[FILTER_METHODS]
    : undefined;
}

/**
 * `srf.requests$`: every new request. Piped directly into `filterMethod(...)`, it subscribes to
 * those methods only (a Map lookup per request instead of a filter per subscriber), and the
 * methods it leaves alone keep the stack's default answers.
 */
export class RequestStream extends Observable<RequestEvent> {
  constructor(
    private readonly router: RequestRouter,
    private readonly methods?: ReadonlySet<string>,
  ) {
    super((subscriber) => (methods ? router.forMethods(methods) : router.all$).subscribe(subscriber));
    const pipe = (...operations: OperatorFunction<unknown, unknown>[]): Observable<unknown> => {
      const [first, ...rest] = operations;
      const wanted = methodsOf(first);
      if (!wanted)
        return (
          Observable.prototype.pipe as (...ops: OperatorFunction<unknown, unknown>[]) => Observable<unknown>
        ).apply(this, operations);
      const narrowed = this.methods ? new Set([...wanted].filter((m) => this.methods?.has(m))) : wanted;
      const routed = new RequestStream(this.router, narrowed);
      return rest.length === 0
        ? routed
        : (routed.pipe as (...ops: OperatorFunction<unknown, unknown>[]) => Observable<unknown>)(...rest);
    };
    // Same overloads as Observable.pipe; only the routing of a leading filterMethod differs.
    this.pipe = pipe as Observable<RequestEvent>['pipe'];
  }
}
