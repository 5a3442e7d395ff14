/**
 * The skeleton every controller that listens to one source (a node, a pipeline host) shares:
 * while the host is connected it follows whatever the getter returns, handing over from the
 * old source to the new one when that changes, and lets go of it when the host leaves the page.
 * The owner says what following means in `follow` (unsubscribe from the old source, read and
 * subscribe to the new one; `undefined` for none, and `leaving` when that is because the host
 * left the page).
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';

export class SourceFollower<S> implements ReactiveController {
  private source: S | undefined;
  private connected = false;

  constructor(
    host: ReactiveControllerHost,
    private readonly getSource: () => S | undefined,
    private readonly follow: (next: S | undefined, previous: S | undefined, leaving: boolean) => void,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.connected = true;
    this.switchTo(this.getSource(), false);
  }

  hostUpdate(): void {
    if (this.connected && this.getSource() !== this.source) this.switchTo(this.getSource(), false);
  }

  hostDisconnected(): void {
    this.connected = false;
    this.switchTo(undefined, true);
  }

  private switchTo(next: S | undefined, leaving: boolean): void {
    const previous = this.source;
    this.source = next;
    this.follow(next, previous, leaving);
  }
}
