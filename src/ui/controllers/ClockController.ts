/**
 * A ticking clock for countdowns and ages: the host re-renders every `periodMs` while it is
 * connected, and reads the time from `now`. Stops when the host leaves the page.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';

export class ClockController implements ReactiveController {
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly periodMs = 1000,
    private readonly clock: () => number = () => Date.now(),
  ) {
    host.addController(this);
  }

  /** The time now, from the clock the host was given (ms since the epoch). */
  get now(): number {
    return this.clock();
  }

  hostConnected(): void {
    this.timer = setInterval(() => this.host.requestUpdate(), this.periodMs);
  }

  hostDisconnected(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
