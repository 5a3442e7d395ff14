/**
 * A ticking clock for countdowns and ages: `now` advances every `periodMs` while the host is
 * connected, and the host re-renders on each tick. Stops when the host leaves the page.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';

export class ClockController implements ReactiveController {
  now = Date.now();
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly periodMs = 1000,
    private readonly clock: () => number = () => Date.now(),
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.now = this.clock();
    this.timer = setInterval(() => {
      this.now = this.clock();
      this.host.requestUpdate();
    }, this.periodMs);
  }

  hostDisconnected(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
