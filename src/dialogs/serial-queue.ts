import { defer, finalize, Observable } from 'rxjs';

/**
 * Runs one piece of work at a time, in order (re-INVITEs in a dialog). A failed piece never
 * blocks the ones after it, and an unsubscribed waiting piece never runs.
 */
export class SerialQueue {
  private running = false;
  private readonly waiting: Array<() => void> = [];

  run<T>(work: () => Observable<T>): Observable<T> {
    return new Observable<T>((subscriber) => {
      let started = false;
      let inner: { unsubscribe(): void } | undefined;
      const start = () => {
        started = true;
        this.running = true;
        inner = defer(work)
          .pipe(finalize(() => this.next()))
          .subscribe(subscriber);
      };
      if (this.running) this.waiting.push(start);
      else start();
      return () => {
        if (!started) {
          const index = this.waiting.indexOf(start);
          if (index >= 0) this.waiting.splice(index, 1);
        }
        inner?.unsubscribe();
      };
    });
  }

  private next(): void {
    this.running = false;
    this.waiting.shift()?.();
  }
}
